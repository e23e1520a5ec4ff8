"""Rendered items that many phones share, kept per process for live deltas.

In a busy room most of what a phone's poll receives are items other people
just wrote, and an item written by someone else looks the same to every
participant: no controls, no per-person state. So such an item's HTML is
rendered once per process, when it is saved or by the first poll that needs
it (:func:`facilitator.live.views.poll`), and kept here by the item's revision
and the workshop's layout revision; the WSGI shortcut
(:mod:`facilitator.live_shortcut`) answers the other phones' deltas from it
without entering Flask. Its author's copy, with their edit controls and their
CSRF token, is kept apart under their participant id and only ever sent to them.

Only phases whose item template shows nothing per person are kept
(Discovery's stories, Design's ideas). Dream shows "n of them yours" on each
statement and Destiny each person's sign-up, so their deltas are always
rendered per person, as are facilitators' (moderation controls, their token).
"""

from __future__ import annotations

import threading

from flask import current_app, render_template

from ..models import DesignElement, Example, Phase, Workshop

#: Phases whose items look the same to every participant who did not write them.
SHARED_PHASES = {Phase.DISCOVERY.value: Example, Phase.DESIGN.value: DesignElement}

#: Bound on memory: about 2 KB an item, so at most some 40 MB per process.
MAX_FRAGMENTS = 20_000


class Fragments:
    """A bounded map of (phase, item id, item revision, layout revision) to HTML."""

    def __init__(self, limit: int = MAX_FRAGMENTS) -> None:
        self.limit = limit
        self._html: dict[tuple, str] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        return self._html.get(key)

    def put(self, key: tuple, html: str) -> None:
        with self._lock:
            if len(self._html) >= self.limit:
                # Old revisions are never asked for again: start afresh rather
                # than track ages (a room refills it in a few polls).
                self._html.clear()
            self._html[key] = html

    def __len__(self) -> int:
        return len(self._html)


def key(
    phase: str, item_id: int, revision: int, layout_revision: int, author: int | None = None
) -> tuple:
    """The cache key of one item as a non-author participant sees it, or, with
    ``author`` (a participant id), as its author sees it (with their controls)."""
    base = (phase, item_id, revision, layout_revision)
    return base if author is None else (*base, author)


def shareable(phase: str, actor) -> bool:
    """Whether ``actor``'s view of items in ``phase`` may be kept: a participant's
    (not a facilitator's), in a phase whose items show no per-person state."""
    return phase in SHARED_PHASES and actor.facilitator is None and actor.participant is not None


def item_key(phase: str, item, layout_revision: int, actor) -> tuple:
    """The key of ``item`` as ``actor`` sees it: their own copy while they may
    edit it, else the copy every other participant sees. (The shortcut, which has
    no Actor, picks the author's copy by the item's author id; when that author
    may not edit, the layout has changed since, so no such copy is kept.)"""
    author = actor.participant.id if actor.can_edit(item) else None
    return key(phase, item.id, item.revision, layout_revision, author)


def html_for(item, actor, context: dict) -> str:
    """``item`` rendered with ``_live_item.html`` for ``actor``, from the kept copy
    when there is one (and kept, when it may be)."""
    phase = context["phase"].value
    if not shareable(phase, actor):
        return render_template("_live_item.html", item=item, **context)
    cache = current_app.extensions["live_fragments"]
    cache_key = item_key(phase, item, context["workshop"].layout_revision, actor)
    html = cache.get(cache_key)
    if html is None:
        html = render_template("_live_item.html", item=item, **context)
        cache.put(cache_key, html)
    return html


def render(workshop: Workshop, spec, items, actor) -> list[tuple[tuple, str]]:
    """``items`` as every participant who did not write them sees them and, when
    ``actor`` is a participant, as ``actor`` sees them: (key, HTML) pairs for
    :func:`keep`. None for phases whose items show per-person state."""
    from ..access import Actor  # here: access imports the models this module serves

    phase = spec.phase.value
    if phase not in SHARED_PHASES:
        return []
    # Nobody in particular: no controls, exactly what another participant sees.
    viewers = [Actor(workshop=workshop, participant=NOBODY)]
    if shareable(phase, actor):
        viewers.append(actor)
    layout = workshop.layout_revision
    return [
        (
            item_key(phase, item, layout, viewer),
            render_template(
                "_live_item.html",
                item=item,
                workshop=workshop,
                actor=viewer,
                spec=spec,
                phase=spec.phase,
            ),
        )
        for viewer in viewers
        for item in items
    ]


class _Nobody:
    """A participant who wrote nothing: what :func:`render` renders for everyone."""

    id = 0  # no row has it, and unlike None it matches no facilitator's item
    group_id = None


NOBODY = _Nobody()


def keep(rendered: list[tuple[tuple, str]]) -> None:
    """Keep what :func:`render` made, once it is committed, for the phones' next
    polls in this process (the other processes render it on their first)."""
    cache = current_app.extensions["live_fragments"]
    for cache_key, html in rendered:
        cache.put(cache_key, html)


def share(workshop: Workshop, spec, items, actor) -> None:
    """:func:`render` and :func:`keep` for items already committed."""
    keep(render(workshop, spec, items, actor))

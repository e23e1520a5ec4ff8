"""Rendered items that many phones share, kept per process for live deltas.

In a busy room most of what a phone's poll receives are items other people
just wrote, and an item written by someone else looks the same to every
participant: no controls, no per-person state. So the first poll that renders
such an item (through Flask, :func:`facilitator.live.views.poll`) keeps its HTML
here, keyed by the item's revision and the workshop's layout revision, and
the WSGI shortcut (:mod:`facilitator.live_shortcut`) answers the other phones'
deltas from it without entering Flask.

Only phases whose item template shows nothing per person are shared
(Discovery's stories, Design's ideas). Dream shows "n of them yours" on each
statement and Destiny each person's sign-up, so their deltas are always
rendered per person. An author's own items carry their edit controls (and
their CSRF token): never shared.
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


def key(phase: str, item_id: int, revision: int, layout_revision: int) -> tuple:
    """The cache key of one item as a non-author participant sees it."""
    return (phase, item_id, revision, layout_revision)


def cached(phase: str, item, layout_revision: int) -> str | None:
    """The shared HTML of ``item`` as of its revision, if this process has it."""
    return current_app.extensions["live_fragments"].get(
        key(phase, item.id, item.revision, layout_revision)
    )


def render_shared(workshop: Workshop, spec, items) -> list[tuple[tuple, str]]:
    """``items`` as every participant who did not write them sees them: (key, HTML)
    pairs for :func:`keep`; none for phases whose items show per-person state."""
    from ..access import Actor  # here: access imports the models this module serves

    if spec.phase.value not in SHARED_PHASES:
        return []
    # Nobody in particular: no controls, exactly what another participant sees.
    context = dict(workshop=workshop, actor=Actor(workshop=workshop), spec=spec, phase=spec.phase)
    layout = workshop.layout_revision
    return [
        (
            key(spec.phase.value, item.id, item.revision, layout),
            render_template("_live_item.html", item=item, **context),
        )
        for item in items
    ]


def keep(rendered: list[tuple[tuple, str]]) -> None:
    """Keep what :func:`render_shared` made, once it is committed, for the phones'
    next polls in this process (the other processes render it on their first)."""
    cache = current_app.extensions["live_fragments"]
    for cache_key, html in rendered:
        cache.put(cache_key, html)


def share(workshop: Workshop, spec, items) -> None:
    """:func:`render_shared` and :func:`keep` for items already committed."""
    keep(render_shared(workshop, spec, items))

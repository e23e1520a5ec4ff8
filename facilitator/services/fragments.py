"""Rendered items that many phones share, kept for live deltas.

In a busy room most of what a phone's poll receives are items other people
just wrote, and an item written by someone else looks the same to every
participant: no controls, no per-person state. So such an item's HTML is
rendered once, when it is saved, and stored in the database just after it
(:class:`facilitator.models.RenderedItem`; a new item's own transaction commits
first, so the workshop's write lock is never held while a template renders),
where every app
process finds it: the WSGI shortcut (:mod:`facilitator.live.shortcut`) answers
phones' deltas from those rows without entering Flask, whichever process or
server the phone's poll reaches. A row is valid for the item's revision and the
workshop's layout revision it was rendered at; after a layout change (a theme,
a renamed group, a phase) Flask renders the item again on the first poll that
needs it and keeps that copy here, per process. Its author's copy, with their
edit controls, is kept apart under their participant id and only ever sent to
them.

Only phases whose item template shows nothing per person are kept
(Discovery's stories, Design's ideas). Dream shows "n of them yours" on each
statement and Destiny each person's sign-up, so their deltas are always
rendered per person. Facilitators' consoles share one copy per process (their
moderation controls differ only by the CSRF token, a hole: see CSRF_HOLE).
"""

from __future__ import annotations

import threading

from flask import current_app, g, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import DesignElement, Example, Phase, RenderedItem, Workshop

#: Phases whose items look the same to every participant who did not write them.
SHARED_PHASES = {Phase.DISCOVERY.value: Example, Phase.DESIGN.value: DesignElement}
#: The phase of each kept model.
PHASE_OF = {model: phase for phase, model in SHARED_PHASES.items()}

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

    def get_or_make(self, key: tuple, make) -> str:
        """The HTML kept under ``key``, else ``make()``'s, kept from now on."""
        html = self._html.get(key)
        if html is None:
            html = make()
            self.put(key, html)
        return html

    def __len__(self) -> int:
        return len(self._html)


def key(
    phase: str, item_id: int, revision: int, layout_revision: int, author: int | None = None
) -> tuple:
    """The cache key of one item as a non-author participant sees it, or, with
    ``author`` (a participant id), as its author sees it (with their controls)."""
    base = (phase, item_id, revision, layout_revision)
    return base if author is None else (*base, author)


#: The viewer id of the copy every facilitator's console shows (moderation
#: controls, hidden items marked): the same for all of them but for their CSRF
#: token, which is a hole (see CSRF_HOLE). Kept per process, never stored.
MODERATORS = -1


def participant_view(actor) -> bool:
    """Whether ``actor`` sees items as a participant (not a facilitator or organiser)."""
    return actor.facilitator is None and actor.participant is not None


def shareable(phase: str, actor) -> bool:
    """Whether ``actor``'s view of items in ``phase`` may be kept: a participant's
    or a facilitator's console, in a phase whose items show no per-person state."""
    return phase in SHARED_PHASES and (actor.can_moderate or participant_view(actor))


def item_key(phase: str, item, layout_revision: int, actor) -> tuple:
    """The key of ``item`` as ``actor`` sees it: the facilitators' copy for a
    facilitator; for a participant their own copy while they may edit it, else the
    copy every other participant sees. (The shortcut, which has no Actor, picks
    the author's copy by the item's author id; when that author may not edit, the
    layout has changed since, so no such copy is kept.)"""
    if actor.can_moderate:
        viewer = MODERATORS
    else:
        viewer = actor.participant.id if actor.can_edit(item) else None
    return key(phase, item.id, item.revision, layout_revision, viewer)


def viewer_of(cache_key: tuple) -> int:
    """The ``rendered_item.viewer`` of a key: its author, or 0 for everyone's copy."""
    return cache_key[4] if len(cache_key) > 4 else NOBODY.id


def html_for(item, actor, context: dict) -> str:
    """``item`` rendered with ``_live_item.html`` for ``actor``, from the kept copy
    when there is one (and kept, when it may be)."""
    return _kept_or_rendered("_live_item.html", (), item, actor, context, item=item)


def merge_target_html(item, actor, context: dict) -> str:
    """``item``'s option in a console's "merge into" list, kept beside the
    consoles' copy of the item when that may be kept."""
    return _kept_or_rendered("_merge_target.html", ("merge",), item, actor, context, other=item)


def _kept_or_rendered(template: str, suffix: tuple, subject, actor, context: dict, **names) -> str:
    """``template`` rendered for the item ``subject`` (passed to it as ``names``)
    as ``actor`` sees it, kept per process under the item's key (plus
    ``suffix``) when that view may be shared, with the CSRF token as a hole
    filled for each reader."""
    phase = context["phase"].value
    if not shareable(phase, actor):
        return render_template(template, **names, **context)
    cache = current_app.extensions["live_fragments"]
    cache_key = (*item_key(phase, subject, context["workshop"].layout_revision, actor), *suffix)
    return fill(
        cache.get_or_make(cache_key, lambda: punch(render_template(template, **names, **context)))
    )


def kept_console_delta(spec, workshop: Workshop, since: int) -> str | None:
    """A facilitator console's delta (every changed item, then its merge-target
    option) from this process's kept copies, with one Core query for the ids and
    revisions and no ORM; None when any of them is not kept (the caller renders).

    Five consoles in two processes: each item is rendered by the first console
    poll in each process, and the others' polls are put together here.
    """
    phase = spec.phase.value
    if phase not in SHARED_PHASES:
        return None
    model = spec.model
    rows = db.session.execute(
        db.select(model.id, model.revision)
        .where(model.workshop_id == workshop.id, model.revision > since)
        .order_by(*spec.ordering)
    ).all()
    cache = current_app.extensions["live_fragments"]
    layout = workshop.layout_revision
    items, targets = [], []
    for item_id, revision in rows:
        base = key(phase, item_id, revision, layout, MODERATORS)
        html, target = cache.get(base), cache.get((*base, "merge"))
        if html is None or target is None:
            return None
        items.append(html)
        targets.append(target)
    return fill("".join(items + targets))


#: Stands in kept and stored copies for the CSRF token of whoever is sent them
#: (an author's copy has their Delete button): a session's token is never
#: written to the database (backups, replicas), nor served to another session.
#: Escaping turns a typed "<" into "&lt;", so no contribution can contain it.
CSRF_HOLE = "<csrf-token>"


def punch(html: str) -> str:
    """``html`` rendered in this request, with its CSRF token taken out (Flask-WTF
    keeps the token it gave this request's templates in ``g``)."""
    token = g.get("csrf_token")
    return html.replace(token, CSRF_HOLE) if token else html


def fill(html: str, token: str | None = None) -> str:
    """A kept copy with the reader's token (``token``, else this request's) put back in."""
    if CSRF_HOLE not in html:
        return html
    return html.replace(CSRF_HOLE, token or generate_csrf())


def kept_html(items, actor, context: dict) -> dict[int, Markup]:
    """Item id -> HTML of each of ``items`` as ``actor`` sees it, for a board or
    a delta: the copy stored when it was saved if it is current, else the one
    kept in this process, else rendered now (and kept). Empty when ``actor``'s
    view may not be shared (templates then render each item themselves).

    A phone's whole board (on joining, after a layout change) is then mostly
    stored HTML put together, not a template run per item.
    """
    workshop = context["workshop"]
    phase = context["phase"].value
    if not items or not shareable(phase, actor):
        return {}
    if not participant_view(actor):  # consoles: this process's copies
        return {item.id: Markup(html_for(item, actor, context)) for item in items}
    me = actor.participant.id
    rows = db.session.execute(
        db.select(
            RenderedItem.item_id, RenderedItem.viewer, RenderedItem.revision, RenderedItem.html
        ).where(
            RenderedItem.workshop_id == workshop.id,
            RenderedItem.phase == phase,
            RenderedItem.item_id.in_([item.id for item in items]),
            RenderedItem.viewer.in_((NOBODY.id, me)),
            RenderedItem.layout_revision == workshop.layout_revision,
        )
    ).all()
    stored = {(item_id, viewer): (revision, html) for item_id, viewer, revision, html in rows}
    layout = workshop.layout_revision
    result = {}
    for item in items:
        viewer = viewer_of(item_key(phase, item, layout, actor))
        revision, html = stored.get((item.id, viewer), (0, ""))
        # A copy of another revision is never used: rendered (or kept) afresh.
        html = fill(html) if html and revision == item.revision else html_for(item, actor, context)
        result[item.id] = Markup(html)
    return result


def render(workshop: Workshop, spec, items, actor) -> list[tuple[tuple, str]]:
    """``items`` as every participant who did not write them sees them and, for
    each item a participant wrote and may still edit, as its author sees it:
    (key, HTML) pairs for :func:`store`; none for phases whose
    items show per-person state. ``actor`` is who made the change (the author of
    a new item; their Participant is already loaded)."""
    from ..access import Actor  # here: access imports the models this module serves

    phase = spec.phase.value
    if phase not in SHARED_PHASES:
        return []
    layout = workshop.layout_revision
    # Nobody in particular: no controls, exactly what another participant sees.
    everyone = Actor(workshop=workshop, participant=NOBODY)
    rendered = []
    for item in items:
        viewers = [everyone]
        if item.author_participant_id is not None:
            if participant_view(actor) and actor.participant.id == item.author_participant_id:
                author = actor
            else:  # a facilitator's edit: the author's copy changes too
                author = Actor(workshop=workshop, participant=item.author_participant)
            if author.can_edit(item):
                viewers.append(author)
        rendered += [
            (
                item_key(phase, item, layout, viewer),
                # Rendered in the request of whoever made the change, so with
                # their token: a hole, filled with the author's when sent.
                punch(
                    render_template(
                        "_live_item.html",
                        item=item,
                        workshop=workshop,
                        actor=viewer,
                        spec=spec,
                        phase=spec.phase,
                    )
                ),
            )
            for viewer in viewers
        ]
    return rendered


class _Nobody:
    """A participant who wrote nothing: what :func:`render` renders for everyone."""

    id = 0  # no row has it, and unlike None it matches no facilitator's item
    group_id = None


NOBODY = _Nobody()


def _upsert(dialect) -> object:
    """INSERT ... ON CONFLICT DO UPDATE into rendered_item, built once per database
    (SQLite and PostgreSQL spell it alike; building it costs more than running it)."""
    table = RenderedItem.__table__
    insert = dialect_insert[dialect.name](table)
    return insert.on_conflict_do_update(
        index_elements=[table.c.phase, table.c.item_id, table.c.viewer],
        set_={name: insert.excluded[name] for name in ("revision", "layout_revision", "html")},
    )


dialect_insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
_UPSERTS: dict[str, object] = {}


def store(workshop: Workshop, rendered: list[tuple[tuple, str]], connection=None) -> None:
    """Write what :func:`render` made into ``rendered_item``, in the caller's
    transaction (an edit's own), or on ``connection`` (a new item's copies, see
    facilitator.phases.operations.add_contribution: until they are stored, a
    poll finds no copy and the item waits a poll or Flask renders it). A row
    replaces the item's earlier copy for the same viewer."""
    if not rendered:
        return
    rows = [
        {
            "phase": phase,
            "item_id": item_id,
            "viewer": viewer_of(cache_key),
            "workshop_id": workshop.id,
            "revision": revision,
            "layout_revision": layout,
            "html": html,
        }
        for cache_key, html in rendered
        for phase, item_id, revision, layout in [cache_key[:4]]
    ]
    if connection is None:
        connection = db.session.connection()
    dialect = connection.dialect
    statement = _UPSERTS.get(dialect.name)
    if statement is None:
        statement = _UPSERTS[dialect.name] = _upsert(dialect)
    connection.execute(statement, rows)


def forget(model, item_id: int) -> None:
    """Delete the stored copies of a contribution that is being deleted."""
    phase = PHASE_OF.get(model)
    if phase is not None:
        db.session.execute(
            db.delete(RenderedItem).where(
                RenderedItem.phase == phase, RenderedItem.item_id == item_id
            )
        )


def forget_workshop(workshop: Workshop) -> None:
    """Delete every stored copy of a workshop's items, in the caller's transaction.

    For a change that every copy may show, such as a participant's name
    removed: no stored copy may keep it. The caller also bumps the layout
    revision, which retires the copies kept in each process (they are keyed on
    it); the next poll renders and keeps afresh.
    """
    db.session.execute(db.delete(RenderedItem).where(RenderedItem.workshop_id == workshop.id))


def save(workshop: Workshop, spec, items, actor) -> None:
    """:func:`render` and :func:`store` (the caller commits)."""
    store(workshop, render(workshop, spec, items, actor))

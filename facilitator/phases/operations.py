"""State changes shared by every phase. Each one bumps the workshop's revision so
live screens pick the change up, and commits."""

from __future__ import annotations

import contextlib
import functools
import time

from sqlalchemy.exc import OperationalError

from ..access import Actor
from ..core.db import write_lock
from ..extensions import db
from ..models import Phase, Workshop
from ..services import fragments
from ..services.live import adopt, bump, insert_stamped

#: Attempts for an operation SQLite refused with "database is locked".
LOCK_ATTEMPTS = 4

#: Takes the workshop's row lock (PostgreSQL) or the write lock (SQLite) and
#: changes nothing; the real bump comes later in the same transaction.
_LOCK_WORKSHOP = (
    db.update(Workshop.__table__)
    .where(Workshop.__table__.c.id == db.bindparam("workshop_id"))
    .values(revision=Workshop.__table__.c.revision)
)


class Gone(Exception):
    """An item someone else deleted or merged away while this request was on its way."""


def gone_message(noun: str) -> str:
    """What the loser of a race with a deletion or a merge is told."""
    return (
        f"Someone else deleted this {noun}, or merged it into another, a moment ago, "
        "so nothing was changed. The board below is up to date."
    )


def lock_for_change(workshop: Workshop, *items) -> None:
    """Lock the workshop, then re-read ``items`` as they are now.

    Every change to a workshop's contributions takes the workshop's row lock
    before it touches any item, the order a post keeps (its bump comes first):
    two requests locking an item and the workshop in opposite orders deadlock
    on PostgreSQL. Holding it, nobody else changes the workshop's items until
    this transaction ends, so what is re-read here stays true: an item deleted
    or merged away meanwhile raises :class:`Gone` instead of a half-done change
    (both of two opposite merges deleting their item, an edit updating a row
    that is no more).

    Call it first, before changing any loaded object (the re-read overwrites
    them), inside :func:`writing` so a failure rolls back.
    """
    with db.session.no_autoflush:
        db.session.connection().execute(_LOCK_WORKSHOP, {"workshop_id": workshop.id})
        # The workshop too: its phase or pause may have changed meanwhile.
        db.session.refresh(workshop)
        for item in items:
            model = type(item)
            fresh = db.session.execute(
                db.select(model)
                .where(model.id == item.id, model.workshop_id == workshop.id)
                .execution_options(populate_existing=True)
            ).scalar_one_or_none()
            if fresh is None:
                raise Gone(item)


def is_lock_error(exc: OperationalError) -> bool:
    """SQLite's "database is locked"/"busy" (the busy timeout ran out)."""
    message = str(exc.orig if exc.orig is not None else exc).lower()
    return "database is locked" in message or "database is busy" in message


def retry_on_lock(operation):
    """Run a self-contained state change again when SQLite reports a lock.

    Only for operations that make all their changes themselves and then commit:
    a refused commit stored nothing, so after a rollback the whole operation can
    safely run again (nothing is saved twice). Other errors pass through.
    """

    @functools.wraps(operation)
    def run(*args, **kwargs):
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            try:
                return operation(*args, **kwargs)
            except OperationalError as exc:
                db.session.rollback()
                if attempt == LOCK_ATTEMPTS or not is_lock_error(exc):
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    return run


#: Why an unseated participant (a by-hand room before seating, or their table
#: was removed) can neither see a table's board nor add to one.
UNSEATED = "You can add yours as soon as the facilitator has seated you at a table."


def closed_refusal(workshop: Workshop) -> str | None:
    """Why participants can change nothing here now (closed or archived), or None."""
    return workshop.closed_reason()


def unseated(workshop: Workshop, actor: Actor) -> bool:
    """A participant waiting for a table in a workshop that has tables."""
    return actor.is_participant and actor.participant.group_id is None and bool(workshop.groups)


def refusal(workshop: Workshop, actor: Actor, phase: Phase) -> str | None:
    """Why this person may not add to ``phase`` now, in words they understand, or None."""
    if actor.can_moderate:
        return None
    if not actor.can_contribute:
        return "Join the workshop first to add your ideas."
    closed = closed_refusal(workshop)
    if closed:
        return closed
    if unseated(workshop, actor):
        return UNSEATED
    if workshop.locked:
        return "The facilitator has paused contributions for a moment. Keep your text and try again soon."
    if workshop.phase != phase:
        return (
            f"The {phase.label} phase is closed; the workshop has moved to {workshop.phase.label}."
        )
    return None


def can_post(workshop: Workshop, actor: Actor, phase: Phase) -> bool:
    return refusal(workshop, actor, phase) is None


def add_contribution(workshop: Workshop, item, after_commit=None) -> None:
    """Save a new contribution.

    :param workshop: the workshop it belongs to (its revision is bumped).
    :param item: an unsaved model instance with its fields filled in.
    :param after_commit: called with ``(item,)`` once the item is saved (with
        its id and revision, still loaded) to render it without reading it back;
        what it returns (:func:`fragments.render`'s copies) is stored in a
        second, short transaction.

    The item's own transaction holds the workshop's write lock (SQLite's
    database lock, PostgreSQL's row lock from the bump) for its SQL alone:
    rendering inside it made every concurrent post wait for the template of
    the one ahead of it (docs/benchmarks.md, fourth pass).
    """
    _insert(workshop, item)
    if after_commit is not None:
        _store_copies(workshop, after_commit((item,)))


@retry_on_lock
def _insert(workshop: Workshop, item) -> None:
    with writing():
        row = insert_stamped(workshop, item)
        if row is None:
            # Bumped first: the new revision stamps the item, so polls send it as a delta.
            bump(workshop, item)
            db.session.add(item)
        commit_keeping_loaded()
    if row is not None:
        # Only now: a refused commit leaves the item as it came, to be tried again.
        adopt(workshop, item, row)


def _store_copies(workshop: Workshop, rendered) -> None:
    """Store the items' copies that ``fragments.render`` made, in a statement
    of their own (autocommitted: a failure leaves the saved item as it is).

    The copies only save work: a poll that finds none renders the item in
    Flask. So a lock that outlasts the busy timeout here costs nothing but
    that, and never runs the saved item's transaction again.
    """
    try:
        # Autocommit: the upsert is its own transaction, one round trip where
        # BEGIN, the upsert and COMMIT were three.
        with writing(), db.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            fragments.store(workshop, rendered, connection)
    except OperationalError as exc:
        db.session.rollback()
        if not is_lock_error(exc):
            raise


@contextlib.contextmanager
def writing():
    """Hold the database's write lock (see core.db.WriteLock) for a short write
    transaction that commits inside the block; roll back before letting go if
    it fails, so the next writer never meets this one's open transaction."""
    with write_lock(db.engine):
        try:
            yield
        except BaseException:
            db.session.rollback()
            raise


def _before_commit(callback, items: tuple) -> None:
    """Flush ``items`` (ids, revisions) and run ``callback`` on them, if there is one."""
    if callback is not None:
        db.session.flush()
        callback(items)


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session has loaded.

    For a change made entirely here: the loaded rows are what was just written
    (the revision comes back from the UPDATE itself), so the answer rendered next
    need not read the workshop, the person and the item back one by one.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        db.session.commit()
    finally:
        session.expire_on_commit = True


def touch(workshop: Workshop, *changed, before_commit=None) -> None:
    """Commit pending edits to ``workshop``'s contributions and tell live screens.

    :param changed: the items edited in place, when that is all that changed
        (see :func:`facilitator.services.live.bump`); none means "re-send boards".
    :param before_commit: called with the changed items once they carry their
        new revision, before the commit.
    """
    bump(workshop, *changed)
    _before_commit(before_commit, changed)
    db.session.commit()


def edit_contribution(workshop: Workshop, item, apply, check=None, before_commit=None) -> bool:
    """Edit a contribution: ``apply()`` writes the form into ``item`` once the
    workshop is locked and the item re-read (:func:`lock_for_change`), after
    ``check()`` (which may refuse, e.g. the phase closed meanwhile).

    :returns: whether it was edited in place (same group), which live polls
        send as a delta; a move re-sends the boards.
    :raises Gone: when the item was deleted or merged away meanwhile.
    """
    with writing():
        lock_for_change(workshop, item)
        if check is not None:
            check()
        group_before = item.group_id
        apply()
        in_place = item.group_id == group_before
        touch(workshop, *([item] if in_place else []), before_commit=before_commit)
    return in_place


@retry_on_lock
def delete_contribution(workshop: Workshop, item, check=None) -> None:
    """Delete a contribution for good (votes and links go with it).

    :raises Gone: when it was deleted or merged away meanwhile.
    """
    with writing():
        lock_for_change(workshop, item)
        if check is not None:
            check()
        fragments.forget(type(item), item.id)
        db.session.delete(item)
        bump(workshop)
        db.session.commit()


@retry_on_lock
def set_hidden(workshop: Workshop, item, hidden: bool) -> None:
    """Hide (moderate away) or restore a contribution; hidden items stay in the database.

    :raises Gone: when it was deleted or merged away meanwhile.
    """
    with writing():
        lock_for_change(workshop, item)
        item.hidden = hidden
        bump(workshop)
        db.session.commit()

"""Per-workshop revision numbers: the cheap "has anything changed?" behind live screens.

Every change a live screen could show bumps ``workshop.revision``. Most changes
in a busy room are one item added or edited in place (a story posted, a dot
put on a statement); those also stamp the item with the new revision, so a
poller that last saw revision *r* can be sent only the items with a higher one
(facilitator.live.delta). Any other change (a deletion, a hide, a move or
merge, a phase change, seating, themes...) also sets ``layout_revision``: a
poller older than that gets the whole board again. That is the default, so a
change nobody thought about can never leave a stale board behind.
"""

from __future__ import annotations

from sqlalchemy import insert, inspect, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Workshop
from ..models.base import utcnow


def _bump(layout: bool, key: str = "workshop_id"):
    table = Workshop.__table__
    values = {"revision": table.c.revision + 1}
    if layout:
        # SQL evaluates the right-hand side on the old row: both become old + 1.
        values["layout_revision"] = table.c.revision + 1
    return (
        db.update(table)
        .where(table.c.id == db.bindparam(key))
        .values(**values)
        .returning(table.c.revision, table.c.layout_revision)
    )


_BUMP_ITEMS = _bump(layout=False)
_BUMP_LAYOUT = _bump(layout=True)
#: The bump as a CTE of the item's INSERT, its parameters named apart from the
#: INSERT's (SQLAlchemy cannot name the nested UPDATE's own updated_at).
_STAMP = (
    _bump(layout=False, key="stamp_workshop")
    .values(updated_at=db.bindparam("stamp_now"))
    .cte("bump")
)


def _loaded(workshop: Workshop, revision: int, layout: int) -> None:
    """Set the revisions a bump returned on the loaded workshop, as read (not changed)."""
    set_committed_value(workshop, "revision", revision)
    set_committed_value(workshop, "layout_revision", layout)


def bump(workshop: Workshop, *changed) -> int:
    """Mark the workshop changed, in the caller's transaction; return the new revision.

    :param workshop: the workshop that changed.
    :param changed: contributions whose addition or in-place edit is the
        *whole* change (same group, same visibility). They are stamped with the
        new revision and live polls send them as a delta. Without any, the change
        counts as a layout change and polls re-send whole boards.

    The increment is done in SQL (``revision = revision + 1 ... RETURNING``) so
    two workers changing the same workshop at once both count, whatever they had
    loaded; on PostgreSQL the row lock it takes also orders the revisions as the
    transactions commit, which is what lets a poller trust "nothing below r is
    still to come".
    """
    statement = _BUMP_ITEMS if changed else _BUMP_LAYOUT
    # No autoflush: the workshop row is locked first, before any item is written.
    # Core, built once: the ORM's bulk-update path cost more than the UPDATE.
    with db.session.no_autoflush:
        revision, layout = (
            db.session.connection().execute(statement, {"workshop_id": workshop.id}).one()
        )
    _loaded(workshop, revision, layout)
    for item in changed:
        item.revision = revision
    return revision


def _new_row_values(item) -> dict | None:
    """``item``'s column values, or None when it needs the unit of work: a
    related object or a non-empty collection set on it (themes, a statement
    object) is written by the ORM's flush, which this path skips."""
    state = inspect(item)
    for relationship in state.mapper.relationships:
        if state.dict.get(relationship.key):
            return None
    values = {}
    for prop in state.mapper.column_attrs:
        column = prop.columns[0]
        value = state.dict.get(prop.key)
        if column.key == "revision" or column.primary_key:
            continue  # the bump's, the database's
        if value is None and column.default is not None:
            # As a flush does, in Python: SQLAlchemy leaves the INSERT's own
            # defaults unset when a nested UPDATE (the bump) has one too.
            default = column.default
            value = default.arg(None) if default.is_callable else default.arg
        values[column.key] = value
    return values


def insert_stamped(workshop: Workshop, item) -> Row | None:
    """Insert the new ``item`` stamped with the workshop's next revision, in the
    caller's transaction, without the ORM's unit of work; return the stored
    row (every column, then the workshop's revision and layout revision), or
    None, having done nothing, when ``item`` needs the unit of work (see
    :func:`_new_row_values`). :func:`adopt` makes ``item`` that row once the
    transaction has committed.

    The bump and the insert are what :func:`bump` and a flush would send, but
    the flush cost a post more CPU than its SQL, and on PostgreSQL every client
    round trip between the bump and the COMMIT holds the workshop's row lock,
    for which every other post in the room waits. There they are one statement
    (``WITH bump AS (UPDATE workshop ... RETURNING) INSERT ... RETURNING``), so
    the lock is held for that statement and the COMMIT alone. SQLite allows no
    UPDATE in a WITH; there the two go one after the other, under its
    database lock as before.
    """
    values = _new_row_values(item)
    if values is None:
        return None
    table = type(item).__table__
    connection = db.session.connection()
    # Composed per post, the values in the statement: given at execute time
    # instead, SQLAlchemy applies the column names to the nested UPDATE too
    # (it compiled "UPDATE workshop SET title=...").
    if connection.dialect.name == "postgresql":
        statement = (
            insert(table)
            .add_cte(_STAMP)
            .values(**values, revision=select(_STAMP.c.revision).scalar_subquery())
            .returning(
                *table.c,
                select(_STAMP.c.revision).scalar_subquery(),
                select(_STAMP.c.layout_revision).scalar_subquery(),
            )
        )
        return connection.execute(
            statement, {"stamp_workshop": workshop.id, "stamp_now": utcnow()}
        ).one()
    revision, layout = connection.execute(_BUMP_ITEMS, {"workshop_id": workshop.id}).one()
    row = connection.execute(
        insert(table).values(**values, revision=revision).returning(*table.c)
    ).one()
    return (*row, revision, layout)


def adopt(workshop: Workshop, item, row) -> None:
    """Make ``item`` the persistent object of the committed ``row`` that
    :func:`insert_stamped` returned, as a flush would have, so the answer
    renders it without reading it back."""
    *columns, revision, layout = row
    for column, value in zip(type(item).__table__.c, columns, strict=True):
        setattr(item, column.key, value)
    make_transient_to_detached(item)
    db.session.add(item)
    _loaded(workshop, revision, layout)

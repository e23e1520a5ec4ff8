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

from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Workshop


def _bump(layout: bool):
    table = Workshop.__table__
    values = {"revision": table.c.revision + 1}
    if layout:
        # SQL evaluates the right-hand side on the old row: both become old + 1.
        values["layout_revision"] = table.c.revision + 1
    return (
        db.update(table)
        .where(table.c.id == db.bindparam("workshop_id"))
        .values(**values)
        .returning(table.c.revision, table.c.layout_revision)
    )


_BUMP_ITEMS = _bump(layout=False)
_BUMP_LAYOUT = _bump(layout=True)


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
    set_committed_value(workshop, "revision", revision)
    set_committed_value(workshop, "layout_revision", layout)
    for item in changed:
        item.revision = revision
    return revision

"""Dream state changes: mission statements and their themes."""

from __future__ import annotations

from ...extensions import db
from ...models import MissionStatement, Workshop


def statements_of(workshop: Workshop, *, include_hidden: bool = False) -> list[MissionStatement]:
    stmt = db.select(MissionStatement).where(MissionStatement.workshop_id == workshop.id)
    if not include_hidden:
        stmt = stmt.where(MissionStatement.hidden.is_(False))
    return list(db.session.execute(stmt.order_by(MissionStatement.id)).scalars())

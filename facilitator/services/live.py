"""Per-workshop revision numbers: the cheap "has anything changed?" behind live screens."""

from __future__ import annotations

from ..extensions import db
from ..models import Workshop


def bump(workshop: Workshop) -> None:
    """Mark the workshop changed, in the caller's transaction.

    The increment is done in SQL (``revision = revision + 1``) so two workers
    changing the same workshop at once both count, whatever they had loaded.
    """
    db.session.execute(
        db.update(Workshop).where(Workshop.id == workshop.id).values(revision=Workshop.revision + 1)
    )
    db.session.expire(workshop, ["revision"])


def current_revision(workshop_id: int) -> int | None:
    """The revision alone, one indexed primary-key read, no contribution tables."""
    return db.session.execute(
        db.select(Workshop.revision).where(Workshop.id == workshop_id)
    ).scalar_one_or_none()

"""Share links: create and revoke."""

from __future__ import annotations

from datetime import date

from ..extensions import db
from ..models import Facilitator, ShareLink, Workshop, utcnow


def share_links(workshop: Workshop) -> list[ShareLink]:
    """The workshop's links, newest first, revoked ones included (marked)."""
    return list(
        db.session.execute(
            db.select(ShareLink)
            .where(ShareLink.workshop_id == workshop.id)
            .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        ).scalars()
    )


def create_share_link(workshop: Workshop, by: Facilitator | None, label: str = "") -> ShareLink:
    """Make a new secret link to the report and exports.

    :param workshop: the workshop the link opens (read-only).
    :param by: the facilitator creating it (kept for the record).
    :param label: who the link is for, shown to facilitators only.
    """
    link = ShareLink(workshop_id=workshop.id, created_by_id=by.id if by else None, label=label)
    db.session.add(link)
    db.session.commit()
    return link


def revoke_share_link(link: ShareLink) -> None:
    """Stop a link working, for good (revoking twice keeps the first time)."""
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        db.session.commit()


def active_link(token: str) -> ShareLink | None:
    """The link with this token, or None; revoked links are returned (the caller says so)."""
    if not token or len(token) > 64:
        return None
    return db.session.execute(db.select(ShareLink).filter_by(token=token)).scalar_one_or_none()


def set_next_steps(workshop: Workshop, check_in: date | None, convener: str) -> None:
    """Record the next check-in and its convener for the report's summary (empty clears).

    ``settings`` is replaced, not mutated in place, so the JSON column is written.
    """
    steps = {"check_in": check_in.isoformat() if check_in else "", "convener": convener.strip()}
    workshop.settings = {**(workshop.settings or {}), "next_steps": steps}
    db.session.commit()

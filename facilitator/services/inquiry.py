"""One inquiry across workshops: a workshop and those it continues or is continued by.

Workshops that follow one another (``Workshop.previous``) form one inquiry, e.g.
Discovery and Dream in one workshop, Design and Destiny in the next. The chain is
what the inquiry report, the carry-forward and the later workshops' views read.
"""

from __future__ import annotations

from ..extensions import db
from ..models import Workshop

#: A guard against a corrupt cycle of ``previous`` links (imports refuse them,
#: but a chain is walked on every inquiry page).
MAX_CHAIN = 50


def chain_of(workshop: Workshop) -> list[Workshop]:
    """Every workshop of ``workshop``'s inquiry, earliest first (trashed ones left out).

    Backwards through ``previous``; forwards through the earliest-created
    workshop naming the last one as its ``previous`` (a workshop continued twice
    is a fork: the first continuation is the inquiry's line).
    """
    earlier: list[Workshop] = []
    seen = {workshop.id}
    current = workshop.previous
    while current is not None and current.deleted_at is None and current.id not in seen:
        earlier.append(current)
        seen.add(current.id)
        if len(seen) >= MAX_CHAIN:
            break
        current = current.previous
    chain = [*reversed(earlier), workshop]
    while len(chain) < MAX_CHAIN:
        following = db.session.execute(
            db.select(Workshop)
            .where(Workshop.previous_id == chain[-1].id, Workshop.deleted_at.is_(None))
            .order_by(Workshop.created_at, Workshop.id)
            .limit(1)
        ).scalar_one_or_none()
        if following is None or following.id in seen:
            break
        chain.append(following)
        seen.add(following.id)
    return chain


def earlier_workshops(workshop: Workshop) -> list[Workshop]:
    """The workshops of the inquiry before ``workshop``, earliest first."""
    chain = chain_of(workshop)
    return chain[: chain.index(workshop)]

"""Joining a workshop."""

from __future__ import annotations

from flask import current_app

from ..extensions import db
from ..models import Participant, Workshop
from ..phases.operations import retry_on_lock
from ..services import fragments, pdf
from ..services.inquiry import chain_of
from ..services.live import bump


def find_open_workshop(code: str) -> Workshop | None:
    """The open (not archived, not deleted) workshop with this join code."""
    return db.session.execute(
        db.select(Workshop).where(
            Workshop.join_code == code,
            Workshop.is_open.is_(True),
            Workshop.archived_at.is_(None),
            Workshop.deleted_at.is_(None),
        )
    ).scalar_one_or_none()


def closed_workshop_with(code: str) -> Workshop | None:
    """A workshop that had this code but is closed or archived (deleted ones stay unknown)."""
    return db.session.execute(
        db.select(Workshop).where(
            Workshop.join_code == code,
            db.or_(Workshop.is_open.is_(False), Workshop.archived_at.is_not(None)),
            Workshop.deleted_at.is_(None),
        )
    ).scalar_one_or_none()


def round_robin_group(workshop: Workshop) -> int | None:
    """The table with the fewest participants (ties: first table)."""
    if not workshop.groups:
        return None
    counts = dict(
        db.session.execute(
            db.select(Participant.group_id, db.func.count())
            .where(Participant.workshop_id == workshop.id, Participant.removed_at.is_(None))
            .group_by(Participant.group_id)
        ).all()
    )
    return min(workshop.groups, key=lambda g: (counts.get(g.id, 0), g.position, g.id)).id


@retry_on_lock
def join(workshop: Workshop, name: str | None, group_id: int | None) -> Participant:
    """Add a participant.

    :param workshop: an open workshop.
    :param name: display name, or ``None`` to stay anonymous.
    :param group_id: the chosen table, or ``None`` to let the workshop's
        assignment rule decide: ``"by_hand"`` leaves them without a table
        until the facilitator seats them; otherwise the emptiest table.
    """
    if workshop.group_assignment == "by_hand":
        group_id = None
    elif workshop.group_assignment == "round_robin" or group_id is None:
        group_id = round_robin_group(workshop)
    participant = Participant(workshop_id=workshop.id, display_name=name or None, group_id=group_id)
    db.session.add(participant)
    # No bump: no live screen shows who has joined (the console's head count is
    # read when the page loads), so a room filling up costs its phones no re-renders.
    db.session.commit()
    return participant


def remove_name(workshop: Workshop, participant: Participant) -> None:
    """Make a participant anonymous: their contributions then show "Anonymous".

    The name also goes from every copy made while it was there: the stored
    renders of the workshop's items (services.fragments) and the cached report
    PDFs of its inquiry (services.pdf), which would otherwise keep it until
    the next change or render.

    :param workshop: the participant's workshop (its screens are refreshed).
    :param participant: who asked.
    """
    participant.display_name = None
    fragments.forget_workshop(workshop)
    bump(workshop)  # a layout change: no kept copy of the old layout is served again
    db.session.commit()
    cache = pdf.report_cache(current_app)
    for each in chain_of(workshop):  # an inquiry report holds every workshop of it
        cache.forget(each.id)

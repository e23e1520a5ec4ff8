"""Who is asking: a facilitator (logged in) or a participant (joined by cookie).

Participants have no account; the session (a signed cookie) maps workshop ids
to the participant's secret token, so one phone can be in several workshops and
a cookie for one workshop gives nothing in another.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g, redirect, request, session, url_for
from flask_login import current_user

from .core.limits import browser_id
from .extensions import db
from .models import (
    ActionPoint,
    DesignElement,
    Example,
    Facilitator,
    MissionStatement,
    Participant,
    Phase,
    Role,
    Workshop,
)

SESSION_KEY = "joined"

#: The phase each kind of contribution belongs to.
PHASE_OF_MODEL = {
    Example: Phase.DISCOVERY,
    MissionStatement: Phase.DREAM,
    DesignElement: Phase.DESIGN,
    ActionPoint: Phase.DESTINY,
}


@dataclass(frozen=True)
class Actor:
    """The person behind a request, as far as one workshop is concerned."""

    workshop: Workshop
    facilitator: Facilitator | None = None
    participant: Participant | None = None
    role: Role | None = None

    @property
    def can_moderate(self) -> bool:
        return self.role == Role.FACILITATOR

    @property
    def is_participant(self) -> bool:
        return self.participant is not None and not self.can_moderate

    @property
    def can_contribute(self) -> bool:
        return self.can_moderate or self.participant is not None

    def owns(self, item) -> bool:
        """True when the item was written by this participant or this facilitator."""
        if self.participant is not None and item.author_participant_id == self.participant.id:
            return True
        return self.facilitator is not None and item.author_facilitator_id == self.facilitator.id

    def can_edit(self, item) -> bool:
        """Whether this person may edit or delete ``item`` now (see :meth:`edit_refusal`)."""
        return self.edit_refusal(item) is None

    def edit_refusal(self, item, noun: str = "contribution") -> str | None:
        """Why this person may not edit or delete ``item`` now, in plain words; None
        when they may. Facilitators always may (they moderate); participants
        change their own, visible items while the room is not paused and the
        item's phase is open (Workshop.open_for_changes)."""
        if self.can_moderate:
            return None
        if not self.owns(item):
            return f"You can only change your own {noun}s."
        closed = self.workshop.closed_reason()
        if closed:
            return closed
        if item.hidden:
            return f"The facilitator has hidden this {noun}, so it can no longer be changed."
        if self.workshop.locked:
            return (
                "The facilitator has paused contributions for a moment. "
                "Try again when the room reopens."
            )
        phase = PHASE_OF_MODEL.get(type(item))
        if phase is not None and not self.workshop.open_for_changes(phase):
            return (
                f"The {phase.label} phase is closed: the room has moved on to "
                f"{self.workshop.phase.label}, so its {noun}s stay as they are. "
                "Ask the facilitator if something needs changing."
            )
        return None

    def author_fields(self) -> dict:
        if self.can_moderate and self.facilitator is not None:
            return {"author_facilitator_id": self.facilitator.id}
        if self.participant is not None:
            return {"author_participant_id": self.participant.id}
        return {}


#: Built once (composing it cost more than running it): a workshop and the
#: participant a token names in it, if any.
_WORKSHOP_AND_PARTICIPANT = (
    db.select(Workshop, Participant)
    .outerjoin(
        Participant,
        (Participant.workshop_id == Workshop.id) & (Participant.token == db.bindparam("token")),
    )
    .where(Workshop.id == db.bindparam("workshop_id"))
)


def load_workshop(workshop_id: int) -> Workshop:
    """The workshop or a 404; deleted (trashed) workshops are gone for everyone.

    A browser that joined it gets its participant row in the same query (kept
    for :func:`joined_participant`): every phone request needs both, and one
    ORM query fewer is a tenth of a post (docs/benchmarks.md, fourth pass).
    """
    token = _joined_token(workshop_id)
    if token:
        row = db.session.execute(
            _WORKSHOP_AND_PARTICIPANT, {"workshop_id": workshop_id, "token": token}
        ).first()
        if row is None:
            abort(404)
        workshop, participant = row
        g.joined = (workshop_id, token, participant)
    else:
        workshop = db.get_or_404(Workshop, workshop_id)
    if workshop.deleted_at is not None:
        abort(404)
    return workshop


def _joined_token(workshop_id: int) -> str | None:
    """The participant token this browser's session holds for ``workshop_id``."""
    return (session.get(SESSION_KEY) or {}).get(str(workshop_id))


def get_in_workshop_or_404(model, item_id: int, workshop: Workshop, message: str | None = None):
    """The row of ``model`` with ``item_id`` if it belongs to ``workshop``; else a 404.

    Every id in a workshop's URLs goes through this, so a workshop's pages never
    reach another workshop's rows. ``message`` is the 404's readable reason.
    """
    item = db.session.get(model, item_id)
    if item is None or item.workshop_id != workshop.id:
        abort(404, message)  # None keeps the standard 404 wording
    return item


def joined_participant(workshop: Workshop) -> Participant | None:
    """The participant this browser joined ``workshop`` as, if any."""
    token = _joined_token(workshop.id)
    if not token:
        return None
    loaded = g.get("joined")
    if loaded is not None and loaded[:2] == (workshop.id, token):
        return loaded[2]  # read with the workshop by load_workshop
    participant = db.session.execute(
        db.select(Participant).filter_by(token=token, workshop_id=workshop.id)
    ).scalar_one_or_none()
    return participant


def remember_participant(participant: Participant) -> None:
    """Keep the participant's token in this browser's session (and give the
    browser its id, which the posting limit counts by across rejoins)."""
    browser_id()
    joined = dict(session.get(SESSION_KEY) or {})
    joined[str(participant.workshop_id)] = participant.token
    session[SESSION_KEY] = joined
    session.permanent = True


def actor_for(workshop: Workshop) -> Actor:
    """Work out who is asking, without refusing anyone yet."""
    cached = g.get("actor")
    if cached is not None and cached.workshop.id == workshop.id:
        return cached
    facilitator = current_user if current_user.is_authenticated else None
    role = workshop.role_of(facilitator) if facilitator else None
    participant = joined_participant(workshop)
    actor = Actor(workshop=workshop, facilitator=facilitator, participant=participant, role=role)
    g.actor = actor
    return actor


def require_member(workshop: Workshop) -> Actor:
    """A facilitator or joined participant of this workshop; others are turned away.

    Anonymous visitors go to the login page (facilitators) with a hint to join;
    people signed in elsewhere get a 403 that says why.
    """
    actor = actor_for(workshop)
    if actor.can_contribute:
        return actor
    if actor.facilitator is None and not session.get(SESSION_KEY):
        abort(redirect(url_for("auth.login", next=request.full_path)))
    if _joined_token(workshop.id):
        # This phone joined, but its token names nobody now: the facilitator removed them.
        abort(
            403,
            "You are no longer part of this workshop: the facilitator has removed you. "
            "If you think this is a mistake, ask them.",
        )
    abort(403, "You are not part of this workshop. Join it with its code, or ask its facilitator.")


def require_facilitator(workshop: Workshop) -> Actor:
    """Only the workshop's facilitators (and administrators)."""
    actor = actor_for(workshop)
    if actor.can_moderate:
        return actor
    if actor.facilitator is None:
        abort(redirect(url_for("auth.login", next=request.full_path)))
    abort(403, "Only this workshop's facilitators can do that.")


def require_reader(workshop: Workshop) -> Actor:
    """Facilitators and organisers (read-only report and exports)."""
    actor = actor_for(workshop)
    if actor.role in (Role.FACILITATOR, Role.ORGANISER):
        return actor
    if actor.facilitator is None:
        abort(redirect(url_for("auth.login", next=request.full_path)))
    abort(403, "Only this workshop's facilitators and organisers can see this.")

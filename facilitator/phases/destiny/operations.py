"""Destiny state changes: an action's status, and participants signing up to help."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ...access import Actor
from ...extensions import db
from ...models import ActionPoint, ActionSignup, ActionStatus, Participant, Phase, Workshop
from ...services.live import bump
from ..operations import Gone, lock_for_change, touch, writing

GONE_ACTION = (
    "That action was merged into another, or deleted, a moment ago. The list below is up to date."
)


class SignupRefused(Exception):
    """Raised with a message fit to show the participant."""


def set_status(workshop: Workshop, action: ActionPoint, status: ActionStatus) -> None:
    """Move an action along: proposed, agreed, in progress, done.

    :param workshop: the action's workshop.
    :param action: the action point.
    :param status: its new status.
    """
    action.status = status
    touch(workshop, action)


def signup_refusal(workshop: Workshop, actor: Actor) -> str | None:
    """Why this person cannot sign up for actions now, or None."""
    if actor.participant is None:
        if actor.can_moderate:
            return "Participants sign up here; join as a participant too if you want to help."
        return "Join the workshop first to sign up."
    if not workshop.is_open:
        return "This workshop is closed; ask its facilitator to add you."
    if workshop.phase != Phase.DESTINY:
        return f"Sign-ups open in the Destiny phase; the room is in {workshop.phase.label} now."
    if workshop.locked:
        return "The facilitator has paused the room for a moment. Try again soon."
    return None


def my_signups(actor: Actor) -> set[int]:
    """Ids of the actions this participant has signed up for."""
    if actor.participant is None:
        return set()
    return set(
        db.session.execute(
            db.select(ActionSignup.action_id).where(
                ActionSignup.participant_id == actor.participant.id
            )
        ).scalars()
    )


def toggle_signup(workshop: Workshop, actor: Actor, action: ActionPoint) -> bool:
    """Sign the participant up for ``action`` ("I will help"), or take the sign-up back.

    :returns: True when they are now signed up, False when they withdrew.
    :raises SignupRefused: when sign-ups are closed or the action is hidden.
    """
    refusal = signup_refusal(workshop, actor)
    if refusal:
        raise SignupRefused(refusal)
    if action.workshop_id != workshop.id or action.hidden:
        raise SignupRefused("That action is not open for sign-ups.")
    participant_id = actor.participant.id
    with writing():
        try:
            # The workshop first, as every change to its items, then the action as it is now.
            lock_for_change(workshop, action)
        except Gone:
            raise SignupRefused(GONE_ACTION) from None
        return _toggle_locked(workshop, action, participant_id)


def _toggle_locked(workshop: Workshop, action: ActionPoint, participant_id: int) -> bool:
    """:func:`toggle_signup` once the workshop is locked and the action re-read."""
    if action.hidden:
        raise SignupRefused("That action is not open for sign-ups.")
    existing = db.session.execute(
        db.select(ActionSignup).where(
            ActionSignup.action_id == action.id, ActionSignup.participant_id == participant_id
        )
    ).scalar_one_or_none()
    if existing is not None:
        db.session.delete(existing)
        bump(workshop, action)
        db.session.commit()
        return False
    db.session.add(ActionSignup(action_id=action.id, participant_id=participant_id))
    try:
        bump(workshop, action)
        db.session.commit()
    except IntegrityError:
        # A double tap raced us and already signed them up: that is what they wanted.
        db.session.rollback()
    return True


def helpers_by_action(workshop: Workshop) -> dict[int, list[str]]:
    """Who signed up for each of the workshop's actions, in sign-up order (one query)."""
    rows = db.session.execute(
        db.select(ActionSignup.action_id, Participant.display_name)
        .join(Participant, Participant.id == ActionSignup.participant_id)
        .join(ActionPoint, ActionPoint.id == ActionSignup.action_id)
        .where(ActionPoint.workshop_id == workshop.id)
        .order_by(ActionSignup.created_at, ActionSignup.id)
    ).all()
    helpers: dict[int, list[str]] = {}
    for action_id, name in rows:
        helpers.setdefault(action_id, []).append(name or "Anonymous")
    return helpers

"""Inviting co-facilitators by link: make, read, accept and withdraw invitations.

The link carries ``[invitation id, nonce]`` signed with the app's secret key
(itsdangerous). The row makes it single-use and revocable; the signature means
nobody can make a link from a guessed id, and a copy of the database (which
holds only the nonce) is not a copy of the links.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from ..core.urls import public_url_for
from ..extensions import db
from ..models import Facilitator, Invitation, Role, Workshop, WorkshopRole, utcnow

SALT = "workshop-invitation"
NOT_VALID = "This invitation link is not valid. Check it was copied whole."


class InvitationError(ValueError):
    """Why a link opens nothing, worded for the person holding it."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def token_for(invitation: Invitation) -> str:
    return _serializer().dumps([invitation.id, invitation.nonce])


def link_for(invitation: Invitation) -> str:
    """The absolute link to hand over (core.urls: the public address if set)."""
    return public_url_for("workshops.invitation", invite=token_for(invitation))


def create_invitation(workshop: Workshop, by: Facilitator, role: Role) -> Invitation:
    invitation = Invitation(workshop_id=workshop.id, role=role, created_by_id=by.id)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def pending_invitations(workshop: Workshop) -> list[Invitation]:
    rows = db.session.execute(
        db.select(Invitation)
        .where(
            Invitation.workshop_id == workshop.id,
            Invitation.accepted_at.is_(None),
            Invitation.withdrawn_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.id)
    ).scalars()
    return list(rows)


def withdraw(invitation: Invitation) -> None:
    if invitation.withdrawn_at is None and invitation.accepted_at is None:
        invitation.withdrawn_at = utcnow()
        db.session.commit()


def open_invitation(token: str) -> Invitation:
    """The pending invitation ``token`` names.

    :raises InvitationError: 404 for a link that was never valid, 410 for one
        used, withdrawn or expired (the person then asks for a new one).
    """
    try:
        invitation_id, nonce = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        raise InvitationError(NOT_VALID, 404) from None
    invitation = (
        db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    )
    if invitation is None or invitation.nonce != nonce or invitation.workshop.deleted_at:
        raise InvitationError(NOT_VALID, 404)
    if invitation.accepted_at is not None:
        raise InvitationError(
            "This invitation has been used already. Ask the facilitator for a new link.", 410
        )
    if invitation.withdrawn_at is not None:
        raise InvitationError(
            "This invitation was withdrawn. Ask the facilitator for a new link.", 410
        )
    if invitation.expired:
        raise InvitationError(
            "This invitation has expired. Ask the facilitator for a new link.", 410
        )
    return invitation


def accept(invitation: Invitation, person: Facilitator) -> WorkshopRole:
    """Use the invitation for ``person`` (once: two people opening one link at
    the same moment cannot both get in) and give them its role. A facilitator
    already there stays one (an organiser's link never lowers a role)."""
    now = utcnow()
    claimed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.withdrawn_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(accepted_at=now, accepted_by_id=person.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise InvitationError(
            "This invitation has just been used. Ask the facilitator for a new link.", 410
        )
    workshop = invitation.workshop
    membership = next((r for r in workshop.roles if r.facilitator_id == person.id), None)
    if membership is None:
        membership = WorkshopRole(facilitator=person, role=invitation.role)
        workshop.roles.append(membership)
    elif invitation.role == Role.FACILITATOR:
        membership.role = Role.FACILITATOR
    db.session.commit()
    return membership

"""Invitation links: a facilitator makes one on the workshop page and copies
it; whoever opens it logs in (or makes an account there) and joins the
workshop's team. No command line."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import get_in_workshop_or_404, load_workshop, require_facilitator
from ..auth.operations import AccountError, create_facilitator, log_in
from ..extensions import limiter
from ..forms import EmptyForm
from ..models import Invitation, Role
from . import bp
from .forms import InvitationForm, InvitedAccountForm
from .invitations import InvitationError, accept, create_invitation, open_invitation, withdraw


@bp.post("/<int:workshop_id>/invitations")
def invite(workshop_id: int):
    """Make a single-use invitation link; the workshop page lists it to copy."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    form = InvitationForm()
    if not form.validate_on_submit():
        abort(400)
    create_invitation(workshop, current_user, Role(form.role.data))
    flash("Invitation link made: copy it below and send it to the person you invite.", "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id) + "#invitations")


@bp.post("/<int:workshop_id>/invitations/<int:invitation_id>/withdraw")
def withdraw_invitation(workshop_id: int, invitation_id: int):
    """Withdraw a link not used yet: it then opens nothing."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    invitation = get_in_workshop_or_404(Invitation, invitation_id, workshop)
    if not EmptyForm().validate_on_submit():
        abort(400)
    withdraw(invitation)
    flash("Invitation withdrawn: that link no longer works.", "info")
    return redirect(url_for("workshops.show", workshop_id=workshop.id) + "#invitations")


def _refused(exc: InvitationError):
    return render_template("workshops/invitation.html", problem=str(exc)), exc.status


@bp.route("/invite/<invite>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def invitation(invite: str):
    """The link's page: accept when logged in; else log in, or make an account here."""
    try:
        invitation = open_invitation(invite)
    except InvitationError as exc:
        return _refused(exc)
    signup = InvitedAccountForm(prefix="account")
    if request.method == "POST":
        if current_user.is_authenticated:
            if not EmptyForm().validate_on_submit():
                abort(400)
            return _accept(invitation, current_user)
        if signup.validate_on_submit():
            try:
                person = create_facilitator(
                    signup.email.data, signup.password.data, name=signup.name.data or ""
                )
            except AccountError as exc:
                signup.email.errors.append(str(exc))
            else:
                log_in(person)
                return _accept(invitation, person)
    status = 422 if signup.errors else 200
    return (
        render_template(
            "workshops/invitation.html",
            invitation=invitation,
            signup=signup,
            accept_form=EmptyForm(),
            login_url=url_for("auth.login", next=request.path),
        ),
        status,
    )


def _accept(invitation: Invitation, person):
    try:
        membership = accept(invitation, person)
    except InvitationError as exc:
        return _refused(exc)
    role = "co-facilitator" if membership.role == Role.FACILITATOR else "organiser"
    flash(f"Welcome: you are now {role} of {invitation.workshop.title}.", "success")
    return redirect(url_for("workshops.show", workshop_id=invitation.workshop_id))

"""Join by code or QR link, pick a name and a table."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for

from ..access import joined_participant, load_workshop, remember_participant
from ..core.limits import count_wrong_code, guessing_stopped
from ..forms import EmptyForm, options
from ..models import normalise_join_code
from ..models.workshop import JOIN_CODE_LENGTH
from . import bp
from .forms import CodeForm, JoinForm
from .operations import closed_workshop_with, find_open_workshop, join
from .operations import remove_name as forget_name


def _phase_url(workshop) -> str:
    return url_for(f"{workshop.phase.value}.index", workshop_id=workshop.id)


TOO_MANY_CODES = (
    "Too many wrong codes were tried from this phone in the last minute. "
    "Wait a minute, check the code on the screen, then try again."
)
TOO_MANY_FROM_NETWORK = (
    "That code is not right, and very many wrong codes were tried from this network "
    "in the last minute. Check the code on the screen and try again in a minute."
)


def _code_form(code: str, message: str, status: int):
    """The code form again, with what was typed and why it led nowhere."""
    form = CodeForm(formdata=None, data={"code": code[:12]})
    # Not validated, so its errors are still an empty tuple: set them.
    form.code.errors = [message]
    response = make_response(render_template("participate/join.html", form=form), status)
    if status == 429:
        response.headers["Retry-After"] = "60"
    return response


def _unknown_code(code: str):
    """A code that led nowhere: counted against this phone and its address.

    404 with why (closed, or no such workshop); 429 once this phone, or the
    address for wrong codes, is past its limit (see core.limits).
    """
    if count_wrong_code():
        stopped_here = guessing_stopped()
        return _code_form(code, TOO_MANY_CODES if stopped_here else TOO_MANY_FROM_NETWORK, 429)
    return _code_form(code, _unknown_code_message(code), 404)


def _joined_closed_workshop(code: str):
    """A closed or archived workshop with this code that this phone has joined:
    its board stays readable to them."""
    workshop = closed_workshop_with(code) if len(code) == JOIN_CODE_LENGTH else None
    if workshop is not None and joined_participant(workshop) is not None:
        return workshop
    return None


def _unknown_code_message(code: str) -> str:
    """Why a code led nowhere: the workshop has closed, or no workshop has it."""
    if code and closed_workshop_with(code) is not None:
        return (
            f"The workshop with the code {code} has closed, so it takes no new participants. "
            "If the room shows a different code, type that one."
        )
    return f"No open workshop has the code {code}. Check the screen and try again."


@bp.route("/join", methods=["GET", "POST"])
def join_code():
    """Type the workshop code shown on the screen."""
    form = CodeForm()
    if form.validate_on_submit():
        if guessing_stopped():
            return _code_form(form.code.data, TOO_MANY_CODES, 429)
        workshop = find_open_workshop(form.code.data)
        if workshop is not None:
            return redirect(url_for("participate.join_workshop", code=workshop.join_code))
        joined = _joined_closed_workshop(form.code.data)
        if joined is not None:
            return redirect(_phase_url(joined))
        return _unknown_code(form.code.data)
    status = 422 if form.errors else 200
    return render_template("participate/join.html", form=form), status


@bp.route("/j/<code>", methods=["GET", "POST"])
def join_workshop(code: str):
    """Join the workshop behind a code (the QR code points here): name and table."""
    code = normalise_join_code(code)[:12]
    if guessing_stopped():
        return _code_form(code, TOO_MANY_CODES, 429)
    workshop = find_open_workshop(code)
    if workshop is None:
        joined = _joined_closed_workshop(code)
        if joined is not None:
            return redirect(_phase_url(joined))
        return _unknown_code(code)
    existing = joined_participant(workshop)
    if existing is not None:
        # Rejoining never creates a second participant.
        return redirect(_phase_url(workshop))
    form = JoinForm()
    form.group.choices = options((g.id, g.name) for g in workshop.groups)
    choose = workshop.group_assignment == "choose" and bool(workshop.groups)
    if not choose:
        del form.group
    if form.validate_on_submit():
        name = None if form.anonymous.data else (form.name.data or None)
        participant = join(workshop, name, form.group.data if choose else None)
        remember_participant(participant)
        welcome = f"Welcome{', ' + participant.display_name if participant.display_name else ''}!"
        if participant.group is not None:
            where = f"You are at {participant.group.name}."
        elif workshop.groups:
            where = "The facilitator will seat you at a table soon."
        else:
            where = "You are writing for the whole room."
        flash(f"{welcome} {where}", "success")
        return redirect(_phase_url(workshop))
    status = 422 if form.errors else 200
    return render_template("participate/welcome.html", form=form, workshop=workshop), status


@bp.route("/w/<int:workshop_id>/me/remove-name", methods=["POST"])
def remove_name(workshop_id: int):
    """Take my name off everything I wrote here (it shows "Anonymous" instead)."""
    workshop = load_workshop(workshop_id)
    participant = joined_participant(workshop)
    if participant is None:
        abort(403, "Only people who joined this workshop can change their name here.")
    if not EmptyForm().validate_on_submit():
        abort(400)
    forget_name(workshop, participant)
    flash("Your name is removed: what you wrote now shows as Anonymous.", "success")
    return redirect(_phase_url(workshop))

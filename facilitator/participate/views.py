"""Join by code or QR link, pick a name and a table."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for

from ..access import joined_participant, load_workshop, remember_participant
from ..extensions import limiter
from ..forms import EmptyForm, options
from ..models import normalise_join_code
from . import bp
from .forms import CodeForm, JoinForm
from .operations import closed_workshop_with, find_open_workshop, join
from .operations import remove_name as forget_name


def _phase_url(workshop) -> str:
    return url_for(f"{workshop.phase.value}.index", workshop_id=workshop.id)


def _only_failures(response) -> bool:
    # A whole room joins from one venue IP: only wrong codes count towards the limit.
    return response.status_code == 404


TOO_MANY_CODES = (
    "Too many wrong codes were tried from this network in the last minute. "
    "Wait a minute, check the code on the screen, then try again."
)


def _too_many_codes(_limit):
    """Guessing codes is stopped: the code form again, with what was typed."""
    if request.endpoint == "participate.join_workshop":
        form = CodeForm(
            formdata=None, data={"code": (request.view_args or {}).get("code", "")[:12]}
        )
    else:
        form = CodeForm()
    form.code.errors = [TOO_MANY_CODES]
    return make_response(render_template("participate/join.html", form=form), 429)


def join_code_limit(**kwargs):
    """Wrong codes, counted per address across both join routes (typed or QR link)."""
    return limiter.shared_limit(
        "20 per minute",
        scope="join-code",
        deduct_when=_only_failures,
        on_breach=_too_many_codes,
        **kwargs,
    )


def _unknown_code_message(code: str) -> str:
    """Why a code led nowhere: the workshop has closed, or no workshop has it."""
    if code and closed_workshop_with(code) is not None:
        return (
            f"The workshop with the code {code} has closed, so it takes no new participants. "
            "If the room shows a different code, type that one."
        )
    return f"No open workshop has the code {code}. Check the screen and try again."


@bp.route("/join", methods=["GET", "POST"])
@join_code_limit(methods=["POST"])
def join_code():
    """Type the workshop code shown on the screen."""
    form = CodeForm()
    if form.validate_on_submit():
        workshop = find_open_workshop(form.code.data)
        if workshop is not None:
            return redirect(url_for("participate.join_workshop", code=workshop.join_code))
        form.code.errors.append(_unknown_code_message(form.code.data))
        return render_template("participate/join.html", form=form), 404
    status = 422 if form.errors else 200
    return render_template("participate/join.html", form=form), status


@bp.route("/j/<code>", methods=["GET", "POST"])
@join_code_limit()
def join_workshop(code: str):
    """Join the workshop behind a code (the QR code points here): name and table."""
    workshop = find_open_workshop(normalise_join_code(code))
    if workshop is None:
        form = CodeForm(data={"code": normalise_join_code(code)[:12]})
        # Not validated, so its errors are still an empty tuple: set them.
        form.code.errors = [_unknown_code_message(normalise_join_code(code)[:12])]
        return render_template("participate/join.html", form=form), 404
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
        group = participant.group.name if participant.group else "the whole room"
        flash(
            f"Welcome{', ' + participant.display_name if participant.display_name else ''}! You are at {group}.",
            "success",
        )
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

"""Destiny routes: the action plan."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for

from ...access import get_in_workshop_or_404, load_workshop, require_facilitator, require_member
from ...extensions import db
from ...forms import EmptyForm, options
from ...models import ActionPoint, ActionStatus, DesignElement, Phase
from ..common import PhaseSpec, is_htmx, register_contribution_routes
from ..forms_util import apply_group, prepare_group, shorten, statement_choices
from . import bp
from .forms import ActionForm, StatusForm
from .operations import (
    GONE_ACTION,
    SignupRefused,
    helpers_by_action,
    my_signups,
    set_status,
    signup_refusal,
    toggle_signup,
)


def design_choices(workshop) -> list[tuple[int, str]]:
    designs = db.session.execute(
        db.select(DesignElement)
        .where(DesignElement.workshop_id == workshop.id, DesignElement.hidden.is_(False))
        .order_by(DesignElement.id)
    ).scalars()
    return options([(0, "— none —")] + [(d.id, shorten(d.text)) for d in designs])


def prepare(form, workshop, actor):
    prepare_group(form, workshop, actor)
    form.statement.choices = statement_choices(workshop)
    form.design.choices = design_choices(workshop)


def apply(item, form, workshop, actor):
    item.action = form.action.data
    item.owner = form.owner.data or ""
    item.due_on = form.due_on.data
    item.first_step = form.first_step.data or ""
    item.statement_id = form.statement.data or None
    item.design_id = form.design.data or None
    item.status = ActionStatus(form.status.data)
    apply_group(item, form, actor)


def context(workshop, actor):
    return {
        "helpers": helpers_by_action(workshop),
        "my_signups": my_signups(actor),
        "signup_refusal": signup_refusal(workshop, actor),
        "statuses": list(ActionStatus),
    }


SPEC = PhaseSpec(
    phase=Phase.DESTINY,
    model=ActionPoint,
    form_class=ActionForm,
    noun="action",
    apply_form=apply,
    prepare_form=prepare,
    board_context=context,
    item_context=context,  # an action's status select and sign-ups need all of it
)
register_contribution_routes(bp, SPEC)


def _load_action(workshop, item_id: int) -> ActionPoint:
    return get_in_workshop_or_404(
        ActionPoint, item_id, workshop, "That action is not part of this workshop."
    )


def _done(workshop, actor, message: str, anchor: str):
    if is_htmx():
        return SPEC.render_board(workshop, actor, notice=message)
    flash(message, "success")
    return redirect(url_for("destiny.index", workshop_id=workshop.id) + anchor)


@bp.route("/<int:item_id>/status", methods=["POST"])
def status(workshop_id: int, item_id: int):
    """Change an action's status from the board (facilitators)."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    action = _load_action(workshop, item_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return SPEC.render_board(
            workshop, actor, status=422, notice="Pick one of the listed statuses."
        )
    set_status(workshop, action, ActionStatus(form.status.data))
    return _done(
        workshop,
        actor,
        f"“{shorten(action.action, 60)}” is {action.status.label.lower()}.",
        f"#destiny-{action.id}",
    )


@bp.route("/<int:item_id>/signup", methods=["POST"])
def signup(workshop_id: int, item_id: int):
    """Say "I will help" with an action, or take it back."""
    workshop = load_workshop(workshop_id)
    actor = require_member(workshop)
    if db.session.get(ActionPoint, item_id) is None:
        # On their screen a moment ago: merged into another or deleted since.
        return SPEC.render_board(workshop, actor, status=409, notice=GONE_ACTION)
    action = _load_action(workshop, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    action_id = action.id
    try:
        joined = toggle_signup(workshop, actor, action)
    except SignupRefused as exc:
        if db.session.get(ActionPoint, action_id) is None:
            # Merged or deleted meanwhile: no sign-up block left to show, the board.
            return SPEC.render_board(workshop, actor, status=409, notice=str(exc))
        return _signup_response(workshop, actor, action, str(exc), 409)
    message = "Thank you: you are down to help." if joined else "You are no longer down to help."
    if db.session.get(ActionPoint, action_id) is None:
        # Merged into another just after: the sign-up went with it; show the board.
        return SPEC.render_board(workshop, actor, notice=message)
    if is_htmx():
        return _signup_response(workshop, actor, action, message)
    return _done(workshop, actor, message, f"#destiny-{action.id}")


def _signup_response(workshop, actor, action, message: str, status: int = 200):
    """htmx gets this action's sign-up block alone; a full-page post gets the board."""
    if not is_htmx():
        return SPEC.render_board(workshop, actor, status=status, notice=message)
    html = render_template(
        "destiny/_signups.html",
        workshop=workshop,
        actor=actor,
        item=action,
        notice=message,
        notice_kind="error" if status >= 400 else "success",
        **context(workshop, actor),
    )
    response = make_response(html, status)
    response.vary.add("HX-Request")
    return response

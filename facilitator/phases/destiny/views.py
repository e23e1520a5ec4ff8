"""Destiny routes: the action plan."""

from __future__ import annotations

from ...extensions import db
from ...forms import options
from ...models import ActionPoint, ActionStatus, DesignElement, Phase
from ..common import PhaseSpec, register_contribution_routes
from ..forms_util import apply_group, prepare_group, shorten, statement_choices
from . import bp
from .forms import ActionForm


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


SPEC = PhaseSpec(
    phase=Phase.DESTINY,
    model=ActionPoint,
    form_class=ActionForm,
    noun="action",
    apply_form=apply,
    prepare_form=prepare,
)
register_contribution_routes(bp, SPEC)

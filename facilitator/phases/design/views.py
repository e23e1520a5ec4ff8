"""Design routes: practices, policies and structures for each statement."""

from __future__ import annotations

from ...models import DesignElement, DesignKind, Phase
from ..common import PhaseSpec, register_contribution_routes
from ..dream.operations import statements_of
from ..forms_util import apply_group, prepare_group, statement_choices
from . import bp
from .forms import DesignForm


def prepare(form, workshop, actor):
    prepare_group(form, workshop, actor)
    form.statement.choices = statement_choices(workshop)


def apply(item, form, workshop, actor):
    item.text = form.text.data
    item.kind = DesignKind(form.kind.data)
    item.who_involved = form.who_involved.data or ""
    item.statement_id = form.statement.data or None
    apply_group(item, form, actor)


def context(workshop, actor):
    return {"statements": statements_of(workshop)}


SPEC = PhaseSpec(
    phase=Phase.DESIGN,
    model=DesignElement,
    form_class=DesignForm,
    noun="design idea",
    apply_form=apply,
    prepare_form=prepare,
    board_context=context,
)
register_contribution_routes(bp, SPEC)

"""Dream routes: mission statements by group."""

from __future__ import annotations

from ...forms import options
from ...models import MissionStatement, Phase
from ..common import PhaseSpec, register_contribution_routes
from ..discovery.operations import set_statement_themes, themes_of
from ..forms_util import apply_group, prepare_group
from . import bp
from .forms import StatementForm


def prepare(form, workshop, actor):
    prepare_group(form, workshop, actor)
    # Everyone may say which themes a statement grows from.
    form.themes.choices = options((t.id, t.name) for t in themes_of(workshop))


def apply(item, form, workshop, actor):
    item.text = form.text.data
    apply_group(item, form, actor)
    set_statement_themes(item, form.themes.data or [], workshop)


def context(workshop, actor):
    return {"themes": themes_of(workshop)}


SPEC = PhaseSpec(
    phase=Phase.DREAM,
    model=MissionStatement,
    form_class=StatementForm,
    noun="statement",
    apply_form=apply,
    prepare_form=prepare,
    board_context=context,
)
register_contribution_routes(bp, SPEC)

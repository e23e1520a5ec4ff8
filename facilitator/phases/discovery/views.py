"""Discovery routes: stories by group, and the themes they cluster into."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ...access import load_workshop, require_facilitator
from ...extensions import db
from ...forms import EmptyForm, options
from ...models import Example, Phase, Theme
from ..common import PhaseSpec, register_contribution_routes
from ..forms_util import apply_group, prepare_group
from ..operations import delete_contribution, touch
from . import bp
from .forms import ExampleForm, ThemeForm
from .operations import create_theme, set_example_themes, themes_of


def prepare(form, workshop, actor):
    prepare_group(form, workshop, actor)
    if actor.can_moderate:
        form.themes.choices = options((t.id, t.name) for t in themes_of(workshop))
    else:
        # Clustering stories into themes is the facilitator's job.
        del form.themes


def apply(item, form, workshop, actor):
    item.title = form.title.data
    item.story = form.story.data or ""
    item.what_worked = form.what_worked.data or ""
    item.place = form.place.data or ""
    apply_group(item, form, actor)
    if actor.can_moderate:
        set_example_themes(item, form.themes.data or [], workshop)


def context(workshop, actor):
    return {
        "themes": themes_of(workshop, include_hidden=actor.can_moderate),
        "theme_form": ThemeForm(),
    }


SPEC = PhaseSpec(
    phase=Phase.DISCOVERY,
    model=Example,
    form_class=ExampleForm,
    noun="story",
    apply_form=apply,
    prepare_form=prepare,
    board_context=context,
)
register_contribution_routes(bp, SPEC)


@bp.route("/themes", methods=["GET", "POST"])
def themes(workshop_id: int):
    """The positive core: themes and the stories behind each (facilitators add themes)."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    form = ThemeForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            create_theme(
                workshop, form.name.data, form.description.data or "", **actor.author_fields()
            )
            flash("Theme added.", "success")
            return redirect(url_for("discovery.themes", workshop_id=workshop.id))
        status = 422
    return (
        render_template(
            "discovery/themes.html",
            workshop=workshop,
            actor=actor,
            phase=Phase.DISCOVERY,
            form=form,
            themes=themes_of(workshop, include_hidden=True),
            action_form=EmptyForm(),
        ),
        status,
    )


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
def edit_theme(workshop_id: int, theme_id: int):
    """Rename or describe a theme."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    theme = db.get_or_404(Theme, theme_id)
    if theme.workshop_id != workshop.id:
        abort(404)
    form = ThemeForm(obj=theme)
    status = 200
    if form.is_submitted():
        if form.validate():
            theme.name = form.name.data
            theme.description = form.description.data or ""
            touch(workshop)
            flash("Theme updated.", "success")
            return redirect(url_for("discovery.themes", workshop_id=workshop.id))
        status = 422
    return (
        render_template(
            "discovery/theme_edit.html",
            workshop=workshop,
            actor=actor,
            phase=Phase.DISCOVERY,
            form=form,
            theme=theme,
        ),
        status,
    )


@bp.route("/themes/<int:theme_id>/delete", methods=["POST"])
def delete_theme(workshop_id: int, theme_id: int):
    """Delete a theme; its stories stay, unlinked."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    theme = db.get_or_404(Theme, theme_id)
    if theme.workshop_id != workshop.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    delete_contribution(workshop, theme)
    flash("Theme deleted; its stories are kept.", "info")
    return redirect(url_for("discovery.themes", workshop_id=workshop.id))

"""Discovery routes: stories by group, and the themes they cluster into."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ...access import get_in_workshop_or_404, load_workshop, require_facilitator, require_member
from ...forms import EmptyForm, options
from ...models import Example, Phase, Theme
from ...services.inquiry import inquiry_panel
from ..common import PhaseSpec, is_htmx, register_contribution_routes, render_page_or_fragment
from ..forms_util import apply_group, prepare_group
from ..operations import delete_contribution, touch
from . import bp
from .forms import ClusterForm, ExampleForm, InterviewGuideForm, ThemeForm
from .operations import (
    cluster_example,
    create_theme,
    examples_of,
    has_own_interview_questions,
    interview_questions,
    set_example_themes,
    set_interview_questions,
    themes_of,
)


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
    elif item.id is None:
        item.themes = []  # a new story has none: its template need not ask the database


def context(workshop, actor):
    return {
        "themes": themes_of(workshop, include_hidden=actor.can_moderate),
        "theme_form": ThemeForm(),
        "interview_questions": interview_questions(workshop),
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


def _cluster_forms(workshop, examples, themes) -> dict[int, ClusterForm]:
    """One small theme-picking form per story (prefixed so their fields stay apart)."""
    choices = options((t.id, t.name) for t in themes)
    forms = {}
    for example in examples:
        form = ClusterForm(prefix=f"ex{example.id}", formdata=None)
        form.themes.choices = choices
        form.themes.data = [t.id for t in example.themes]
        forms[example.id] = form
    return forms


def _themes_page(workshop, actor, form=None, status=200, notice=None, notice_kind="success"):
    themes = themes_of(workshop, include_hidden=True, with_examples=True)
    examples = examples_of(workshop)
    # The whole page (not an htmx swap of the board) shows the earlier workshops' core.
    earlier = {} if is_htmx() else inquiry_panel(workshop, actor.can_moderate)
    return render_page_or_fragment(
        "discovery/themes.html",
        "discovery/_cluster.html",
        status,
        workshop=workshop,
        actor=actor,
        phase=Phase.DISCOVERY,
        form=form or ThemeForm(),
        themes=themes,
        examples=examples,
        unclustered=[e for e in examples if not e.themes],
        cluster_forms=_cluster_forms(workshop, examples, themes),
        action_form=EmptyForm(),
        notice=notice,
        notice_kind=notice_kind,
        **earlier,
    )


@bp.route("/themes", methods=["GET", "POST"])
def themes(workshop_id: int):
    """The positive core: cluster the stories into themes (facilitators add themes)."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    form = ThemeForm()
    if form.is_submitted():
        if form.validate():
            create_theme(
                workshop, form.name.data, form.description.data or "", **actor.author_fields()
            )
            flash("Theme added.", "success")
            return redirect(url_for("discovery.themes", workshop_id=workshop.id))
        return _themes_page(workshop, actor, form, status=422)
    return _themes_page(workshop, actor, form)


@bp.route("/<int:item_id>/themes", methods=["POST"])
def cluster(workshop_id: int, item_id: int):
    """Put a story into the themes ticked (or the one it was dragged onto)."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    example = get_in_workshop_or_404(
        Example, item_id, workshop, "That story is not part of this workshop."
    )
    form = ClusterForm(prefix=f"ex{example.id}")
    form.themes.choices = options((t.id, t.name) for t in themes_of(workshop, include_hidden=True))
    if not form.validate_on_submit():
        return _themes_page(
            workshop,
            actor,
            status=422,
            notice="Pick themes of this workshop; that one is gone or belongs elsewhere. "
            "The page now shows the current themes.",
            notice_kind="error",
        )
    cluster_example(workshop, example, form.themes.data or [])
    names = ", ".join(t.name for t in example.themes) or "no theme"
    message = f"“{example.title}” is now in: {names}."
    if is_htmx():
        return _themes_page(workshop, actor, notice=message)
    flash(message, "success")
    return redirect(url_for("discovery.themes", workshop_id=workshop.id) + f"#story-{example.id}")


@bp.route("/guide", methods=["GET", "POST"])
def guide(workshop_id: int):
    """The paired appreciative interview guide: everyone reads it, facilitators edit it."""
    workshop = load_workshop(workshop_id)
    actor = require_member(workshop)
    form = None
    status = 200
    if actor.can_moderate:
        form = InterviewGuideForm()
        if request.method == "GET":
            form.questions.data = "\n".join(interview_questions(workshop))
        elif form.validate_on_submit():
            set_interview_questions(workshop, (form.questions.data or "").splitlines())
            flash("The interview guide is saved.", "success")
            return redirect(url_for("discovery.guide", workshop_id=workshop.id))
        else:
            status = 422
    elif request.method == "POST":
        abort(403, "Only this workshop's facilitators can change the interview guide.")
    return (
        render_template(
            "discovery/guide.html",
            workshop=workshop,
            actor=actor,
            phase=Phase.DISCOVERY,
            form=form,
            interview_questions=interview_questions(workshop),
            customised=has_own_interview_questions(workshop),
        ),
        status,
    )


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
def edit_theme(workshop_id: int, theme_id: int):
    """Rename or describe a theme."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    theme = get_in_workshop_or_404(Theme, theme_id, workshop)
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
    theme = get_in_workshop_or_404(Theme, theme_id, workshop)
    if not EmptyForm().validate_on_submit():
        abort(400)
    delete_contribution(workshop, theme)
    flash("Theme deleted; its stories are kept.", "info")
    return redirect(url_for("discovery.themes", workshop_id=workshop.id))

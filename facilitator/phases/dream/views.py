"""Dream routes: mission statements by group, and the dot vote on them."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for

from ...access import get_in_workshop_or_404, load_workshop, require_member
from ...extensions import db
from ...forms import EmptyForm, options
from ...models import MissionStatement, Phase
from ..common import PhaseSpec, is_htmx, items_for, register_contribution_routes
from ..discovery.operations import set_statement_themes, themes_of
from ..forms_util import apply_group, prepare_group
from . import bp
from .forms import StatementForm
from .operations import (
    GONE_STATEMENT,
    VoteRefused,
    cast_vote,
    dots_left,
    my_votes,
    statements_of,
    vote_counts,
    voting_refusal,
    withdraw_vote,
)


def prepare(form, workshop, actor):
    prepare_group(form, workshop, actor)
    # Everyone may say which themes a statement grows from.
    form.themes.choices = options((t.id, t.name) for t in themes_of(workshop))


def apply(item, form, workshop, actor):
    item.text = form.text.data
    apply_group(item, form, actor)
    set_statement_themes(item, form.themes.data or [], workshop)


def context(workshop, actor):
    counts = vote_counts(workshop)
    mine = my_votes(actor.participant)
    everything = statements_of(workshop, include_hidden=True)
    statements = [s for s in everything if not s.hidden]
    results = sorted(
        ((s, counts.get(s.id, 0) + s.seed_votes) for s in statements),
        key=lambda pair: (-pair[1], pair[0].id),
    )
    return {
        "themes": themes_of(workshop),
        "vote_counts": counts,
        "my_votes": mine,
        "dots_total": workshop.dots_per_participant,
        "dots_left": dots_left(workshop, actor.participant),
        "voting_refusal": voting_refusal(workshop, actor),
        "results": [pair for pair in results if pair[1] > 0],
        # Everyone votes on the whole room's statements, not only their table's;
        # a statement hidden after you put dots on it stays, so you can take them back.
        "ballot": [
            (s, counts.get(s.id, 0) + s.seed_votes)
            for s in everything
            if not s.hidden or mine.get(s.id)
        ],
    }


SPEC = PhaseSpec(
    phase=Phase.DREAM,
    model=MissionStatement,
    form_class=StatementForm,
    noun="statement",
    apply_form=apply,
    prepare_form=prepare,
    board_context=context,
    # The author's ballot gains their new statement at once.
    after_post=lambda workshop, actor: render_template(
        "dream/_dot_vote.html", workshop=workshop, actor=actor, oob=True, **context(workshop, actor)
    ),
    item_context=lambda workshop, actor: {
        "vote_counts": vote_counts(workshop),
        "my_votes": my_votes(actor.participant),
    },
)
register_contribution_routes(bp, SPEC)


def _respond(workshop, actor, status: int = 200, notice: str | None = None):
    """htmx gets the dot-vote panel alone (the compose box and its half-typed text
    stay untouched); a full-page post gets the whole page."""
    if is_htmx():
        kind = "error" if status >= 400 else "success"
        extra = context(workshop, actor)
        html = render_template(
            "dream/_dot_vote.html",
            workshop=workshop,
            actor=actor,
            notice=notice,
            notice_kind=kind,
            **extra,
        )
        # The counts on the statements this screen shows, swapped in out of band.
        for item in items_for(SPEC, workshop, actor):
            html += render_template("dream/_votes.html", item=item, oob=True, **extra)
        response = make_response(html, status)
        response.vary.add("HX-Request")
        return response
    return SPEC.render_board(workshop, actor, status=status, notice=notice)


def _vote_view(workshop_id: int, item_id: int, change, done: str):
    workshop = load_workshop(workshop_id)
    actor = require_member(workshop)
    if db.session.get(MissionStatement, item_id) is None:
        # On their screen a moment ago: merged into another or deleted since.
        return _respond(workshop, actor, 409, GONE_STATEMENT)
    statement = get_in_workshop_or_404(
        MissionStatement, item_id, workshop, "That statement is not part of this workshop."
    )
    if not EmptyForm().validate_on_submit():
        abort(400, "Your page is out of date; reload it and try again.")
    try:
        change(workshop, actor, statement)
    except VoteRefused as exc:
        return _respond(workshop, actor, 409, str(exc))
    if is_htmx():
        return _respond(workshop, actor)
    flash(done, "success")
    return redirect(url_for("dream.index", workshop_id=workshop.id) + f"#ballot-{statement.id}")


@bp.route("/<int:item_id>/vote", methods=["POST"])
def vote(workshop_id: int, item_id: int):
    """Put one of your dots on a statement (refused with a message when none are left)."""
    return _vote_view(workshop_id, item_id, cast_vote, "Your dot is on the statement.")


@bp.route("/<int:item_id>/unvote", methods=["POST"])
def unvote(workshop_id: int, item_id: int):
    """Take one of your dots back from a statement."""
    return _vote_view(workshop_id, item_id, withdraw_vote, "You took a dot back.")

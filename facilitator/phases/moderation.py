"""Moderation shared by all four phases: move an item to another group, and merge
a duplicate into the item it repeats (its votes, theme links, sign-ups and the
designs and actions that point at it follow the kept item).

One implementation for every phase: the routes are added to each phase's
blueprint by :func:`facilitator.phases.common.register_contribution_routes`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..access import load_workshop, require_facilitator
from ..core.converters import MAX_ID
from ..core.templating import is_htmx
from ..extensions import db
from ..forms import GroupField
from ..models import (
    ActionPoint,
    ActionSignup,
    DesignElement,
    Example,
    MissionStatement,
    Vote,
    Workshop,
)
from ..services.live import bump
from .operations import Gone, gone_message, lock_for_change, writing


class ModerationError(ValueError):
    """Raised with a message fit to show the facilitator."""


class MoveForm(FlaskForm):
    group = GroupField("Move to")


class MergeForm(FlaskForm):
    into = IntegerField(
        "Merge into",
        validators=[
            InputRequired("Pick the item this one duplicates."),
            # No id is larger (core.converters): a bigger number would reach the database.
            NumberRange(1, MAX_ID, "Pick the item this one duplicates."),
        ],
    )
    keep_text = BooleanField("Keep both texts")


def move_to_group(workshop: Workshop, item, group_id: int | None) -> None:
    """Move a contribution to another group (table), or to the whole room.

    :param workshop: the item's workshop.
    :param item: any phase's contribution.
    :param group_id: one of the workshop's groups, or ``None`` for the whole room.
    :raises ModerationError: when the group belongs to another workshop.
    """
    if group_id is not None and group_id not in {g.id for g in workshop.groups}:
        raise ModerationError("That group is not part of this workshop.")
    with writing():
        lock_for_change(workshop, item)
        item.group_id = group_id
        bump(workshop)
        db.session.commit()


def _join(first: str, second: str, sep: str = "\n\n") -> str:
    first, second = (first or "").strip(), (second or "").strip()
    if not second or second == first:
        return first
    return f"{first}{sep}{second}" if first else second


def _combine_text(target, source, keep_text: bool) -> None:
    """Fill the kept item's blanks from the duplicate; with ``keep_text``, keep both texts."""
    if isinstance(target, Example):
        if keep_text:
            told = source.title + (f"\n{source.story}" if source.story else "")
            target.story = _join(target.story, told)
            target.what_worked = _join(target.what_worked, source.what_worked)
        else:
            target.story = target.story or source.story
            target.what_worked = target.what_worked or source.what_worked
        target.place = target.place or source.place
    elif isinstance(target, MissionStatement):
        if keep_text:
            target.text = _join(target.text, source.text)
    elif isinstance(target, DesignElement):
        if keep_text:
            target.text = _join(target.text, source.text)
            target.who_involved = _join(target.who_involved, source.who_involved, "; ")
        else:
            target.who_involved = target.who_involved or source.who_involved
        target.statement_id = target.statement_id or source.statement_id
    elif isinstance(target, ActionPoint):
        if keep_text:
            target.action = _join(target.action, source.action)
            target.first_step = _join(target.first_step, source.first_step)
        else:
            target.first_step = target.first_step or source.first_step
        target.owner = target.owner or source.owner
        target.due_on = target.due_on or source.due_on
        target.statement_id = target.statement_id or source.statement_id
        target.design_id = target.design_id or source.design_id
    if keep_text and source.source:
        target.source = _join(target.source, source.source, " · ")


def merge_items(workshop: Workshop, target, source, *, keep_text: bool = False) -> None:
    """Merge the duplicate ``source`` into ``target`` (same workshop, same phase), then
    delete ``source``.

    What pointed at the duplicate follows the kept item: dot votes (and seeded
    tallies) and theme links of statements, theme links of stories, designs and
    actions that serve a statement or follow a design, sign-ups on actions, and
    statements carried forward from it.

    :param workshop: the workshop both items belong to.
    :param target: the item that stays (A).
    :param source: the duplicate that goes (B).
    :param keep_text: append B's text to A's instead of dropping it.
    :raises ModerationError: for items of different phases or workshops, or A is B.
    :raises Gone: when either was deleted or merged away meanwhile (two
        facilitators merging A into B and B into A at once: the second finds
        its item gone, and both texts live on in the first's kept item).
    """
    if type(target) is not type(source):
        raise ModerationError("Only items of the same phase can be merged.")
    if target.workshop_id != workshop.id or source.workshop_id != workshop.id:
        raise ModerationError("Both items must belong to this workshop.")
    if target.id == source.id:
        raise ModerationError("An item cannot be merged into itself; pick its duplicate.")
    with writing():
        lock_for_change(workshop, target, source)
        _merge_locked(workshop, target, source, keep_text)


def _merge_locked(workshop: Workshop, target, source, keep_text: bool) -> None:
    """:func:`merge_items` once the workshop is locked and both items re-read."""
    _combine_text(target, source, keep_text)
    if hasattr(target, "themes"):
        target.themes = list(target.themes) + [t for t in source.themes if t not in target.themes]
    db.session.flush()

    a, b = target.id, source.id
    execute = db.session.execute
    if isinstance(target, MissionStatement):
        target.seed_votes = (target.seed_votes or 0) + (source.seed_votes or 0)
        execute(db.update(Vote).where(Vote.statement_id == b).values(statement_id=a))
        for model in (DesignElement, ActionPoint):
            execute(db.update(model).where(model.statement_id == b).values(statement_id=a))
        # Later workshops' copies of the duplicate now descend from the kept statement.
        execute(
            db.update(MissionStatement).where(MissionStatement.origin_id == b).values(origin_id=a)
        )
    elif isinstance(target, DesignElement):
        execute(db.update(ActionPoint).where(ActionPoint.design_id == b).values(design_id=a))
    elif isinstance(target, ActionPoint):
        already = db.select(ActionSignup.participant_id).where(ActionSignup.action_id == a)
        execute(
            db.delete(ActionSignup).where(
                ActionSignup.action_id == b, ActionSignup.participant_id.in_(already)
            )
        )
        execute(db.update(ActionSignup).where(ActionSignup.action_id == b).values(action_id=a))
    db.session.flush()
    # The bulk updates moved rows the session may hold in collections: reload them.
    db.session.expire_all()
    db.session.delete(db.session.get(type(source), b))
    bump(workshop)
    db.session.commit()


def item_label(item) -> str:
    """A short text naming a contribution of any phase (for pickers)."""
    text = getattr(item, "title", None) or getattr(item, "text", None) or item.action
    return text if len(text) <= 70 else text[:69].rstrip() + "…"


def register_moderation_routes(bp: Blueprint, spec, load_item: Callable) -> None:
    """Add the move and merge routes for ``spec``'s contributions to ``bp``.

    ``load_item(workshop, item_id)`` finds the item to change: a 404 for another
    workshop's, :class:`Gone` for one that is no longer there (merged or
    deleted by someone else a moment ago: a 409 that says so).
    """
    folder = spec.folder

    def done(workshop, actor, message: str):
        if is_htmx():
            return spec.render_board(workshop, actor, notice=message)
        flash(message, "success")
        return redirect(url_for(f"{folder}.index", workshop_id=workshop.id))

    def refuse(workshop, actor, message: str, status: int):
        return spec.render_board(workshop, actor, status=status, notice=message)

    def move(workshop_id: int, item_id: int):
        workshop = load_workshop(workshop_id)
        actor = require_facilitator(workshop)
        try:
            item = load_item(workshop, item_id)
        except Gone:
            return refuse(workshop, actor, gone_message(spec.noun), 409)
        form = MoveForm()
        form.group.set_groups(workshop.groups)
        if not form.validate_on_submit():
            return refuse(workshop, actor, "Pick one of this workshop's groups to move it to.", 422)
        group_id = form.group.data or None
        # Named now: once saved, the item may be merged away by someone else.
        where = next((g.name for g in workshop.groups if g.id == group_id), "the whole room")
        try:
            move_to_group(workshop, item, group_id)
        except ModerationError as exc:
            return refuse(workshop, actor, str(exc), 422)
        except Gone:
            return refuse(workshop, actor, gone_message(spec.noun), 409)
        return done(workshop, actor, f"Moved the {spec.noun} to {where}.")

    def merge(workshop_id: int, item_id: int):
        workshop = load_workshop(workshop_id)
        actor = require_facilitator(workshop)
        try:
            source = load_item(workshop, item_id)
            form = MergeForm()
            if not form.validate_on_submit():
                return refuse(
                    workshop, actor, f"Pick the {spec.noun} this one duplicates to merge it.", 422
                )
            target = db.session.get(spec.model, form.into.data)
            if target is None:
                raise Gone(None)
            if target.workshop_id != workshop.id:
                abort(
                    404,
                    f"There is no {spec.noun} {form.into.data} in this workshop's "
                    f"{spec.phase.label} phase to merge into. Items merge only within one "
                    "phase of one workshop.",
                )
            label = item_label(target)  # now: the kept item may be merged on by someone else
            merge_items(workshop, target, source, keep_text=form.keep_text.data)
        except ModerationError as exc:
            abort(400, str(exc))
        except Gone:
            return refuse(
                workshop,
                actor,
                f"Nothing was merged: one of the two {spec.noun}s is no longer there (someone "
                "else deleted it, or merged it into another, a moment ago; or its number is "
                "mistyped). The board below is up to date.",
                409,
            )
        return done(workshop, actor, f"Merged the duplicate into “{label}”.")

    move.__doc__ = f"Move a {spec.noun} to another group (facilitators)."
    merge.__doc__ = f"Merge a duplicate {spec.noun} into the one it repeats (facilitators)."
    bp.add_url_rule("/<int:item_id>/move", "move", move, methods=["POST"])
    bp.add_url_rule("/<int:item_id>/merge", "merge", merge, methods=["POST"])

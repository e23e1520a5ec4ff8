"""What every phase blueprint shares: routes for listing, adding, editing,
deleting and hiding contributions, rendered as a page or as an htmx fragment.

Each phase supplies a :class:`PhaseSpec` (its model, form and operations); the
routes here stay thin: load, check who is asking, validate, call, render.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm

from ..access import (
    Actor,
    get_in_workshop_or_404,
    load_workshop,
    require_facilitator,
    require_member,
)
from ..core.limits import TOO_FAST, limit_contributions
from ..core.templating import is_htmx
from ..extensions import db
from ..forms import EmptyForm
from ..models import Group, Phase, Workshop
from ..services import fragments
from . import operations as ops
from .moderation import register_moderation_routes


def phase_blueprint(phase: Phase, import_name: str) -> Blueprint:
    """One name everywhere: blueprint = phase = template folder = URL prefix."""
    return Blueprint(phase.value, import_name, url_prefix=f"/w/<int:workshop_id>/{phase.value}")


def from_console(workshop_id: int) -> bool:
    """Whether the person is working from this workshop's console: htmx names
    the page it was sent from (HX-Current-URL), a followed link its Referer
    (the Referrer-Policy is same-origin, so our own pages always send it)."""
    page = request.headers.get("HX-Current-URL") or request.referrer or ""
    return urlsplit(page).path == url_for("live.console", workshop_id=workshop_id)


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **context: Any):
    """The htmx book's pattern: the page includes the fragment; htmx gets the fragment alone."""
    template = fragment if is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


@dataclass
class PhaseSpec:
    """How one phase's contributions are listed and changed."""

    phase: Phase
    model: type
    form_class: type[FlaskForm]
    noun: str
    #: Fill a new model instance from a validated form.
    apply_form: Callable[[Any, FlaskForm, Workshop, Actor], None]
    #: Prepare a form's dynamic choices for this workshop and person.
    prepare_form: Callable[[FlaskForm, Workshop, Actor], None]
    #: Extra template context for the board (themes, statements...).
    board_context: Callable[[Workshop, Actor], dict] = field(default=lambda w, a: {})
    #: What ``<phase>/_item.html`` needs beyond the item (vote counts, sign-ups),
    #: for a live delta, which renders a few items without the rest of the board.
    item_context: Callable[[Workshop, Actor], dict] = field(default=lambda w, a: {})
    #: After an htmx post: board parts the new item changes for its author,
    #: rendered out of band with the compose box (Dream's ballot).
    after_post: Callable[[Workshop, Actor], str] | None = None
    order_by: tuple = ()
    #: Set by :func:`register_contribution_routes`: render the board
    #: ``(workshop, actor, form=None, status=200, notice=None)``, for extra routes.
    render_board: Callable[..., Any] | None = None

    @property
    def folder(self) -> str:
        return self.phase.value

    @property
    def ordering(self) -> tuple:
        """How its items are listed: ``order_by``, else oldest first."""
        return self.order_by or (self.model.created_at, self.model.id)


def items_for(spec: PhaseSpec, workshop: Workshop, actor: Actor, since: int | None = None) -> list:
    """The phase's contributions this person may see, oldest first.

    Participants see their own group's items (and whole-room ones); facilitators
    see everything, hidden items included so they can be restored. With
    ``since``, only the items added or edited after that workshop revision
    (a live poll's delta).
    """
    model = spec.model
    stmt = db.select(model).where(model.workshop_id == workshop.id)
    if since is None:
        stmt = stmt.options(*eager_options(model))
    else:
        stmt = stmt.where(model.revision > since).options(*eager_options(model, few=True))
    if not actor.can_moderate:
        stmt = stmt.where(model.hidden.is_(False))
    if actor.is_participant:
        # A phone shows its own table and the whole room: filter in SQL, not
        # after loading every table's items. Unseated (waiting for the
        # facilitator, or their table was removed): the whole room's alone.
        gid = actor.participant.group_id
        whole_room = model.group_id.is_(None)
        stmt = stmt.where(whole_room if gid is None else db.or_(model.group_id == gid, whole_room))
    stmt = stmt.order_by(*spec.ordering)
    return list(db.session.execute(stmt).unique().scalars())


#: Collections the item templates show, loaded for all items in one query each.
EAGER_COLLECTIONS = ("themes", "examples")


@functools.cache
def eager_options(model, few: bool = False) -> tuple:
    """Load what the item templates touch with the items, not one query per item.

    Every many-to-one (author, group, statement, design) is joined in, one
    level further for the statement a design serves; ``themes`` come in one
    extra query (a subquery load: selectin would split past 500 items; for the
    ``few`` items of a live delta, selectin is the cheaper one). The query count
    of a board then does not grow with its items (tests/test_query_counts.py).
    Built once per model: inspecting the mapper costs more than the query.
    """
    from sqlalchemy import inspect
    from sqlalchemy.orm import joinedload, selectinload, subqueryload

    options = []
    for rel in inspect(model).relationships:
        if rel.direction.name == "MANYTOONE":
            option = joinedload(getattr(model, rel.key))
            target = rel.mapper.class_
            if rel.key != "statement" and "statement" in inspect(target).relationships:
                option = option.joinedload(target.statement)
            options.append(option)
        elif rel.key in EAGER_COLLECTIONS:
            load = selectinload if few else subqueryload
            options.append(load(getattr(model, rel.key)))
    return tuple(options)


def by_group(items: list, groups: list[Group]) -> list[tuple[Group | None, list]]:
    """Items arranged as (group, items) columns, in the workshop's group order."""
    columns: dict[int | None, list] = {g.id: [] for g in groups}
    columns[None] = []
    for item in items:
        columns.setdefault(item.group_id, []).append(item)
    result: list[tuple[Group | None, list]] = [(g, columns[g.id]) for g in groups]
    if columns[None]:
        result.append((None, columns[None]))
    return result


def visible_groups(workshop: Workshop, actor: Actor) -> list[Group]:
    """Every table for facilitators; a participant's own table (none while unseated)."""
    if not actor.is_participant:
        return list(workshop.groups)
    return [g for g in workshop.groups if g.id == actor.participant.group_id]


#: Every phase's spec, filled as the phase blueprints register their routes
#: (the live console, projector and polling render boards from it).
SPECS: dict[Phase, PhaseSpec] = {}


def board_context(
    spec: PhaseSpec,
    workshop: Workshop,
    actor: Actor,
    form: FlaskForm | None = None,
    *,
    compose: bool = True,
) -> dict[str, Any]:
    """Everything ``<phase>/_board.html`` needs, for this person.

    ``compose=False`` (live polls, which render only ``_live_items.html``) skips
    building the compose form and the queries behind its choices.
    """
    if form is None and compose:
        # A fresh, empty form: after a successful post the board must not echo
        # the request's fields back (the phone would show the sent text again).
        form = spec.form_class(formdata=None)
        spec.prepare_form(form, workshop, actor)
    # items_for already keeps a phone to its own table and the whole room.
    items = items_for(spec, workshop, actor)
    groups = visible_groups(workshop, actor)
    refusal = ops.refusal(workshop, actor, spec.phase)
    context = dict(
        workshop=workshop,
        actor=actor,
        spec=spec,
        form=form,
        items=items,
        columns=by_group(items, groups),
        phase=spec.phase,
        can_post=refusal is None,
        post_refusal=refusal,
        **spec.board_context(workshop, actor),
    )
    context["kept_html"] = fragments.kept_html(items, actor, context)
    return context


def delta_context(spec: PhaseSpec, workshop: Workshop, actor: Actor, since: int) -> dict:
    """What a live delta renders: the items changed after ``since`` and what
    their template uses; none of the board around them (groups, forms, themes)."""
    context = dict(
        workshop=workshop,
        actor=actor,
        spec=spec,
        phase=spec.phase,
        items=items_for(spec, workshop, actor, since),
        **spec.item_context(workshop, actor),
    )
    context["kept_html"] = fragments.kept_html(context["items"], actor, context)
    return context


def compose_fragment(
    spec: PhaseSpec,
    workshop: Workshop,
    actor: Actor,
    form: FlaskForm | None = None,
    status: int = 200,
    saved: str | None = None,
    like: FlaskForm | None = None,
):
    """The compose box alone, for an htmx post: a fresh form and ``saved`` after a
    post went in (with ``HX-Trigger: live-refresh``, so the board polls for the
    new item at once), or the refused form with its text and errors. ``like``
    is a form prepared for the same person and workshop (the one just posted),
    whose choices the fresh one would have."""

    # Just saved: it was allowed a moment ago (asking again would reload the
    # workshop the commit expired, for the answer every post already had).
    refusal = None if saved else ops.refusal(workshop, actor, spec.phase)
    can_post = refusal is None

    def rendered(form) -> str:
        return render_template(
            "_compose.html",
            workshop=workshop,
            actor=actor,
            spec=spec,
            form=form,
            phase=spec.phase,
            can_post=can_post,
            post_refusal=refusal,
            saved=saved,
        )

    def fresh_form():
        form = spec.form_class(formdata=None)
        spec.prepare_form(form, workshop, actor)
        return form

    if form is not None:  # refused: the person's own text and errors
        html = rendered(form)
    else:
        html = fresh_compose_box(
            spec, workshop, actor, (refusal, saved), like or fresh_form(), fresh_form, rendered
        )
    if saved and spec.after_post is not None:
        html += spec.after_post(workshop, actor)
    response = make_response(html, status)
    response.vary.add("HX-Request")
    if saved:
        response.headers["HX-Trigger"] = "live-refresh"
    return response


def fresh_compose_box(spec, workshop, actor, state, like, fresh_form, render) -> str:
    """An empty compose box, rendered once per process for everyone it looks the
    same to and kept with a hole for the CSRF token (fragments.CSRF_HOLE), filled
    with each reader's own. After every post its author is sent one, so this is
    a sixth of a post's work saved (docs/benchmarks.md, fourth pass).

    What it shows depends on the phase, the workshop (its URL), whether the
    person moderates (the table picker), the form's choices (statements,
    themes, read afresh for every request, so a new one shows at once: taken
    from ``like``, a form prepared the same way) and ``state`` (whether they
    may post now, and the message); all of that is the key. ``fresh_form()``
    and ``render(form)`` make it when it is not kept.
    """
    # The hints are the workshop's wording, which its facilitator may change.
    choices = repr([(f.name, getattr(f, "choices", None), f.description) for f in like])
    key = (spec.phase.value, workshop.id, actor.can_moderate, actor.can_contribute, state, choices)
    boxes = current_app.extensions.setdefault("compose_boxes", fragments.Fragments(limit=2_000))
    return fragments.fill(boxes.get_or_make(key, lambda: fragments.punch(render(fresh_form()))))


def _refuse_when_closed(workshop: Workshop, actor: Actor) -> None:
    """A closed or archived workshop takes no participant's edit or deletion: say so."""
    closed = None if actor.can_moderate else ops.closed_refusal(workshop)
    if closed:
        abort(403, closed)


def register_contribution_routes(bp: Blueprint, spec: PhaseSpec) -> None:
    """Add index/new/edit/delete/hide routes for ``spec`` to ``bp``."""
    SPECS[spec.phase] = spec
    folder = spec.folder

    def board(
        workshop: Workshop,
        actor: Actor,
        form: FlaskForm | None = None,
        status: int = 200,
        notice: str | None = None,
    ):
        context = board_context(spec, workshop, actor, form)
        if is_htmx() and from_console(workshop.id):
            # Swapped into the console: its poll and folded form stay the console's.
            context["live_mode"] = "console"
        context["notice"] = notice
        context["notice_kind"] = "error" if status >= 400 else "success"
        return render_page_or_fragment(
            f"{folder}/index.html", f"{folder}/_board.html", status, **context
        )

    def compose(
        workshop: Workshop, actor: Actor, form=None, status: int = 200, saved=None, like=None
    ):
        return compose_fragment(spec, workshop, actor, form, status, saved, like)

    def index(workshop_id: int):
        workshop = load_workshop(workshop_id)
        actor = require_member(workshop)
        return board(workshop, actor)

    def new(workshop_id: int):
        workshop = load_workshop(workshop_id)
        actor = require_member(workshop)
        form = spec.form_class()
        spec.prepare_form(form, workshop, actor)
        if request.method == "GET":
            return board(workshop, actor, form)
        # htmx posts answer with the compose box alone; full-page posts with the board.
        refused = compose if is_htmx() else board
        refusal = ops.refusal(workshop, actor, spec.phase)
        if refusal:
            form.form_errors.append(refusal)
            return refused(workshop, actor, form, status=409)
        if not form.validate_on_submit():
            return refused(workshop, actor, form, status=422)
        item = spec.model(workshop_id=workshop.id, **actor.author_fields())
        spec.apply_form(item, form, workshop, actor)
        # Rendered for the other phones and for its author while the new item is
        # still loaded, and stored just after it.
        ops.add_contribution(
            workshop,
            item,
            after_commit=lambda items: fragments.render(workshop, spec, items, actor),
        )
        if is_htmx():
            return compose(workshop, actor, saved=f"Your {spec.noun} is on the board.", like=form)
        flash(f"Your {spec.noun} is saved.", "success")
        return redirect(url_for(f"{folder}.index", workshop_id=workshop.id))

    def store_for(workshop: Workshop, actor: Actor):
        """What saves the changed items' shared copies in their transaction."""
        return lambda items: fragments.save(workshop, spec, items, actor)

    def load_item(workshop: Workshop, item_id: int):
        return get_in_workshop_or_404(spec.model, item_id, workshop)

    def load_for_change(workshop: Workshop, item_id: int):
        """The item a POST changes: 404 for another workshop's; :class:`ops.Gone`
        when there is none (someone else just deleted or merged it away: the
        person saw it on their board, so that is a 409 saying so, not a 404)."""
        item = db.session.get(spec.model, item_id)
        if item is None:
            raise ops.Gone(None)
        return get_in_workshop_or_404(spec.model, item_id, workshop)

    def gone(workshop: Workshop, actor: Actor):
        """The board as it is now, and why nothing changed: the item went meanwhile."""
        return board(workshop, actor, status=409, notice=ops.gone_message(spec.noun))

    def refuse_change(actor: Actor, item) -> None:
        """Stop an edit or delete this person may not make, saying why: 403 for
        someone else's item, 409 when the state of their own (hidden, the room
        paused, the phase closed) is what stands in the way."""
        why = actor.edit_refusal(item, spec.noun)
        if why is not None:
            abort(409 if actor.owns(item) else 403, why)

    def edit(workshop_id: int, item_id: int):
        workshop = load_workshop(workshop_id)
        actor = require_member(workshop)
        _refuse_when_closed(workshop, actor)
        posted = request.method == "POST"
        try:
            item = load_for_change(workshop, item_id) if posted else load_item(workshop, item_id)
        except ops.Gone:
            item = None
        if item is not None:
            refuse_change(actor, item)
        form = spec.form_class(obj=item)
        spec.prepare_form(form, workshop, actor)
        if request.method == "GET" and hasattr(form, "load_item"):
            form.load_item(item)
        # Opened from the console: saving (or cancelling) goes back there.
        console = actor.can_moderate and (
            request.form.get("back") == "console"
            if request.method == "POST"
            else from_console(workshop.id)
        )
        back = (
            url_for("live.console", workshop_id=workshop.id)
            if console
            else url_for(f"{folder}.index", workshop_id=workshop.id)
        )
        status = 200
        shown = item
        if posted:
            if item is None or form.validate_on_submit():
                # Edited where it stands: polls send it alone. Moved to another
                # group: every board that showed it is sent again (ops.edit_contribution).
                try:
                    if item is None:
                        raise ops.Gone(None)
                    ops.edit_contribution(
                        workshop,
                        item,
                        lambda: spec.apply_form(item, form, workshop, actor),
                        check=lambda: refuse_change(actor, item),
                        before_commit=store_for(workshop, actor),
                    )
                except ops.Gone:
                    # Nothing saved, and their text stays in the form to copy.
                    form.form_errors.append(
                        f"Someone else deleted this {spec.noun}, or merged it into another, "
                        "while you were editing it, so your changes were not saved. "
                        "Your text is still here to copy."
                    )
                    status = 409
                    shown = SimpleNamespace(id=item_id)  # the row is gone
                else:
                    if is_htmx():
                        return board(workshop, actor)
                    flash(f"The {spec.noun} is updated.", "success")
                    return redirect(back)
            else:
                status = 422
        return render_page_or_fragment(
            f"{folder}/edit.html",
            "_edit_fragment.html",
            status,
            workshop=workshop,
            actor=actor,
            spec=spec,
            item=shown,
            form=form,
            phase=spec.phase,
            form_template=f"{folder}/_form_fields.html",
            back_url=back,
            back_to_console=console,
        )

    def delete(workshop_id: int, item_id: int):
        workshop = load_workshop(workshop_id)
        actor = require_member(workshop)
        _refuse_when_closed(workshop, actor)
        try:
            item = load_for_change(workshop, item_id)
            refuse_change(actor, item)
            if not EmptyForm().validate_on_submit():
                abort(400)
            ops.delete_contribution(workshop, item, check=lambda: refuse_change(actor, item))
        except ops.Gone:
            return gone(workshop, actor)
        if is_htmx():
            return board(workshop, actor)
        flash(f"The {spec.noun} is deleted.", "info")
        return redirect(url_for(f"{folder}.index", workshop_id=workshop.id))

    def hide(workshop_id: int, item_id: int):
        workshop = load_workshop(workshop_id)
        actor = require_facilitator(workshop)
        try:
            item = load_for_change(workshop, item_id)
            if not EmptyForm().validate_on_submit():
                abort(400)
            ops.set_hidden(workshop, item, not item.hidden)
        except ops.Gone:
            return gone(workshop, actor)
        if is_htmx():
            return board(workshop, actor)
        return redirect(url_for(f"{folder}.index", workshop_id=workshop.id))

    index.__doc__ = f"List the {spec.noun}s by group, with the form to add one."
    new.__doc__ = f"Add a {spec.noun} (htmx fragment or full-page post)."
    edit.__doc__ = f"Edit a {spec.noun}: its author while the phase is open, or a facilitator."
    delete.__doc__ = f"Delete a {spec.noun}."
    hide.__doc__ = f"Hide or unhide a {spec.noun} (facilitators moderate)."

    bp.add_url_rule("/", "index", index)

    def too_fast(_limit):
        """Posting too fast: the board again, the text kept, and why it was not saved."""
        workshop = load_workshop(request.view_args["workshop_id"])
        actor = require_member(workshop)
        form = spec.form_class()
        spec.prepare_form(form, workshop, actor)
        form.form_errors.append(TOO_FAST)
        return (compose if is_htmx() else board)(workshop, actor, form, status=429)

    new = limit_contributions(new, too_fast)
    bp.add_url_rule("/new", "new", new, methods=["GET", "POST"])
    bp.add_url_rule("/<int:item_id>/edit", "edit", edit, methods=["GET", "POST"])
    bp.add_url_rule("/<int:item_id>/delete", "delete", delete, methods=["POST"])
    bp.add_url_rule("/<int:item_id>/hide", "hide", hide, methods=["POST"])

    spec.render_board = board
    register_moderation_routes(bp, spec, load_for_change)

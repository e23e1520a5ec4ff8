"""Live screens: the console, the projector, the polls behind them, and the
facilitator's controls (phase, pause, timer, seating)."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from ..access import Actor, actor_for, get_in_workshop_or_404, load_workshop, require_facilitator
from ..extensions import db
from ..forms import EmptyForm, options
from ..models import Group, Participant, Phase, Workshop
from ..phases.common import SPECS, board_context, by_group, delta_context
from ..services import fragments
from ..services.inquiry import inquiry_panel
from . import bp
from .conditional import not_modified_or_tag, page_tag, tagged
from .forms import LockForm, MoveForm, PhaseForm, TimerForm
from .operations import (
    LiveError,
    add_minutes,
    move_participant,
    neighbour_phase,
    participants_of,
    pause_timer,
    remove_participant,
    resume_timer,
    set_locked,
    set_phase,
    start_timer,
    stop_timer,
    timer_view,
    vote_tallies,
)
from .qr import join_url, qr_svg


@bp.app_template_global()
def live_page_tag(workshop: Workshop, poll_url: str) -> str:
    """The entity tag a page's poller starts from (see conditional.page_tag)."""
    return f'"{page_tag(workshop, poll_url)}"'


@bp.app_template_global()
def live_timer(workshop: Workshop):
    """The workshop's timer as of now, for templates (see ``live/_timer.html``)."""
    return timer_view(workshop)


def _phase_or_404(name: str) -> Phase:
    try:
        return Phase(name)
    except ValueError:
        abort(404)


def _poll_actor(workshop: Workshop, *, facilitator: bool = False) -> Actor:
    """Who polls. A poll never redirects to a login page (htmx would swap it in): 403."""
    actor = actor_for(workshop)
    allowed = actor.can_moderate if facilitator else actor.can_contribute
    if not allowed:
        abort(403, "You are no longer part of this workshop. Reload the page.")
    return actor


def _htmx_redirect(url: str):
    response = make_response("", 200)
    response.headers["HX-Redirect"] = url
    response.headers["Cache-Control"] = "no-store"
    return response


# --- polling ------------------------------------------------------------------


@bp.get("/live/<phase_name>")
def poll(workshop_id: int, phase_name: str):
    """A phase's contributions region (and the room status) for a polling screen."""
    phase = _phase_or_404(phase_name)
    unchanged = not_modified_or_tag(workshop_id, _poll_actor)
    if unchanged is not None:
        return unchanged
    workshop = load_workshop(workshop_id)
    actor = _poll_actor(workshop)
    mode = request.args.get("mode", "page")
    room = request.args.get("room")
    moved_to = None
    if room and room != workshop.phase.value:
        # The facilitator moved the room on: the console reloads; phones get a
        # link that static/js/live.js follows at once unless the person has
        # unsent text on screen (then it waits for them: nothing typed is lost).
        if mode == "console" and actor.can_moderate:
            return _htmx_redirect(url_for("live.console", workshop_id=workshop.id))
        if actor.is_participant:
            moved_to = workshop.phase
    since = g.get("live_since") if moved_to is None else None
    if since is not None:
        return tagged(make_response(_delta(workshop, actor, phase, since)), delta=True)
    context = board_context(SPECS[phase], workshop, actor, compose=False)
    html = render_template(
        "live/_poll.html",
        live_mode=mode,
        # The page was shown while they waited for a table, and now they have
        # one: the status says so and links the board, which live.js follows.
        seated_now=request.args.get("seat") == "wait",
        # Keep polling as the page was rendered, so the notice stays until they go.
        live_room=room if moved_to else workshop.phase.value,
        moved_to=moved_to,
        **context,
    )
    return tagged(make_response(html))


def _delta(workshop: Workshop, actor: Actor, phase: Phase, since: int) -> str:
    """The items changed after ``since``, each rendered alone with ``_live_item.html``
    (and, for facilitators, its merge-target option), from the stored or kept
    copies where they may be shared (services/fragments.py)."""
    if actor.can_moderate:
        # Consoles: every item as this process already rendered it for them, if so.
        kept_delta = fragments.kept_console_delta(SPECS[phase], workshop, since)
        if kept_delta is not None:
            return kept_delta
    context = delta_context(SPECS[phase], workshop, actor, since)
    kept = context["kept_html"]
    parts = [
        kept.get(item.id) or fragments.html_for(item, actor, context) for item in context["items"]
    ]
    if actor.can_moderate:
        parts += [fragments.merge_target_html(i, actor, context) for i in context["items"]]
    return "".join(parts)


# --- the console --------------------------------------------------------------


def _head_count(workshop: Workshop) -> int:
    return db.session.execute(
        db.select(db.func.count())
        .select_from(Participant)
        .where(Participant.workshop_id == workshop.id, Participant.removed_at.is_(None))
    ).scalar_one()


def _console(workshop: Workshop, actor: Actor, *, timer_form=None, errors=(), status=200):
    phase = workshop.phase
    context = board_context(SPECS[phase], workshop, actor)
    if "earlier_core" not in context:  # the Dream board brings it already
        context.update(inquiry_panel(workshop, actor.can_moderate))
    participants = _head_count(workshop)
    response = make_response(
        render_template(
            "live/console.html",
            timer_form=timer_form or TimerForm(),
            control_errors=list(errors),
            previous_phase=neighbour_phase(phase, -1),
            next_phase=neighbour_phase(phase, 1),
            participant_count=participants,
            join_link=join_url(workshop),
            live_mode="console",
            **context,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/console")
def console(workshop_id: int):
    """The facilitator's console: every group's contributions live, with the room's controls."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    return _console(workshop, actor)


@bp.get("/console/head-count")
def head_count(workshop_id: int):
    """How many have joined, for the console's own poll (``live/_head_count.html``).

    Tagged by the count: an unchanged count is a 304. Access is checked first,
    so the tag tells nobody else anything.
    """
    workshop = load_workshop(workshop_id)
    _poll_actor(workshop, facilitator=True)
    count = _head_count(workshop)
    tag = f"p{count}"
    if request.if_none_match.contains(tag):
        response = make_response("", 304)
    else:
        response = make_response(
            render_template("live/_head_count.html", workshop=workshop, participant_count=count)
        )
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-store"
    return response


def _back_to_console(workshop: Workshop):
    return redirect(url_for("live.console", workshop_id=workshop.id))


@bp.post("/console/phase")
def change_phase(workshop_id: int):
    """Move the room to another phase."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    form = PhaseForm()
    if not form.validate_on_submit():
        return _console(workshop, actor, errors=_all_errors(form), status=422)
    set_phase(workshop, Phase(form.phase.data))
    flash(f"The room is now in {workshop.phase.label}.", "success")
    return _back_to_console(workshop)


@bp.post("/console/lock")
def lock(workshop_id: int):
    """Pause contributions from participants, or reopen them."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    form = LockForm()
    if not form.validate_on_submit():
        return _console(workshop, actor, errors=_all_errors(form), status=422)
    set_locked(workshop, form.locked.data == "1")
    flash("Contributions are paused." if workshop.locked else "Contributions are open.", "info")
    return _back_to_console(workshop)


@bp.post("/console/timer")
def timer(workshop_id: int):
    """Start, pause, resume, extend or stop the phase timer."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    form = TimerForm()
    if not form.validate_on_submit():
        return _console(workshop, actor, timer_form=form, errors=form.action.errors, status=422)
    action = form.action.data
    minutes = form.minutes.data
    try:
        if action in ("start", "add") and not minutes:
            raise LiveError("Say how many minutes.")
        if action == "start":
            start_timer(workshop, minutes)
        elif action == "add":
            add_minutes(workshop, minutes)
        elif action == "pause":
            pause_timer(workshop)
        elif action == "resume":
            resume_timer(workshop)
        else:
            stop_timer(workshop)
    except LiveError as exc:
        form.minutes.errors = [*form.minutes.errors, str(exc)]
        return _console(workshop, actor, timer_form=form, status=422)
    return _back_to_console(workshop)


def _all_errors(form) -> list[str]:
    return [error for errors in form.errors.values() for error in errors]


# --- the projector ------------------------------------------------------------


def _projector_context(workshop: Workshop, since: int | None = None) -> dict:
    """The wall and the vote tallies; with ``since``, only the items changed after it."""
    phase = workshop.phase
    spec = SPECS[phase]
    stmt = db.select(spec.model).where(
        spec.model.workshop_id == workshop.id, spec.model.hidden.is_(False)
    )
    if since is not None:
        stmt = stmt.where(spec.model.revision > since)
    items = list(db.session.execute(stmt.order_by(*spec.ordering)).scalars())
    # A delta (projector/_delta.html) places its items by id: no wall to arrange.
    wall = by_group(items, list(workshop.groups)) if since is None else []
    tallies = vote_tallies(workshop) if phase == Phase.DREAM else []
    top = max((count for _, count in tallies), default=0)
    return dict(
        workshop=workshop, phase=phase, items=items, wall=wall, tallies=tallies, top_votes=top
    )


@bp.get("/projector")
def projector(workshop_id: int):
    """The room screen: join QR code and code, the phase and its timer, the live wall."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    url = join_url(workshop)
    response = make_response(
        render_template(
            "projector/show.html",
            qr=Markup(qr_svg(url, title=f"QR code: join at {url}")),
            join_link=url,
            **_projector_context(workshop),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/projector/live")
def projector_live(workshop_id: int):
    """The projector's live part, for its poll."""
    unchanged = not_modified_or_tag(
        workshop_id, lambda workshop: _poll_actor(workshop, facilitator=True)
    )
    if unchanged is not None:
        return unchanged
    workshop = load_workshop(workshop_id)
    _poll_actor(workshop, facilitator=True)
    since = g.get("live_since")
    if since is not None:
        html = render_template("projector/_delta.html", **_projector_context(workshop, since))
        return tagged(make_response(html), delta=True)
    html = render_template("projector/_live.html", **_projector_context(workshop))
    return tagged(make_response(html))


@bp.get("/qr.svg")
def qr(workshop_id: int):
    """The join QR code as an SVG image (to print or paste into slides)."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    url = join_url(workshop)
    svg = qr_svg(url, title=f"Join at {url}", standalone=True)
    response = make_response(svg)
    response.mimetype = "image/svg+xml"
    return response


# --- seating participants -----------------------------------------------------


def _move_form(workshop: Workshop, participant: Participant) -> MoveForm:
    form = MoveForm(prefix=f"p{participant.id}", data={"group": participant.group_id or 0})
    form.group.choices = options([(0, "No table yet")] + [(g.id, g.name) for g in workshop.groups])
    return form


@bp.get("/participants")
def participants(workshop_id: int):
    """Who joined, and at which table; facilitators move people between tables."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    people = participants_of(workshop)
    return render_template(
        "live/participants.html",
        workshop=workshop,
        actor=actor,
        people=[(p, _move_form(workshop, p)) for p in people],
    )


@bp.post("/participants/<int:participant_id>/move")
def move(workshop_id: int, participant_id: int):
    """Seat one participant at another table."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    participant = get_in_workshop_or_404(Participant, participant_id, workshop)
    form = _move_form(workshop, participant)
    if not form.validate_on_submit():
        abort(422, "Pick one of this workshop's tables.")
    group = db.get_or_404(Group, form.group.data) if form.group.data else None
    try:
        move_participant(workshop, participant, group)
    except LiveError as exc:
        abort(422, str(exc))
    where = group.name if group is not None else "no table"
    flash(f"{participant.public_name} is now at {where}.", "success")
    return redirect(url_for("live.participants", workshop_id=workshop.id))


@bp.post("/participants/<int:participant_id>/remove")
def remove_participant_view(workshop_id: int, participant_id: int):
    """Remove a participant, keeping what they wrote (as "Anonymous") or deleting it."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    participant = get_in_workshop_or_404(
        Participant, participant_id, workshop, "That participant is no longer here."
    )
    if participant.removed_at is not None:
        abort(404, "That participant is no longer here.")
    if not EmptyForm().validate_on_submit():
        abort(400, "Your page is out of date; reload it and try again.")
    name = participant.public_name
    with_contributions = request.form.get("with_contributions") == "1"
    deleted = remove_participant(workshop, participant, with_contributions=with_contributions)
    if with_contributions:
        flash(
            f"{name} is removed, with {deleted} contribution{'' if deleted == 1 else 's'}.",
            "success",
        )
    else:
        flash(f"{name} is removed; what they wrote stays, shown as Anonymous.", "success")
    return redirect(url_for("live.participants", workshop_id=workshop.id))

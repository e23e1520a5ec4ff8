"""Workshop pages for facilitators: list, create, overview, settings, groups, people."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import actor_for, get_in_workshop_or_404, load_workshop, require_facilitator
from ..extensions import db
from ..forms import EmptyForm, options
from ..models import Group, Phase, Role
from ..models.workshop import DEFAULT_WORDING, EARLIER_PHASES, EARLIER_PHASES_OPEN
from ..services.inquiry import neighbours
from . import bp
from .forms import CoFacilitatorForm, GroupForm, InvitationForm, WorkshopForm, wording_field
from .invitations import link_for, pending_invitations
from .operations import (
    WorkshopError,
    add_group,
    add_role,
    carry_forward,
    create_workshop,
    remove_group,
    set_archived,
    set_open,
    update_workshop,
    visible_workshops,
    with_wording,
)

DETAIL_FIELDS = (
    "title",
    "topic",
    "description",
    "venue",
    "starts_on",
    "ends_on",
    "dots_per_participant",
    "group_assignment",
    "listed",
)


def _wording_from(form: WorkshopForm) -> dict[str, str]:
    return {key: getattr(form, wording_field(key)).data or "" for key in DEFAULT_WORDING}


def _wording_into(form: WorkshopForm, workshop) -> None:
    own = (workshop.settings or {}).get("wording") or {}
    for key in DEFAULT_WORDING:
        getattr(form, wording_field(key)).data = own.get(key, "")


def _form_page(form: WorkshopForm, workshop, status: int):
    wording = [getattr(form, wording_field(key)) for key in DEFAULT_WORDING]
    return render_template(
        "workshops/form.html", form=form, workshop=workshop, wording=wording
    ), status


def _previous_choices(form: WorkshopForm, exclude: int | None = None) -> None:
    form.previous.choices = options(
        [(0, "— none —")]
        + [(w.id, w.title) for w in visible_workshops(current_user) if w.id != exclude]
    )


@bp.route("/")
@login_required
def index():
    """The workshops this facilitator runs or organises."""
    return render_template("workshops/index.html", workshops=visible_workshops(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a workshop with its groups."""
    form = WorkshopForm()
    _previous_choices(form)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in DETAIL_FIELDS}
        fields["topic"] = fields["topic"] or ""
        fields["description"] = fields["description"] or ""
        fields["venue"] = fields["venue"] or ""
        groups = (form.group_names.data or "").splitlines()
        workshop = create_workshop(
            current_user,
            groups=groups,
            previous_id=form.previous.data or None,
            settings=with_wording({EARLIER_PHASES: form.earlier_phases.data}, _wording_from(form)),
            **fields,
        )
        flash(f"Workshop created. Participants join with the code {workshop.join_code}.", "success")
        if form.carry_forward.data and workshop.previous_id:
            _carry_forward_and_say(workshop)
        return redirect(url_for("workshops.show", workshop_id=workshop.id))
    status = 422 if form.errors else 200
    return _form_page(form, None, status)


@bp.route("/<int:workshop_id>/")
def show(workshop_id: int):
    """Overview: the join code, the groups, and each phase at a glance."""
    workshop = load_workshop(workshop_id)
    actor = actor_for(workshop)
    if not actor.can_moderate and actor.role != Role.ORGANISER:
        if actor.participant is not None:
            return redirect(url_for(f"{workshop.phase.value}.index", workshop_id=workshop.id))
        require_facilitator(workshop)
    return _render_show(workshop, actor)


def _render_show(workshop, actor, *, group_form=None, people_form=None, status: int = 200):
    """The overview page; a refused group or person form comes back with its errors and text."""
    continues, continued_by = neighbours(workshop)
    return (
        render_template(
            "workshops/show.html",
            workshop=workshop,
            actor=actor,
            counts=_counts(workshop),
            phases=list(Phase),
            group_form=group_form or GroupForm(formdata=None),
            people_form=people_form or CoFacilitatorForm(formdata=None),
            action_form=EmptyForm(),
            continues=continues,
            continued_by=continued_by,
            invite_form=InvitationForm(formdata=None),
            invitations=[(i, link_for(i)) for i in pending_invitations(workshop)]
            if actor.can_moderate
            else [],
        ),
        status,
    )


def _counts(workshop) -> dict[str, int]:
    from ..models import ActionPoint, DesignElement, Example, MissionStatement, Participant

    counts = {}
    for key, model in (
        ("discovery", Example),
        ("dream", MissionStatement),
        ("design", DesignElement),
        ("destiny", ActionPoint),
        ("participants", Participant),
    ):
        stmt = db.select(db.func.count()).select_from(model).where(model.workshop_id == workshop.id)
        if model is Participant:
            stmt = stmt.where(Participant.removed_at.is_(None))
        counts[key] = db.session.execute(stmt).scalar_one()
    return counts


@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
def edit(workshop_id: int):
    """Edit the workshop's details and settings."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    form = WorkshopForm(obj=workshop)
    _previous_choices(form, exclude=workshop.id)
    del form.group_names
    del form.carry_forward
    if request.method == "GET":
        form.previous.data = workshop.previous_id or 0
        _wording_into(form, workshop)
        if workshop.earlier_phases_open:
            form.earlier_phases.data = EARLIER_PHASES_OPEN
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in DETAIL_FIELDS}
        for key in ("topic", "description", "venue"):
            fields[key] = fields[key] or ""
        # A new dict: the JSON column sees the change (and keeps the other settings).
        settings = {**(workshop.settings or {}), EARLIER_PHASES: form.earlier_phases.data}
        update_workshop(
            workshop,
            previous_id=form.previous.data or None,
            settings=with_wording(settings, _wording_from(form)),
            **fields,
        )
        flash("Workshop updated.", "success")
        return redirect(url_for("workshops.show", workshop_id=workshop.id))
    status = 422 if form.errors else 200
    return _form_page(form, workshop, status)


def _carry_forward_and_say(workshop) -> None:
    try:
        carried = carry_forward(workshop)
    except WorkshopError as exc:
        flash(str(exc), "error")
        return
    if carried.added:
        themes, stories, statements = (
            carried.added_themes,
            carried.added_examples,
            carried.added_statements,
        )
        flash(
            f"Carried forward {themes} theme{'' if themes == 1 else 's'}, "
            f"{stories} stor{'y' if stories == 1 else 'ies'} and {statements} "
            f"mission statement{'' if statements == 1 else 's'} from {workshop.previous.title}.",
            "success",
        )
    else:
        flash(f"Everything from {workshop.previous.title} is already here.", "info")


@bp.route("/<int:workshop_id>/carry-forward", methods=["POST"], endpoint="carry_forward")
def carry_forward_view(workshop_id: int):
    """Bring the earlier workshop's themes, stories and mission statements into this one."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    if not EmptyForm().validate_on_submit():
        abort(400)
    _carry_forward_and_say(workshop)
    return redirect(url_for("workshops.show", workshop_id=workshop.id) + "#continuity")


@bp.route("/<int:workshop_id>/joining", methods=["POST"])
def joining(workshop_id: int):
    """Open or close the workshop to joining (and to participants' changes)."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    if not EmptyForm().validate_on_submit():
        abort(400, "Your page is out of date; reload it and try again.")
    if workshop.archived_at is not None:
        flash("This workshop is archived: unarchive it first to open it again.", "error")
    else:
        set_open(workshop, not workshop.is_open)
        if workshop.is_open:
            flash(f"Joining is open: people join with the code {workshop.join_code}.", "success")
        else:
            flash(
                "Joining is closed: nobody new can join, and participants can read but not "
                "add or change anything.",
                "info",
            )
    return redirect(_back(workshop))


@bp.route("/<int:workshop_id>/archive", methods=["POST"])
def archive(workshop_id: int):
    """Archive the workshop (read-only, closed to joining; reports stay), or unarchive it."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    if not EmptyForm().validate_on_submit():
        abort(400, "Your page is out of date; reload it and try again.")
    set_archived(workshop, workshop.archived_at is None)
    if workshop.archived_at is not None:
        flash(
            "Archived: the workshop is read-only for participants and closed to joining. "
            "Its report and exports stay.",
            "info",
        )
    else:
        flash("Unarchived: the workshop is as it was before.", "success")
    return redirect(_back(workshop))


def _back(workshop) -> str:
    """The workshop page, at its joining controls."""
    return url_for("workshops.show", workshop_id=workshop.id) + "#joining"


@bp.route("/<int:workshop_id>/groups", methods=["POST"])
def groups(workshop_id: int):
    """Add a group (table)."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    form = GroupForm()
    if form.validate_on_submit():
        try:
            add_group(workshop, form.name.data, form.focus.data or "")
        except WorkshopError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(f"Group {form.name.data!r} added.", "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id) + "#groups")
    return _render_show(workshop, actor, group_form=form, status=422)


@bp.route("/<int:workshop_id>/groups/<int:group_id>/delete", methods=["POST"])
def delete_group(workshop_id: int, group_id: int):
    """Remove a group; its contributions stay as whole-room items."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    group = get_in_workshop_or_404(Group, group_id, workshop)
    if EmptyForm().validate_on_submit():
        remove_group(workshop, group)
        flash(f"Group {group.name!r} removed.", "info")
    return redirect(url_for("workshops.show", workshop_id=workshop.id) + "#groups")


@bp.route("/<int:workshop_id>/people", methods=["POST"])
def people(workshop_id: int):
    """Add a co-facilitator or organiser by the email of their account."""
    workshop = load_workshop(workshop_id)
    actor = require_facilitator(workshop)
    form = CoFacilitatorForm()
    if form.validate_on_submit():
        try:
            membership = add_role(workshop, form.email.data, Role(form.role.data))
        except WorkshopError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(f"{membership.facilitator.email} is now {membership.role.value} here.", "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id) + "#people")
    return _render_show(workshop, actor, people_form=form, status=422)

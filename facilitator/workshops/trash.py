"""Deleting a workshop: a typed confirmation, then 30 days in a trash it can be
restored from; ``flask --app facilitator purge-trash`` removes older ones for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import abort, flash, redirect, render_template, url_for
from flask.cli import with_appcontext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from ..access import load_workshop, require_facilitator
from ..extensions import db
from ..forms import EmptyForm, MaxChars
from ..models import Facilitator, Role, Workshop, WorkshopRole, utcnow
from ..services.live import bump
from . import bp

#: How long a deleted workshop can be restored.
RETENTION = timedelta(days=30)


class DeleteWorkshopForm(FlaskForm):
    """Type the workshop's title to delete it (a slip of the finger cannot)."""

    confirm = StringField("Type the workshop's title to confirm", validators=[MaxChars(400)])

    def __init__(self, workshop: Workshop, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop

    def validate_confirm(self, field) -> None:
        typed = " ".join((field.data or "").split())
        if typed.casefold() != " ".join(self.workshop.title.split()).casefold():
            raise ValidationError(
                f"That does not match. Type the title exactly: {self.workshop.title}"
            )


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def purge_deadline(workshop: Workshop) -> datetime:
    """When a deleted workshop will be purged."""
    return _aware(workshop.deleted_at) + RETENTION


def delete_workshop(workshop: Workshop) -> None:
    """Move a workshop to the trash: it disappears for everyone until restored.

    :param workshop: the workshop; its contents are kept untouched for 30 days.
    """
    workshop.deleted_at = utcnow()
    bump(workshop)
    db.session.commit()


def restore_workshop(workshop: Workshop) -> None:
    """Bring a workshop back from the trash, as it was."""
    workshop.deleted_at = None
    bump(workshop)
    db.session.commit()


def trash_of(facilitator: Facilitator, *, now: datetime | None = None) -> list[Workshop]:
    """Deleted workshops this person facilitates (all for administrators), still restorable."""
    cutoff = (now or utcnow()) - RETENTION
    stmt = db.select(Workshop).where(Workshop.deleted_at.is_not(None), Workshop.deleted_at > cutoff)
    if not facilitator.is_admin:
        stmt = stmt.join(WorkshopRole).where(
            WorkshopRole.facilitator_id == facilitator.id,
            WorkshopRole.role == Role.FACILITATOR,
        )
    return list(db.session.execute(stmt.order_by(Workshop.deleted_at.desc())).scalars())


def purge_trash(*, now: datetime | None = None) -> list[str]:
    """Delete for good the workshops trashed more than 30 days ago; return their titles."""
    cutoff = (now or utcnow()) - RETENTION
    expired = list(
        db.session.execute(
            db.select(Workshop).where(
                Workshop.deleted_at.is_not(None), Workshop.deleted_at <= cutoff
            )
        ).scalars()
    )
    titles = [w.title for w in expired]
    for workshop in expired:
        # Later workshops that followed this one just lose the link.
        db.session.execute(
            db.update(Workshop).where(Workshop.previous_id == workshop.id).values(previous_id=None)
        )
        db.session.delete(workshop)
    db.session.commit()
    return titles


@bp.route("/<int:workshop_id>/delete", methods=["GET", "POST"])
def delete(workshop_id: int):
    """Ask for the workshop's title, then move the workshop to the trash."""
    workshop = load_workshop(workshop_id)
    require_facilitator(workshop)
    form = DeleteWorkshopForm(workshop)
    if form.validate_on_submit():
        delete_workshop(workshop)
        flash(
            f"{workshop.title} is in the trash. You can restore it for {RETENTION.days} days.",
            "info",
        )
        return redirect(url_for("workshops.trash"))
    status = 422 if form.errors else 200
    return render_template(
        "workshops/delete.html", form=form, workshop=workshop, days=RETENTION.days
    ), status


def _trashed_workshop(workshop_id: int) -> Workshop:
    """A workshop in the trash that the current facilitator may restore, or 404/403."""
    workshop = db.get_or_404(Workshop, workshop_id)
    if workshop.deleted_at is None or purge_deadline(workshop) <= utcnow():
        abort(404)
    if workshop.role_of(current_user) != Role.FACILITATOR:
        abort(403, "Only this workshop's facilitators can restore it.")
    return workshop


@bp.route("/trash")
@login_required
def trash():
    """Deleted workshops, restorable for 30 days."""
    return render_template(
        "workshops/trash.html",
        workshops=trash_of(current_user),
        deadline=purge_deadline,
        action_form=EmptyForm(),
        days=RETENTION.days,
    )


@bp.route("/trash/<int:workshop_id>/restore", methods=["POST"])
@login_required
def restore(workshop_id: int):
    """Restore a deleted workshop."""
    workshop = _trashed_workshop(workshop_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    restore_workshop(workshop)
    flash(f"{workshop.title} is restored.", "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id))


@click.command("purge-trash")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only list what would be purged.")
def purge_trash_command(dry_run: bool) -> None:
    """Delete for good the workshops that have been in the trash for over 30 days."""
    if dry_run:
        cutoff = utcnow() - RETENTION
        rows = db.session.execute(
            db.select(Workshop.title).where(
                Workshop.deleted_at.is_not(None), Workshop.deleted_at <= cutoff
            )
        ).scalars()
        for title in rows:
            click.echo(f"would purge: {title}")
        return
    titles = purge_trash()
    for title in titles:
        click.echo(f"purged: {title}")
    click.echo(f"{len(titles)} workshop(s) purged from the trash.")

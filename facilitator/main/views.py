"""Landing page and health check."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import Workshop
from . import bp


@bp.route("/")
def index():
    """Landing page: join a workshop, or log in to run one. Only public demos are
    listed with their code (``Workshop.listed``, set by a facilitator): any other
    workshop's code reaches only the people its facilitator shows it to."""
    workshops = db.session.execute(
        db.select(Workshop)
        .where(
            Workshop.listed.is_(True),
            Workshop.is_open.is_(True),
            Workshop.archived_at.is_(None),
            Workshop.deleted_at.is_(None),
        )
        .order_by(Workshop.starts_on.desc().nulls_last(), Workshop.id)
    ).scalars()
    return render_template("main/index.html", workshops=list(workshops))


@bp.route("/healthz")
def healthz():
    """200 ``ok`` when the database answers, 503 otherwise (for load balancers)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return "database unavailable", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

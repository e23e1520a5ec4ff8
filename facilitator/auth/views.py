"""Login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter, login_manager
from ..forms import EmptyForm
from ..models import Facilitator
from . import bp
from .forms import LoginForm
from .operations import demo_login_refused, find_by_email


@login_manager.user_loader
def load_user(user_id: str) -> Facilitator | None:
    return db.session.get(Facilitator, int(user_id)) if user_id.isdigit() else None


def _safe_next(target: str | None) -> str:
    """Only follow same-site relative redirects."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("workshops.index")


def _too_many_logins(_limit):
    """Failed logins are limited: the form again, email kept, and why."""
    form = LoginForm()
    form.password.errors = [
        "Too many failed logins from here. Wait a minute (or, after many, an hour) and try again."
    ]
    return make_response(render_template("auth/login.html", form=form), 429)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    "10 per minute; 50 per hour",
    methods=["POST"],
    deduct_when=lambda r: r.status_code != 302,
    on_breach=_too_many_logins,
)
def login():
    """Log a facilitator in."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_by_email(form.email.data)
        if (
            user is not None
            and user.check_password(form.password.data)
            and not demo_login_refused(
                user,
                form.password.data,
                request.remote_addr,
                request.host,
                current_app.config.get("PUBLIC_URL"),
            )
        ):
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("That email and password do not match an account.")
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out (POST, CSRF-protected)."""
    if EmptyForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("main.index"))

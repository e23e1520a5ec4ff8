"""Login, logout and changing one's password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from ..extensions import limiter, login_manager
from ..forms import EmptyForm
from ..models import Facilitator
from . import bp
from .forms import LoginForm, PasswordForm
from .operations import (
    AccountError,
    authenticate,
    change_password,
    demo_login_refused,
    end_login,
    load_login,
    log_in,
)


@login_manager.user_loader
def load_user(token: str) -> Facilitator | None:
    """The cookies carry a login's token: only a login that was not ended counts."""
    return load_login(token)


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
        user = authenticate(form.email.data, form.password.data)
        if user is not None and not demo_login_refused(
            user,
            form.password.data,
            request.remote_addr,
            request.host,
            current_app.config.get("PUBLIC_URL"),
        ):
            log_in(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("That email and password do not match an account.")
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out (POST, CSRF-protected)."""
    if EmptyForm().validate_on_submit():
        # Ended on the server too: a copy of the cookie no longer logs anyone in.
        end_login(current_user.login_token)
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


def _too_many_password_tries(_limit):
    form = PasswordForm()
    form.current.errors = ["Too many wrong passwords. Wait a minute and try again."]
    return make_response(render_template("auth/password.html", form=form), 429)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(
    "10 per minute; 50 per hour",
    methods=["POST"],
    deduct_when=lambda r: r.status_code != 302,
    on_breach=_too_many_password_tries,
)
def password():
    """Change my password; every other device logged in to the account is logged out."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current.data, form.new.data)
        except AccountError as exc:
            form.current.errors.append(str(exc))
        else:
            # Every login ended, this one included: this device starts a new one,
            # remembered if it was.
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            log_in(user, remember=cookie in request.cookies)
            flash("Your password is changed. Your other devices are logged out.", "success")
            return redirect(url_for("workshops.index"))
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status

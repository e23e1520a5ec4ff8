"""Readable error pages (HTML for people, short text for htmx fragments)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from ..extensions import db

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "We could not find that page. It may have been removed, or the link is mistyped.",
    405: "That action is not available here.",
    409: "That conflicts with something already saved.",
    413: "That is too large to send.",
    422: "Some of what you sent needs fixing.",
    429: "Too many attempts. Please wait a moment and try again.",
}


UNTRUSTED_HOST = (
    "This address is not one this server answers to. Open the link the facilitator gave you."
)


def render_error(code: int, message: str | None = None):
    """Render the error page, or a short fragment for htmx requests."""
    message = message or MESSAGES.get(code, "Something went wrong.")
    if isinstance(request.routing_exception, SecurityError):
        # A Host header outside TRUSTED_HOSTS: Flask built no URL adapter, so no
        # page with links can be drawn (and none should name that host).
        return f"{code} {UNTRUSTED_HOST}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    if request.headers.get("HX-Request"):
        return render_template("_error_fragment.html", code=code, message=message), code
    return render_template("error.html", code=code, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(
            400,
            "Your form expired or came from another site. Reload the page and send it again; "
            "what you typed is kept if you go back.",
        )

    @app.errorhandler(IntegrityError)
    def integrity_error(exc: IntegrityError):
        db.session.rollback()
        return render_error(
            409, "That clashes with something already saved (a duplicate or a missing link)."
        )

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError):
        # Never show "database is locked" or a driver message: say what to do.
        db.session.rollback()
        app.logger.warning("database error: %s", exc)
        response, code = render_error(
            503,
            "The server is very busy and could not save that just now. Nothing was saved "
            "twice and your text is still in the form: press the button again in a moment.",
        )
        return response, code, {"Retry-After": "2"}

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.response is not None:
            # A response made for this refusal (e.g. a rate limit's on_breach that
            # shows the form again with what the person typed).
            return exc.response
        code = exc.code or 500
        # abort(403, "why") carries its own words; Werkzeug's stock text is replaced by ours.
        custom = exc.description if exc.description != type(exc).description else None
        description = custom
        if code == 429:
            description = "Too many attempts in a short time. Please wait a minute and try again."
        return render_error(code, description)

"""Readable error pages (HTML for people, short text for htmx fragments)."""

from __future__ import annotations

import contextlib
import threading
import time
from html import escape

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import HTTPException, SecurityError

from ..extensions import db, login_manager

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


#: A read (a page, a live poll) the database could not answer.
UNAVAILABLE = (
    "The server cannot reach its database just now. This screen tries again by itself "
    "in a moment; nothing you typed is lost."
)
#: A change it could not save.
NOT_SAVED = (
    "The server is very busy and could not save that just now. Nothing was saved "
    "twice and your text is still in the form: press the button again in a moment."
)
RETRY_AFTER = "2"


class Outage:
    """What a request that met a database outage (or a lock that outlasted the
    busy timeout) gets: a readable 503, and one log line every ``every``
    seconds rather than a traceback per request (a room polls hundreds of
    times a second). Shared by Flask's handler and the live-poll shortcut,
    which answers without Flask and so without templates."""

    def __init__(self, logger, security_headers: list[tuple[str, str]], every: float = 10.0):
        self.logger = logger
        self.every = every
        self.security_headers = security_headers
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._unsaid = 0

    def log(self, exc: Exception) -> None:
        # The driver's own words only: the SQL's parameters can hold a
        # participant's token, which has no place in a log.
        orig = getattr(exc, "orig", None) or exc
        first = (str(orig).strip().splitlines() or [""])[0]
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.every:
                self._unsaid += 1
                return
            unsaid, self._unsaid, self._last = self._unsaid, 0, now
        more = f" ({unsaid} more since the last report)" if unsaid else ""
        self.logger.warning("database unavailable: %s: %s%s", type(orig).__name__, first, more)

    def answer(self, exc: Exception, htmx: bool) -> tuple[str, list[tuple[str, str]], list[bytes]]:
        """The WSGI answer (status, headers, body) for the shortcut."""
        self.log(exc)
        fragment = f'<p class="flash flash-error" role="alert">{escape(UNAVAILABLE)}</p>'
        body = (
            fragment
            if htmx
            else (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                "<title>503</title></head><body><h1>Sorry</h1>"
                f"{fragment}</body></html>"
            )
        )
        data = body.encode()
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("Retry-After", RETRY_AFTER),
            ("Cache-Control", "no-store"),
            *self.security_headers,
        ]
        return "503 SERVICE UNAVAILABLE", headers, [data]


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(
            400,
            "Your form expired or came from another site. Reload the page and send it again; "
            "what you typed is kept if you go back.",
        )

    @app.errorhandler(StaleDataError)
    @app.errorhandler(ObjectDeletedError)
    def changed_meanwhile(exc: Exception):
        # A row changed or went between reading and writing it. The writes lock
        # the workshop first and re-read (phases.operations.lock_for_change), so
        # this is the net under anything that does not: a 409 that says so.
        with contextlib.suppress(Exception):
            db.session.rollback()
        return render_error(
            409,
            "Someone else changed or removed that at the same moment, so nothing was "
            "changed. Reload the page to see it as it is now.",
        )

    @app.errorhandler(IntegrityError)
    def integrity_error(exc: IntegrityError):
        db.session.rollback()
        return render_error(
            409, "That clashes with something already saved (a duplicate or a missing link)."
        )

    from .headers import headers_for

    outage = Outage(app.logger, list(headers_for(app).items()))
    app.extensions["outage"] = outage

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_busy(exc: OperationalError | InterfaceError):
        # Never show "database is locked" or a driver message: say what to do.
        with contextlib.suppress(Exception):  # the connection may be gone too
            db.session.rollback()
        outage.log(exc)
        if "_login_user" not in g:
            # The page's header asks who is logged in, which needs the
            # database: show it as to a visitor rather than fail again.
            g._login_user = login_manager.anonymous_user()
        writing = request.method not in ("GET", "HEAD")
        response, code = render_error(503, NOT_SAVED if writing else UNAVAILABLE)
        return response, code, {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}

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

"""The "nothing new" answer to a live poll, before Flask is even entered.

Every phone polls every 2 s, so ``304 Not Modified`` is the most frequent
answer the app gives. :mod:`facilitator.live.conditional` already makes it
cheap inside Flask (one revision read, no person, no contributions), but a
Flask request still pays for the request context, the session, the rate
limiter's hooks, Flask-Login's after-request hook, an ORM session and its
teardown: about four times a bare Flask endpoint (docs/benchmarks.md).

This WSGI middleware answers the same 304 with only what the entity tag needs:

* the URL's endpoint, matched by the app's own URL map;
* the signed session cookie, verified with the app's own serializer (who is
  asking: facilitator id and participant token, exactly as
  :func:`facilitator.live.conditional.viewer_key` reads them);
* the workshop's revision, read with a Core query and kept per process for
  ``LIVE_REVISION_TTL`` seconds (0.25 by default; 0 reads it every time).
  A change is thus seen at most that much later, on top of the poll interval.

Anything else (no ``If-None-Match``, a tag that does not match, a deleted or
unknown workshop, a bad cookie) goes on to Flask untouched, which renders,
checks access and tags as before. Answering 304 grants nothing: the client
already holds that exact tag, which only a successful poll by the same
session gave it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask
from itsdangerous import BadSignature
from sqlalchemy import bindparam, select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from .access import SESSION_KEY
from .live.conditional import NO_STORE, etag_for
from .models import Workshop
from .security import headers_for

#: Built once: composing a statement costs more than SQLite takes to run it.
REVISION = select(Workshop.revision).where(
    Workshop.id == bindparam("workshop_id"), Workshop.deleted_at.is_(None)
)

#: How long (seconds) and how many verified session cookies are remembered.
SESSION_MEMORY = 60.0
MAX_SESSIONS = 20_000

#: The poll endpoints whose 304 this middleware may answer.
POLL_ENDPOINTS = frozenset({"live.poll", "live.projector_live"})


class LivePollShortcut:
    """WSGI middleware: answer matching conditional polls with 304 directly."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.ttl = float(app.config.get("LIVE_REVISION_TTL", 0))
        self._revisions: dict[int, tuple[int | None, float]] = {}
        self._engine = None
        self._lock = threading.Lock()
        self._serializer = None
        self._sessions: dict[str, tuple[dict, float]] = {}
        self.hits = 0
        self.security_headers = list(headers_for(app).items())

    # --- the pieces of the tag ------------------------------------------------

    def revision(self, workshop_id: int) -> int | None:
        now = time.monotonic()
        cached = self._revisions.get(workshop_id)
        if cached is not None and now - cached[1] < self.ttl:
            return cached[0]
        if self._engine is None:
            self._prepare()
        # The statement is compiled once; exec_driver_sql skips SQLAlchemy's
        # per-call statement work (a third of the cost on SQLite) but still
        # goes through the engine, so its events (query logging, counting) fire.
        with self._engine.connect() as conn:
            row = conn.exec_driver_sql(
                self._sql, (workshop_id,) if self._positional else {"workshop_id": workshop_id}
            ).first()
        revision = row[0] if row else None
        self._revisions[workshop_id] = (revision, now)
        return revision

    def _prepare(self) -> None:
        """Find the engine and compile the query, once (threads may race here)."""
        with self._lock:
            if self._engine is not None:
                return
            with self.app.app_context():
                from .extensions import db

                engine = db.engine
            compiled = REVISION.compile(dialect=engine.dialect)
            self._sql = compiled.string
            self._positional = compiled.positional
            # Published last: a thread that sees the engine sees the query too.
            self._engine = engine

    def session(self, request: Request) -> dict[str, Any] | None:
        """The session's contents, or None when the cookie does not verify.

        A phone sends the same cookie every 2 s: verified contents are kept
        for a minute per exact cookie string (bounded), so the HMAC and JSON
        work is done once a minute, not on every poll.
        """
        cookie = request.cookies.get(self.app.config["SESSION_COOKIE_NAME"])
        if not cookie:
            return {}
        now = time.monotonic()
        known = self._sessions.get(cookie)
        if known is not None and now - known[1] < SESSION_MEMORY:
            return known[0]
        if self._serializer is None:
            self._serializer = self.app.session_interface.get_signing_serializer(self.app)
        try:
            max_age = int(self.app.permanent_session_lifetime.total_seconds())
            data = self._serializer.loads(cookie, max_age=max_age)
        except BadSignature:
            return None
        if len(self._sessions) >= MAX_SESSIONS:
            self._sessions.clear()
        self._sessions[cookie] = (data, now)
        return data

    # --- WSGI -------------------------------------------------------------------

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("HTTP_IF_NONE_MATCH"):
            answer = self.not_modified(environ)
            if answer is not None:
                self.hits += 1
                start_response("304 NOT MODIFIED", answer)
                return []
        return self.wsgi_app(environ, start_response)

    def not_modified(self, environ) -> list[tuple[str, str]] | None:
        """The 304's headers when the poller's tag is current, else None."""
        try:
            endpoint, args = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return None
        if endpoint not in POLL_ENDPOINTS:
            return None
        request = Request(environ)
        session = self.session(request)
        if session is None:
            return None
        workshop_id = args["workshop_id"]
        revision = self.revision(workshop_id)
        if revision is None:
            return None
        user = session.get("_user_id") or ""
        token = (session.get(SESSION_KEY) or {}).get(str(workshop_id)) or ""
        etag = etag_for(workshop_id, request.full_path, f"{user}:{token}", revision)
        if not request.if_none_match.contains(etag):
            return None
        return [
            ("ETag", f'"{etag}"'),
            ("Cache-Control", NO_STORE),
            ("Vary", "Cookie"),
            *self.security_headers,
        ]


def register(app: Flask) -> None:
    """Put the shortcut in front of the app (``LIVE_SHORTCUT=False`` turns it off)."""
    if not app.config.get("LIVE_SHORTCUT", True):
        return
    shortcut = LivePollShortcut(app, app.wsgi_app)
    app.extensions["live_shortcut"] = shortcut
    app.wsgi_app = shortcut

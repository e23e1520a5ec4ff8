"""The "nothing new" answer to a live poll (and a phone's delta of items others
wrote), before Flask is even entered.

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
  ``LIVE_REVISION_TTL`` seconds (0.5 in facilitator.config; 0 reads it every
  time). A change is thus seen at most that much later, on top of the poll
  interval.

It also answers a participant's *delta* (see facilitator.live.conditional)
when it can be built from items already rendered (facilitator.services.fragments):
the tag names the revision the phone has, and one Core query lists the items
changed since at the phone's table with the HTML stored when each was saved
(the phone's own items as the copy rendered for its author). If every one is
current there, or kept in this process since a layout change, their HTML is the
answer. In a busy room that is most polls, in every app process, and it costs a
fraction of rendering them again in Flask. A story whose post has not stored
its copies yet is left for the next poll (see ``_assemble``).

Anything else (no ``If-None-Match``, ``*``, a tag that does not match, a
deleted or unknown workshop, a bad cookie, a facilitator, someone who has not
joined, an item not rendered yet) goes on to Flask untouched, which renders,
checks access and tags as before. A 304 goes only to a participant whose token
names someone in the workshop, so it tells nobody else anything (not even that
the workshop exists). A delta shows a
participant only their own table's visible items, found the way
facilitator.phases.common.items_for finds them, for the participant their own
signed cookie names.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, case, literal_column, or_, select
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from ..access import SESSION_KEY
from ..core.bounded import LRU
from ..core.errors import Outage
from ..core.headers import headers_for
from ..models import Participant, Workshop
from ..services import fragments
from .conditional import NO_STORE, etag_for, holds, tagged_revision, variant_digest
from .feed import Feeds, changed_since, with_stored_copy

#: Built once: composing a statement costs more than SQLite takes to run it.
REVISION = select(Workshop.revision, Workshop.layout_revision, Workshop.phase).where(
    Workshop.id == bindparam("workshop_id"), Workshop.deleted_at.is_(None)
)
PARTICIPANT = select(Participant.id, Participant.group_id).where(
    Participant.workshop_id == bindparam("workshop_id"), Participant.token == bindparam("token")
)


def _changed_items(model):
    """A phone's visible items changed after ``since``, as items_for orders them,
    each with its stored HTML for this phone when that is current (else NULL):
    the author's own copy for their items, everyone's for the rest. Its table's
    and the whole room's: an unseated phone (group NULL) the whole room's alone."""
    viewer = case(
        (model.author_participant_id == bindparam("participant_id"), bindparam("participant_id")),
        else_=literal_column(str(fragments.NOBODY.id)),
    )
    columns = (model.id, model.revision, model.author_participant_id)
    stmt = with_stored_copy(model, columns, viewer)
    stmt = stmt.where(or_(model.group_id == bindparam("group_id"), model.group_id.is_(None)))
    return stmt.order_by(model.created_at, model.id)


CHANGED = {phase: _changed_items(model) for phase, model in fragments.SHARED_PHASES.items()}


#: How long (seconds) and how many verified session cookies are remembered.
SESSION_MEMORY = 60.0
MAX_SESSIONS = 20_000

#: How many workshops' revisions are remembered (least recently polled go first).
MAX_WORKSHOPS = 4096

#: How many URLs' routes are remembered (polls use a few; anything else with an
#: If-None-Match, such as a static file, must not grow it without bound).
MAX_ROUTES = 4096
_UNKNOWN = object()

#: The poll endpoints whose 304 this middleware may answer.
POLL_ENDPOINTS = frozenset({"live.poll", "live.projector_live"})


class LivePollShortcut:
    """WSGI middleware: answer current polls with 304, and phones' deltas of shared
    items with their kept HTML, before Flask."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.ttl = float(app.config.get("LIVE_REVISION_TTL", 0))
        self._revisions: LRU[int, tuple[tuple | None, float]] = LRU(MAX_WORKSHOPS)
        self._participants: dict[tuple[int, str], tuple[tuple | None, int]] = {}
        self.fragments: fragments.Fragments = app.extensions["live_fragments"]
        self._engine = None
        self._lock = threading.Lock()
        self._local = threading.local()
        self._serializer = None
        self._sessions: dict[str, tuple[dict, float]] = {}
        self._routes: dict[tuple, tuple[str, dict] | None] = {}
        self.hits = 0
        self.deltas = 0
        self.security_headers = list(headers_for(app).items())
        self.outage = Outage(app.logger, self.security_headers)
        self._csrf_field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self._csrf_signer = None
        self.feeds = Feeds(lambda phase, params: self._query(f"feed:{phase}", params))

    # --- the pieces of the tag ------------------------------------------------

    def state(self, workshop_id: int) -> tuple[int, int, str] | None:
        """(revision, layout revision, phase) of a workshop that is not deleted."""
        now = time.monotonic()
        cached = self._revisions.get(workshop_id)
        if cached is not None and now - cached[1] < self.ttl:
            return cached[0]
        row = self._query("state", {"workshop_id": workshop_id})
        state = (row[0][0], row[0][1], row[0][2]) if row else None
        self._revisions.put(workshop_id, (state, now))
        return state

    def _query(self, name: str, params: dict) -> list:
        if self._engine is None:
            self._prepare()
        sql, names, positional = self._sql[name]
        # Compiled once; exec_driver_sql skips SQLAlchemy's per-call statement
        # work (a third of the cost on SQLite) but still goes through the
        # engine, so its events (query logging, counting) fire.
        args = tuple(params[n] for n in names) if positional else {n: params[n] for n in names}
        scope = getattr(self._local, "scope", None)
        if scope is None:
            with self._engine.connect() as conn:
                return conn.exec_driver_sql(sql, args).all()
        # Inside one answer: one checkout for all its queries (on PostgreSQL a
        # checkout after an idle spell pings the server first), and none for a
        # 304 that needs none.
        if scope.conn is None:
            scope.conn = self._engine.connect()
        return scope.conn.exec_driver_sql(sql, args).all()

    def _prepare(self) -> None:
        """Find the engine and compile the queries, once (threads may race here)."""
        with self._lock:
            if self._engine is not None:
                return
            with self.app.app_context():
                from ..extensions import db

                engine = db.engine
            statements = {"state": REVISION, "participant": PARTICIPANT}
            statements.update({f"changed:{p}": stmt for p, stmt in CHANGED.items()})
            statements.update(
                {f"feed:{p}": changed_since(m) for p, m in fragments.SHARED_PHASES.items()}
            )
            compiled = {}
            for name, stmt in statements.items():
                c = stmt.compile(dialect=engine.dialect)
                names = list(c.positiontup) if c.positional else list(c.params)
                compiled[name] = (c.string, names, c.positional)
            self._sql = compiled
            # Published last: a thread that sees the engine sees the queries too.
            self._engine = engine

    def participant(
        self, workshop_id: int, token: str, layout: int
    ) -> tuple[int, int | None] | None:
        """(id, table) of the participant a phone's token names, kept per layout revision
        (seating someone elsewhere or removing them changes the layout)."""
        cache_key = (workshop_id, token)
        known = self._participants.get(cache_key)
        if known is not None and known[1] == layout:
            return known[0]
        rows = self._query("participant", {"workshop_id": workshop_id, "token": token})
        found = (rows[0][0], rows[0][1]) if rows else None
        if len(self._participants) >= MAX_SESSIONS:
            self._participants.clear()
        self._participants[cache_key] = (found, layout)
        return found

    def route(self, environ) -> tuple[str, dict] | None:
        """(endpoint, arguments) of a poll URL, matched by the app's own URL map;
        None for any other URL.

        A room polls a handful of URLs (one per workshop and phase) thousands
        of times a minute, and matching against every route was a third of a
        delta answer's own cost: matches are kept per host and path (bounded).
        """
        key = (environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"))
        known = self._routes.get(key, _UNKNOWN)
        if known is not _UNKNOWN:
            return known
        try:
            endpoint, args = self.app.url_map.bind_to_environ(environ).match()
            found = (endpoint, args) if endpoint in POLL_ENDPOINTS else None
        except HTTPException:
            found = None
        if len(self._routes) >= MAX_ROUTES:
            self._routes.clear()
        self._routes[key] = found
        return found

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
            self._local.scope = scope = _Scope()
            try:
                answer = self.answer(environ)
            except (OperationalError, InterfaceError) as exc:
                # The database is down or unreachable: what Flask's handler
                # (core.errors) answers, without a traceback per poll.
                answer = self.outage.answer(exc, bool(environ.get("HTTP_HX_REQUEST")))
            finally:
                self._local.scope = None
                if scope.conn is not None:
                    scope.conn.close()
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return body
        return self.wsgi_app(environ, start_response)

    def answer(self, environ) -> tuple[str, list[tuple[str, str]], list[bytes]] | None:
        """A 304 when the poller's tag is current, a delta from shared fragments
        when that is all it needs; None to let Flask answer."""
        matched = self.route(environ)
        if matched is None:
            return None
        endpoint, args = matched
        request = Request(environ)
        session = self.session(request)
        if session is None:
            return None
        workshop_id = args["workshop_id"]
        user = session.get("_user_id") or ""
        token = (session.get(SESSION_KEY) or {}).get(str(workshop_id)) or ""
        if user or not token:
            # Only joined phones are answered here (see may_see): facilitators'
            # few screens, and anyone who has not joined, go to Flask.
            return None
        state = self.state(workshop_id)
        if state is None:
            return None
        revision, layout, phase = state
        if not self.may_see(workshop_id, token, layout):
            return None
        viewer = f"{user}:{token}"
        etag = etag_for(workshop_id, request.full_path, viewer, revision)
        headers = [
            ("ETag", f'"{etag}"'),
            ("Cache-Control", NO_STORE),
            ("Vary", "Cookie"),
            *self.security_headers,
        ]
        if holds(request.if_none_match, etag):
            self.hits += 1
            return "304 NOT MODIFIED", headers, []
        if endpoint != "live.poll":
            return None
        found = self.delta(request, args, workshop_id, viewer, token, revision, layout, phase)
        if found is None:
            return None
        body, upto = found
        if upto is not None:
            # A story whose copies its post has not stored yet is left for the
            # next poll: this answer is what the screen shows up to just before it.
            headers[0] = ("ETag", f'"{etag_for(workshop_id, request.full_path, viewer, upto)}"')
        if fragments.CSRF_HOLE in body:
            # Their own items' Delete buttons: their session's token, as Flask-WTF
            # would give it (without one, Flask answers and makes it).
            csrf = self.csrf_token(session)
            body = None if csrf is None else fragments.fill(body, csrf)
        if body is None:
            return None
        self.deltas += 1
        body = body.encode()
        headers += [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("X-Live-Delta", "1"),
        ]
        return "200 OK", headers, [body]

    def may_see(self, workshop_id: int, token: str, layout: int) -> bool:
        """Whether this shortcut may answer a joined phone at all: its token names
        someone in the workshop (kept per layout revision, as for deltas).

        Anyone else goes to Flask, which checks access before its own 304: a
        stranger's tag is easy to compute, and a 304 here would tell them the
        workshop's live revision. Facilitators' screens (a few consoles and the
        projector) are answered by Flask too, with its login and role checks."""
        return self.participant(workshop_id, token, layout) is not None

    def delta(self, request, args, workshop_id, viewer, token, revision, layout, phase):
        """A phone's delta built from shared fragments, and the revision to tag it
        with when that is not the room's (see :meth:`_assemble`); or None (Flask
        renders it)."""
        board = args["phase_name"]
        # The phone's page is the room's phase (else Flask tells it the room moved on).
        if board != phase or board not in fragments.SHARED_PHASES:
            return None
        if request.args.get("room", phase) != phase:
            return None
        digest = variant_digest(workshop_id, request.full_path, viewer)
        since = tagged_revision(request.if_none_match, digest, revision, layout)
        if since is None:
            return None
        person = self.participant(workshop_id, token, layout)
        if person is None:
            return None
        participant_id, group_id = person
        params = {
            "workshop_id": workshop_id,
            "since": since,
            "group_id": group_id,
            "participant_id": participant_id,
            "layout": layout,
            "phase": board,
        }
        # Most polls: the tail of what this process last read of the room
        # (facilitator.live.feed). If it cannot say, or read an item before its
        # copies were stored, the phone's own query (which may find them since:
        # far cheaper than Flask rendering the item), whose copies it learns.
        rows = self.feeds.rows(
            workshop_id, board, layout, revision, since, group_id, participant_id
        )
        found = None if rows is None else self._assemble(rows, board, layout, participant_id)
        if found is None:
            rows = self._query(f"changed:{board}", params)
            self.feeds.learn(workshop_id, board, participant_id, rows)
            found = self._assemble(rows, board, layout, participant_id, since)
        return found

    def _assemble(
        self, rows, board: str, layout: int, participant_id: int, since: int | None = None
    ) -> tuple[str, int | None] | None:
        """The delta's HTML from each row's copy (stored, or kept in this process
        since Flask rendered it), and None for "tag it with the room's revision".

        A row with neither copy is a story whose post has committed it but not
        yet stored its copies (a second, short transaction: a busy room sees
        that gap on every post). Without ``since`` that makes the answer None.
        With it, the items changed before that story are the answer, tagged
        with the revision just below it: the next poll asks from there and finds
        the story (its copies stored by then), so in a busy room the phones of
        its table do not each have Flask render it meanwhile. That happens once
        per story and screen: a screen already tagged just below it is answered
        by Flask, so a copy that is never stored (its transaction lost a lock)
        costs one poll's wait, not the story.
        """
        parts = []
        pending = None  # the lowest revision of a row without a copy
        for item_id, item_revision, author_id, html in rows:
            if html is None:
                # Not stored as of this layout: one Flask rendered since, here?
                # Their own items carry their controls: the copy rendered for them.
                author = participant_id if author_id == participant_id else None
                cache_key = fragments.key(board, item_id, item_revision, layout, author)
                html = self.fragments.get(cache_key)
                if html is None:
                    if since is None:
                        return None
                    pending = item_revision if pending is None else min(pending, item_revision)
            parts.append((item_revision, html))
        if pending is None:
            return "".join(html for _, html in parts), None
        if pending - 1 == since:
            return None
        # Edits in place of older items may carry revisions above it: next time.
        return "".join(html for revision, html in parts if revision < pending), pending - 1

    def csrf_token(self, session: dict) -> str | None:
        """The session's CSRF token signed as flask_wtf.csrf.generate_csrf signs it."""
        raw = session.get(self._csrf_field)
        if not raw:
            return None
        if self._csrf_signer is None:
            secret = self.app.config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
            self._csrf_signer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
        return self._csrf_signer.dumps(raw)


class _Scope:
    """The database connection of one answer, opened when its first query needs it."""

    conn = None


def register(app: Flask) -> None:
    """Put the shortcut in front of the app (``LIVE_SHORTCUT=False`` turns it off)."""
    app.extensions["live_fragments"] = fragments.Fragments()
    if not app.config.get("LIVE_SHORTCUT", True):
        return
    shortcut = LivePollShortcut(app, app.wsgi_app)
    app.extensions["live_shortcut"] = shortcut
    app.wsgi_app = shortcut

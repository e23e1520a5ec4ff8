"""Conditional GETs for polling screens.

Every screen polls about every two seconds. The answer is "nothing new" most
of the time, so that answer must be cheap: the entity tag is derived from the
workshop's revision (bumped by :func:`facilitator.services.live.bump` on every
change a screen could show), the exact URL polled (phase, view, mode) and who
is asking (their session's facilitator id or participant token). Working it
out needs one single-row read of the ``workshop`` table and the signed session
cookie, nothing else: a poll that matches ``If-None-Match`` is answered
``304 Not Modified`` without loading the person, the groups or any
contribution.

The revision is read *before* the view reads anything else, so the content
sent is never older than the tag that labels it (a change that lands in
between only makes the next poll fetch once more).
"""

from __future__ import annotations

import hashlib

from flask import Response, abort, g, request, session

from ..access import SESSION_KEY
from ..extensions import db
from ..models import Workshop

#: Poll answers are never stored: the client keeps the last tag itself
#: (static/js/live.js) and sends it as ``If-None-Match``, so a 304 reaches the
#: page and htmx leaves the screen alone. A browser cache would instead replay
#: a stale body (with a stale server clock for the timer).
NO_STORE = "no-store"


def live_revision(workshop_id: int) -> int | None:
    """The revision of a workshop that is not deleted: one primary-key read."""
    return db.session.execute(
        db.select(Workshop.revision).where(
            Workshop.id == workshop_id, Workshop.deleted_at.is_(None)
        )
    ).scalar_one_or_none()


def viewer_key(workshop_id: int) -> str:
    """Who is asking, from the signed session alone (no database read)."""
    user = session.get("_user_id") or ""
    token = (session.get(SESSION_KEY) or {}).get(str(workshop_id)) or ""
    return f"{user}:{token}"


def etag_for(workshop_id: int, full_path: str, viewer: str, revision: int) -> str:
    """The (unquoted) entity tag for a URL, a viewer key and ``revision``.

    A pure function: facilitator.live_shortcut computes the same tag outside Flask.
    """
    variant = f"{workshop_id}|{full_path}|{viewer}"
    digest = hashlib.sha256(variant.encode()).hexdigest()[:20]
    return f"r{revision}-{digest}"


def live_etag(workshop_id: int, revision: int) -> str:
    """The (unquoted) entity tag for this request's URL, viewer and ``revision``."""
    return etag_for(workshop_id, request.full_path, viewer_key(workshop_id), revision)


def not_modified_or_tag(workshop_id: int) -> Response | None:
    """``304 Not Modified`` when the poller already has the current state.

    Otherwise remember the tag in ``g`` for :func:`tagged` and return None so
    the view renders the fresh fragment. Unknown or deleted workshops: 404.
    """
    revision = live_revision(workshop_id)
    if revision is None:
        abort(404)
    etag = live_etag(workshop_id, revision)
    g.live_etag = etag
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        return tagged(response)
    return None


def tagged(response: Response) -> Response:
    """Label a poll answer with the tag worked out before rendering."""
    etag = g.get("live_etag")
    if etag and response.status_code in (200, 304):
        response.set_etag(etag)
    response.headers["Cache-Control"] = NO_STORE
    response.vary.add("Cookie")
    return response

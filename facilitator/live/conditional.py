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

When something did change, the tag the poller sent still says which revision
its screen shows. If the only changes since were items added or edited in
place, the answer is those items alone (a *delta*, :func:`delta_base`), not the
whole board: in a busy room the revision moves many times a second, and
re-rendering every board for every phone is what a room of 1,000 cannot afford.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

from flask import Response, abort, g, request, session

from ..access import SESSION_KEY
from ..extensions import db
from ..models import Workshop

#: Poll answers are never stored: the client keeps the last tag itself
#: (static/js/live.js) and sends it as ``If-None-Match``, so a 304 reaches the
#: page and htmx leaves the screen alone. A browser cache would instead replay
#: a stale body (with a stale server clock for the timer).
NO_STORE = "no-store"


def viewer_key(workshop_id: int) -> str:
    """Who is asking, from the signed session alone (no database read)."""
    user = session.get("_user_id") or ""
    token = (session.get(SESSION_KEY) or {}).get(str(workshop_id)) or ""
    return f"{user}:{token}"


def variant_digest(workshop_id: int, full_path: str, viewer: str) -> str:
    """What the tag says about *which* answer it labels: URL and viewer, hashed."""
    variant = f"{workshop_id}|{full_path}|{viewer}"
    return hashlib.sha256(variant.encode()).hexdigest()[:20]


def etag_for(workshop_id: int, full_path: str, viewer: str, revision: int) -> str:
    """The (unquoted) entity tag for a URL, a viewer key and ``revision``.

    A pure function: facilitator.live.shortcut computes the same tag outside Flask.
    """
    return f"r{revision}-{variant_digest(workshop_id, full_path, viewer)}"


TAG = re.compile(r"r(\d{1,18})-([0-9a-f]{20})")


def delta_base(workshop_id: int, revision: int, layout_revision: int) -> int | None:
    """The revision the poller's screen shows, when sending only what changed since is enough.

    The poller's ``If-None-Match`` names the revision of the last answer it
    applied, for this same URL and viewer (the digest must match: a tag from
    another screen or person says nothing about this one). A delta is enough
    when no layout change (see :func:`facilitator.services.live.bump`) happened
    after that revision; otherwise, or without a usable tag, None: send it all.
    """
    digest = variant_digest(workshop_id, request.full_path, viewer_key(workshop_id))
    return tagged_revision(request.if_none_match, digest, revision, layout_revision)


def tagged_revision(if_none_match, digest: str, revision: int, layout_revision: int) -> int | None:
    """:func:`delta_base` on its parts (the WSGI shortcut has no Flask request)."""
    for tag in if_none_match.as_set():
        match = TAG.fullmatch(tag)
        if match and hmac.compare_digest(match[2], digest):
            since = int(match[1])
            if layout_revision <= since < revision:
                return since
    return None


def holds(if_none_match, etag: str) -> bool:
    """Whether the poller sent exactly ``etag``.

    ``If-None-Match: *`` names no tag: answered 304 it would tell anyone who
    asks that the workshop exists, and ``*`` never comes from static/js/live.js,
    which sends back the tag it was given.
    """
    return if_none_match.is_strong(etag)


def live_etag(workshop_id: int, revision: int) -> str:
    """The (unquoted) entity tag for this request's URL, viewer and ``revision``."""
    return etag_for(workshop_id, request.full_path, viewer_key(workshop_id), revision)


def not_modified_or_tag(workshop_id: int, allowed: Callable[[Workshop], object]) -> Response | None:
    """``304 Not Modified`` when the poller already has the current state.

    Otherwise remember the tag in ``g`` for :func:`tagged`, and in
    ``g.live_since`` the revision a delta may start from (or None: render it
    all), and return None so the view renders. Unknown or deleted workshops: 404.

    ``allowed(workshop)`` is the view's own access check (it aborts when the
    poller may not see the workshop), run before a 304: anyone can compute the
    tag of a stranger's (empty) viewer key, and a 304 that skipped the check
    would tell them the workshop's live revision.
    """
    # The whole row, through the session: the view's load_workshop() then finds
    # it in the identity map instead of reading it again.
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.deleted_at is not None:
        abort(404)
    revision, layout_revision = workshop.revision, workshop.layout_revision
    etag = live_etag(workshop_id, revision)
    g.live_etag = etag
    if holds(request.if_none_match, etag):
        allowed(workshop)
        response = Response(status=304)
        return tagged(response)
    g.live_since = delta_base(workshop_id, revision, layout_revision)
    return None


def tagged(response: Response, *, delta: bool = False) -> Response:
    """Label a poll answer with the tag worked out before rendering.

    ``delta``: the body holds only the items changed since ``g.live_since``
    (``X-Live-Delta: 1`` tells static/js/live.js to place them, not swap).
    """
    etag = g.get("live_etag")
    if etag and response.status_code in (200, 304):
        response.set_etag(etag)
    if delta:
        response.headers["X-Live-Delta"] = "1"
    response.headers["Cache-Control"] = NO_STORE
    response.vary.add("Cookie")
    return response


def page_tag(workshop: Workshop, poll_url: str) -> str:
    """The tag a page's poller starts with: the one its first poll would get now.

    The page was rendered from this request's workshop row, read before its
    items, so it shows at least that revision; sending the tag back makes the
    first poll a 304 or a delta instead of the whole board a second time.
    """
    return etag_for(workshop.id, poll_url, viewer_key(workshop.id), workshop.revision)

"""The WSGI shortcut answers "nothing new" polls with the same 304 Flask would,
and hands everything else to Flask."""

from __future__ import annotations

import urllib.parse

import pytest
from flask import Flask

from facilitator.core.headers import HEADERS
from facilitator.extensions import db
from facilitator.models import Workshop

HX = {"HX-Request": "true"}


def poll_url(wid: int) -> str:
    return f"/w/{wid}/live/discovery?" + urllib.parse.urlencode({"room": "discovery"})


@pytest.fixture
def shortcut(app: Flask):
    return app.extensions["live_shortcut"]


def test_unchanged_poll_is_answered_before_flask(app, client, create_workshop, join, shortcut):
    wid = create_workshop()
    join(client, wid)
    first = client.get(poll_url(wid), headers=HX)
    assert first.status_code == 200 and shortcut.hits == 0

    again = client.get(poll_url(wid), headers={**HX, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert shortcut.hits == 1
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "no-store"
    assert "Cookie" in again.headers["Vary"]
    for name, value in HEADERS.items():
        assert again.headers[name] == value


def test_a_change_makes_the_next_poll_fresh(app, client, create_workshop, join, shortcut):
    wid = create_workshop()
    join(client, wid)
    etag = client.get(poll_url(wid), headers=HX).headers["ETag"]
    client.post(f"/w/{wid}/discovery/new", data={"title": "Keys on release day"}, headers=HX)
    fresh = client.get(poll_url(wid), headers={**HX, "If-None-Match": etag})
    assert fresh.status_code == 200
    assert "Keys on release day" in fresh.get_data(as_text=True)
    assert shortcut.hits == 0


def test_another_viewer_or_a_forged_cookie_goes_to_flask(
    app, client, create_workshop, join, shortcut
):
    wid = create_workshop()
    join(client, wid)
    etag = client.get(poll_url(wid), headers=HX).headers["ETag"]
    stranger = app.test_client()
    assert stranger.get(poll_url(wid), headers={**HX, "If-None-Match": etag}).status_code == 403
    forged = app.test_client()
    forged.set_cookie("session", "eyJqb2luZWQiOnt9fQ.forged.signature", domain="localhost")
    assert forged.get(poll_url(wid), headers={**HX, "If-None-Match": etag}).status_code == 403
    assert shortcut.hits == 0


def test_deleted_workshop_is_404_even_with_a_current_tag(
    app, client, create_workshop, join, shortcut
):
    wid = create_workshop()
    join(client, wid)
    etag = client.get(poll_url(wid), headers=HX).headers["ETag"]
    with app.app_context():
        db.session.get(Workshop, wid).deleted_at = db.func.now()
        db.session.commit()
    assert client.get(poll_url(wid), headers={**HX, "If-None-Match": etag}).status_code == 404
    assert shortcut.hits == 0


def test_facilitators_screens_get_their_304_from_flask(app, facilitator_client, shortcut):
    """A few screens per room: Flask checks their login and role before the 304
    (tests/test_poll_oracle.py), and the shortcut leaves them alone."""
    client, wid, _ = facilitator_client
    first = client.get(f"/w/{wid}/projector/live", headers=HX)
    assert first.status_code == 200
    again = client.get(
        f"/w/{wid}/projector/live", headers={**HX, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and shortcut.hits == 0


def test_other_conditional_requests_pass_through(client, shortcut):
    first = client.get("/static/css/app.css")
    again = client.get("/static/css/app.css", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert shortcut.hits == 0


def test_routes_are_remembered_per_path_and_bounded(app, shortcut, monkeypatch):
    """Poll URLs are matched once by the app's URL map; other URLs are never
    answered; a flood of distinct paths cannot grow the memory past its bound."""
    from werkzeug.test import EnvironBuilder

    import facilitator.live.shortcut as module

    def environ(path: str) -> dict:
        return EnvironBuilder(path=path, query_string="room=discovery").get_environ()

    matched = []
    real_bind = app.url_map.bind_to_environ
    monkeypatch.setattr(
        app.url_map,
        "bind_to_environ",
        lambda env: matched.append(env["PATH_INFO"]) or real_bind(env),
    )
    for _ in range(3):
        assert shortcut.route(environ("/w/7/live/dream")) == (
            "live.poll",
            {"workshop_id": 7, "phase_name": "dream"},
        )
        assert shortcut.route(environ("/w/7/projector/live"))[0] == "live.projector_live"
        assert shortcut.route(environ("/w/7/discovery/")) is None  # a board, not a poll
        assert shortcut.route(environ("/no/such/page")) is None
    assert sorted(matched) == sorted(
        ["/w/7/live/dream", "/w/7/projector/live", "/w/7/discovery/", "/no/such/page"]
    )
    monkeypatch.setattr(module, "MAX_ROUTES", 3)
    for n in range(10):
        shortcut.route(environ(f"/static/{n}.css"))
    assert len(shortcut._routes) <= 3


def test_first_polls_in_parallel_threads_all_get_the_revision(app, create_workshop):
    """gunicorn threads hit a fresh worker at once: none may see a half-prepared query."""
    from concurrent.futures import ThreadPoolExecutor

    from facilitator.live.shortcut import LivePollShortcut

    wid = create_workshop()
    for _ in range(5):
        fresh = LivePollShortcut(app, app.wsgi_app)
        with ThreadPoolExecutor(8) as pool:
            states = list(pool.map(fresh.state, [wid] * 16))
        assert states == [(1, 1, "discovery")] * 16


@pytest.fixture
def cached_app(app_config):
    app_config["LIVE_REVISION_TTL"] = 60
    return app_config


def test_revision_ttl_trades_freshness_for_fewer_reads(
    cached_app, app, client, create_workshop, join, shortcut
):
    wid = create_workshop()
    join(client, wid)
    etag = client.get(poll_url(wid), headers=HX).headers["ETag"]
    assert client.get(poll_url(wid), headers={**HX, "If-None-Match": etag}).status_code == 304
    client.post(f"/w/{wid}/discovery/new", data={"title": "Seen a minute later"}, headers=HX)
    # Within the TTL the cached revision still says "nothing new".
    assert client.get(poll_url(wid), headers={**HX, "If-None-Match": etag}).status_code == 304
    shortcut._revisions.clear()  # the minute is up
    assert client.get(poll_url(wid), headers={**HX, "If-None-Match": etag}).status_code == 200

"""Errors a person or a phone can meet read as such: a database outage is a
503 that says what to do (with the security headers), and ids or file names
past any real one are a 404, never a 500."""

from __future__ import annotations

import logging
import urllib.parse

import pytest
from sqlalchemy.engine import make_url

from facilitator import create_app
from facilitator.core.headers import HEADERS
from facilitator.extensions import db

HX = {"HX-Request": "true"}


def poll_url(wid: int) -> str:
    return f"/w/{wid}/live/discovery?" + urllib.parse.urlencode({"room": "discovery"})


def unreachable(url: str, tmp_path) -> str:
    """The same kind of database, down: nothing answers there."""
    if make_url(url).get_backend_name() == "postgresql":
        return make_url(url).set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path}/no-such-folder/facilitator.sqlite3"


@pytest.fixture
def outage(app_config, tmp_path):
    """The app as a worker sees it when its database is down."""
    down = create_app(
        {
            **app_config,
            "SQLALCHEMY_DATABASE_URI": unreachable(app_config["SQLALCHEMY_DATABASE_URI"], tmp_path),
        }
    )
    yield down
    with down.app_context():
        db.session.remove()
        db.engine.dispose()


def assert_readable_503(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    body = response.get_data(as_text=True)
    assert "database" in body.lower() or "try again" in body.lower(), body
    assert "Traceback" not in body and "OperationalError" not in body
    assert response.headers.get("Retry-After")
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name


@pytest.mark.parametrize("shortcut", [True, False])
def test_polls_during_an_outage_get_a_readable_503(
    shortcut, app, app_config, outage, client, create_workshop, join, caplog
):
    wid = create_workshop()
    join(client, wid)
    first = client.get(poll_url(wid), headers=HX)
    assert first.status_code == 200
    if not shortcut:
        outage.wsgi_app = outage.extensions["live_shortcut"].wsgi_app
    phone = outage.test_client()
    phone.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    with caplog.at_level(logging.WARNING):
        for headers in ({**HX, "If-None-Match": first.headers["ETag"]}, HX):
            assert_readable_503(phone.get(poll_url(wid), headers=headers))
    # One line each, no traceback per poll.
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert caplog.records, "the outage was not logged at all"


def test_a_facilitators_poll_during_an_outage_is_a_503_too(app, outage, facilitator_client):
    client, wid, _ = facilitator_client
    console = outage.test_client()
    console.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    assert_readable_503(console.get(poll_url(wid) + "&mode=console", headers=HX))
    assert_readable_503(console.get(f"/w/{wid}/projector/live", headers=HX))


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/w/{HUGE}/",
        f"/w/{HUGE}/discovery/",
        f"/w/{HUGE}/live/discovery?room=discovery",
        f"/w/{HUGE}/projector/live",
        f"/w/{HUGE}/console",
        f"/w/{HUGE}/report",
        f"/w/{HUGE}/actions.csv",
        "/w/2147483648/discovery/",
        "/w/1/discovery/" + HUGE + "/edit",
        "/w/" + "9" * 5000 + "/",
    ],
)
def test_ids_past_any_real_one_are_404(app, facilitator_client, path):
    client, wid, _ = facilitator_client
    path = path.replace("/w/1/", f"/w/{wid}/")
    for headers in ({}, {"If-None-Match": "*", **HX}):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, (path, response.status_code)


def test_a_huge_id_in_a_post_is_404(app, facilitator_client):
    client, wid, _ = facilitator_client
    for action in ("delete", "hide", "merge", "move", "edit"):
        response = client.post(f"/w/{wid}/discovery/{HUGE}/{action}", data={"into": "1"})
        assert response.status_code == 404, action


def test_the_largest_real_id_still_matches(app):
    with app.test_request_context():
        from flask import url_for

        url = url_for("live.console", workshop_id=2**31 - 1)
    adapter = app.url_map.bind("localhost")
    assert adapter.match(url.replace("http://localhost", ""))[1] == {"workshop_id": 2**31 - 1}


@pytest.mark.parametrize("name", ["a" * 300, "css/" + "b" * 5000 + ".css", "x/" * 2000])
def test_over_long_static_names_are_404(client, name):
    assert client.get(f"/static/{name}").status_code == 404


def test_merging_into_a_huge_id_is_refused_readably(app, facilitator_client):
    client, wid, _ = facilitator_client
    r = client.post(f"/w/{wid}/discovery/new", data={"title": "One story", "group": "0"})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    with app.app_context():
        from facilitator.models import Example

        item = db.session.execute(db.select(Example.id)).scalar_one()
    for into in (HUGE, "2147483648", "-3"):
        response = client.post(f"/w/{wid}/discovery/{item}/merge", data={"into": into}, headers=HX)
        assert response.status_code == 422, (into, response.status_code)
        assert "duplicates" in response.get_data(as_text=True)

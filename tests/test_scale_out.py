"""Scale-out: two app instances (separate gunicorn servers, as behind a load
balancer) on ONE database share everything that matters. A phone joins and
posts through one; the other sees the post in its poll and its page, and
accepts the phone's session because both have the same SECRET_KEY."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from facilitator.extensions import db
from facilitator.models import Workshop
from tests.support.server import gunicorn_server

HX = {"HX-Request": "true"}


def fetch(opener, url: str, data: dict | None = None, headers: dict | None = None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', page
    )
    assert found, page[:500]
    return found.group(1)


@pytest.mark.slow
def test_a_post_through_one_instance_appears_through_the_other(app, database_url, create_workshop):
    wid = create_workshop(groups=("Table 1",))
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        code, gid = workshop.join_code, workshop.groups[0].id
    phone = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with (
        gunicorn_server(database_url, workers=1, threads=2) as one,
        gunicorn_server(database_url, workers=1, threads=2) as two,
    ):
        _, _, welcome = fetch(phone, f"{one}/j/{code}")
        status, _, page = fetch(
            phone, f"{one}/j/{code}", {"csrf_token": csrf(welcome), "name": "Ana", "group": gid}
        )
        assert status == 200 and "Ana" in page  # redirected to the phase page on one

        poll = f"{two}/w/{wid}/live/discovery?room=discovery"
        status, headers, _ = fetch(phone, poll, headers=HX)
        assert status == 200, "instance two must accept the session made by instance one"
        etag = headers["ETag"]

        status, _, _ = fetch(
            phone,
            f"{one}/w/{wid}/discovery/new",
            {"csrf_token": csrf(page), "title": "Seen through the other instance"},
            headers=HX,
        )
        assert status == 200

        status, _, body = fetch(phone, poll, headers={**HX, "If-None-Match": etag})
        assert status == 200
        assert "Seen through the other instance" in body
        _, _, board = fetch(phone, f"{two}/w/{wid}/discovery/")
        assert "Seen through the other instance" in board

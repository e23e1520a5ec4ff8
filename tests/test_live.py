"""How live works: polls answer with an ETag from the workshop's revision and
honour If-None-Match with a 304 that reads nothing but that revision; every
change bumps the revision; phones follow the room from phase to phase."""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from facilitator import create_app
from facilitator.extensions import db
from facilitator.models import Base, Example, Group, Workshop
from tests.support.server import gunicorn_server
from tests.support.sql import recorded_sql

HX = {"HX-Request": "true"}
CONTRIBUTION_TABLES = (
    "example",
    "theme",
    "mission_statement",
    "vote",
    "design_element",
    "action_point",
    "action_signup",
    "statement_theme",
)


def poll_url(wid: int, phase: str = "discovery", **args) -> str:
    args.setdefault("room", phase)
    return f"/w/{wid}/live/{phase}?" + urllib.parse.urlencode(args)


def revision(app, wid: int) -> int:
    with app.app_context():
        return db.session.get(Workshop, wid).revision


def add_example(client, wid: int, title: str, **extra):
    return client.post(f"/w/{wid}/discovery/new", data={"title": title, **extra}, headers=HX)


def test_poll_answers_304_reading_only_the_revision(app, app_config, client, create_workshop, join):
    wid = create_workshop()
    join(client, wid)
    add_example(client, wid, "The gate pickup")
    first = client.get(poll_url(wid), headers=HX)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"r') and "The gate pickup" in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "no-store"

    # Both ways to the 304: the WSGI shortcut in front of Flask (facilitator.live.shortcut)
    # and, with it turned off, the view's own check (facilitator.live.conditional).
    # Each checks that the phone's token names someone here before its 304
    # (tests/test_poll_oracle.py): Flask reads the participant every time, the
    # shortcut once per layout revision, so its steady state is the revision alone.
    flask_only = create_app({**app_config, "LIVE_SHORTCUT": False})
    try:
        for target, reads in ((app, ["workshop"]), (flask_only, ["workshop", "participant"])):
            phone = target.test_client()
            phone.set_cookie("session", client.get_cookie("session").value)
            phone.get(poll_url(wid), headers={**HX, "If-None-Match": etag})
            with recorded_sql(target) as statements:
                again = phone.get(poll_url(wid), headers={**HX, "If-None-Match": etag})
            assert again.status_code == 304
            assert again.headers["ETag"] == etag
            assert again.headers["Cache-Control"] == "no-store"
            assert again.get_data() == b""
            assert len(statements) == len(reads), statements
            for statement, table in zip(statements, reads, strict=True):
                assert re.search(rf"\bFROM {table}\b", statement), statement
            for table in CONTRIBUTION_TABLES + ("workshop_group",):
                assert not any(re.search(rf"\b{table}\b", s) for s in statements), table
    finally:
        with flask_only.app_context():
            db.session.remove()
            db.engine.dispose()


def test_change_elsewhere_makes_the_next_poll_fresh(app, client, create_workshop, join):
    wid = create_workshop()
    join(client, wid, name="Writer")
    other = app.test_client()
    join(other, wid, name="Reader")
    etag = other.get(poll_url(wid), headers=HX).headers["ETag"]
    assert other.get(poll_url(wid), headers={**HX, "If-None-Match": etag}).status_code == 304

    assert add_example(client, wid, "Mentors who stay").status_code == 200
    fresh = other.get(poll_url(wid), headers={**HX, "If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != etag
    assert "Mentors who stay" in fresh.get_data(as_text=True)


def test_etag_depends_on_who_asks(app, client, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid)
    a = fac.get(poll_url(wid), headers=HX).headers["ETag"]
    b = phone.get(poll_url(wid), headers=HX).headers["ETag"]
    assert a != b
    # One viewer's tag does not buy another viewer a 304.
    assert phone.get(poll_url(wid), headers={**HX, "If-None-Match": a}).status_code == 200


def test_every_change_bumps_the_revision(app, client, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    pid = join(phone, wid)
    with app.app_context():
        groups = [g.id for g in db.session.get(Workshop, wid).groups]

    def bumped(action) -> None:
        before = revision(app, wid)
        response = action()
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
        assert revision(app, wid) > before

    bumped(lambda: add_example(phone, wid, "First story"))
    with app.app_context():
        item = db.session.execute(db.select(Example.id)).scalar_one()
    bumped(lambda: phone.post(f"/w/{wid}/discovery/{item}/edit", data={"title": "Edited"}))
    bumped(lambda: fac.post(f"/w/{wid}/discovery/{item}/hide"))
    bumped(lambda: fac.post(f"/w/{wid}/discovery/{item}/delete"))
    bumped(lambda: fac.post(f"/w/{wid}/console/lock", data={"locked": "1"}))
    bumped(lambda: fac.post(f"/w/{wid}/console/lock", data={"locked": "0"}))
    bumped(lambda: fac.post(f"/w/{wid}/console/timer", data={"action": "start", "minutes": "5"}))
    bumped(lambda: fac.post(f"/w/{wid}/console/timer", data={"action": "pause"}))
    bumped(lambda: fac.post(f"/w/{wid}/console/timer", data={"action": "add", "minutes": "1"}))
    bumped(lambda: fac.post(f"/w/{wid}/console/timer", data={"action": "resume"}))
    bumped(lambda: fac.post(f"/w/{wid}/console/timer", data={"action": "stop"}))
    bumped(lambda: fac.post(f"/w/{wid}/console/phase", data={"phase": "dream"}))
    bumped(lambda: fac.post(f"/w/{wid}/participants/{pid}/move", data={f"p{pid}-group": groups[2]}))
    # Joining shows on no live screen: the phones already there keep their 304s.
    before = revision(app, wid)
    assert join_again(app, wid).status_code == 302
    assert revision(app, wid) == before


def join_again(app, wid):
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        code, group = workshop.join_code, workshop.groups[0].id
    return app.test_client().post(f"/j/{code}", data={"name": "Late", "group": group})


def test_phone_sees_only_its_own_tables_items(app, client, create_workshop, join):
    wid = create_workshop()
    join(client, wid, name="Ana", group=0)
    other = app.test_client()
    join(other, wid, name="Bo", group=1)
    add_example(client, wid, "From table one")
    add_example(other, wid, "From table two")
    for response in (client.get(f"/w/{wid}/discovery/"), client.get(poll_url(wid), headers=HX)):
        html = response.get_data(as_text=True)
        assert "From table one" in html
        assert "From table two" not in html
        assert "Table 2" not in html.split('id="live-items"', 1)[1]


def test_poll_swaps_only_the_contributions_region(app, client, create_workshop, join):
    wid = create_workshop()
    join(client, wid)
    page = client.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    poller = re.search(r'<div id="live-items"[^>]*>', page, re.S).group(0)
    # Every 2 s, and at once when a post on this page went in (HX-Trigger).
    assert 'hx-trigger="every 2s, live-refresh from:body"' in poller
    assert 'hx-select="#live-items"' in poller and 'hx-swap="outerHTML"' in poller
    assert "data-poll" in poller
    before, region = page.split('id="live-items"', 1)
    assert "compose-form" in before and "data-draft" in before
    assert "<textarea" not in region and "<input" not in region.split("</section>\n  </div>")[0]
    # The poll's answer also refreshes the room status out of band.
    answer = client.get(poll_url(wid), headers=HX).get_data(as_text=True)
    assert 'id="live-status"' in answer and 'hx-swap-oob="true"' in answer


def test_htmx_config_leaves_the_screen_alone_on_304(client):
    page = client.get("/join").get_data(as_text=True)
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", page).group(1))
    rules = [rule["code"] for rule in config["responseHandling"]]
    rule_304 = config["responseHandling"][rules.index("304")]
    assert rule_304 == {"code": "304", "swap": False}
    assert rules.index("304") < rules.index("[23]..")
    assert "js/live.js" in page and "js/timer.js" in page


def test_phone_follows_the_room_to_the_next_phase(app, client, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid)
    fac.post(f"/w/{wid}/console/phase", data={"phase": "dream"})

    moved = phone.get(poll_url(wid, room="discovery"), headers=HX)
    assert moved.status_code == 200
    html = moved.get_data(as_text=True)
    # A link that live.js follows unless unsent text is on screen; the poller
    # keeps asking as the page was rendered, so the notice stays.
    notice = re.search(r"<p [^>]*data-room-moved.*?</p>", html, re.S).group(0)
    assert "The room has moved on to Dream." in notice
    assert f'href="/w/{wid}/dream/" data-room-link' in notice
    poller = re.search(r'<div id="live-items"[^>]*>', html, re.S).group(0)
    assert "room=discovery" in poller
    # Browsing an earlier phase on purpose is fine once the room is known.
    assert "data-room-moved" not in phone.get(poll_url(wid, room="dream"), headers=HX).get_data(
        as_text=True
    )
    # The console reloads; a facilitator reading a phase page stays put.
    console = fac.get(poll_url(wid, room="discovery", mode="console"), headers=HX)
    assert console.headers["HX-Redirect"] == f"/w/{wid}/console"
    stay = fac.get(poll_url(wid, room="discovery"), headers=HX)
    assert "HX-Redirect" not in stay.headers
    assert "data-room-moved" not in stay.get_data(as_text=True)


def test_polls_refuse_outsiders_without_redirecting(app, client, create_workshop):
    wid = create_workshop()
    response = client.get(poll_url(wid), headers=HX)
    assert response.status_code == 403
    assert "Location" not in response.headers
    assert client.get(poll_url(999), headers=HX).status_code == 404
    assert client.get(f"/w/{wid}/live/nonsense", headers=HX).status_code == 404


def test_locked_workshop_refuses_a_post_but_keeps_the_text(app, client, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid)
    fac.post(f"/w/{wid}/console/lock", data={"locked": "1"})
    page = phone.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "paused contributions" in page
    refused = add_example(phone, wid, "Half-written story")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "paused contributions for a moment" in html
    assert 'value="Half-written story"' in html
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Example.id))).scalar_one() == 0
    fac.post(f"/w/{wid}/console/lock", data={"locked": "0"})
    assert add_example(phone, wid, "Half-written story").status_code == 200


def test_closed_phase_says_so(app, client, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid)
    fac.post(f"/w/{wid}/console/phase", data={"phase": "dream"})
    refused = add_example(phone, wid, "Too late")
    assert refused.status_code == 409
    assert "The Discovery phase is closed" in refused.get_data(as_text=True)


# --- across gunicorn workers ----------------------------------------------------------


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _fetch(opener, url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_post_on_one_worker_shows_in_the_next_poll(database_url, tmp_path):
    """Two gunicorn workers share nothing but the database: a post is in the next
    polls (within the revision TTL)."""
    url = database_url
    if url.startswith("sqlite"):
        url = "sqlite:///" + str(tmp_path / "live.sqlite3")
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        workshop = Workshop(title="Live across workers", join_code="LVWRK2")
        workshop.groups.append(Group(name="Table A", position=0))
        session.add(workshop)
        session.commit()
        wid, gid = workshop.id, workshop.groups[0].id
    engine.dispose()

    with gunicorn_server(url, workers=2, threads=2) as base:
        phones = []
        for name in ("Writer", "Reader"):
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            _, _, welcome = _fetch(opener, f"{base}/j/LVWRK2")
            form = {"csrf_token": _csrf(welcome), "name": name, "group": gid}
            status, _, _ = _fetch(opener, f"{base}/j/LVWRK2", urllib.parse.urlencode(form).encode())
            assert status == 200  # followed the redirect to the phase page
            phones.append(opener)
        writer, reader = phones
        poll = f"{base}{poll_url(wid)}"
        status, headers, _ = _fetch(reader, poll, headers=HX)
        assert status == 200
        etag = headers["ETag"]
        status, _, _ = _fetch(reader, poll, headers={**HX, "If-None-Match": etag})
        assert status == 304

        _, _, page = _fetch(writer, f"{base}/w/{wid}/discovery/")
        body = urllib.parse.urlencode({"title": "Seen across workers"}).encode()
        status, _, _ = _fetch(
            writer,
            f"{base}/w/{wid}/discovery/new",
            body,
            headers={**HX, "X-CSRFToken": _csrf(page)},
        )
        assert status == 200
        # Each worker may reuse the revision it read for LIVE_REVISION_TTL (0.5 s
        # by default), so the story is in a poll within about that long.
        for _ in range(50):
            status, headers, html = _fetch(reader, poll, headers={**HX, "If-None-Match": etag})
            if status == 200:
                break
            assert status == 304
            time.sleep(0.05)
        assert status == 200
        assert headers["ETag"] != etag
        assert "Seen across workers" in html

"""The facilitator console: all groups live, phase control, pausing, the timer."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from facilitator.extensions import db
from facilitator.live import operations as live_ops
from facilitator.live.operations import LiveError
from facilitator.models import Example, Phase, Workshop

HX = {"HX-Request": "true"}
NOW = datetime(2026, 5, 16, 10, 0, 0, tzinfo=UTC)


def workshop(app, wid: int) -> Workshop:
    return db.session.get(Workshop, wid)


def test_console_shows_every_group_live(app, client, facilitator_client, join):
    fac, wid, _ = facilitator_client
    for index, title in enumerate(["Story at one", "Story at two", "Story at three"]):
        phone = app.test_client()
        join(phone, wid, name=f"P{index}", group=index)
        phone.post(f"/w/{wid}/discovery/new", data={"title": title}, headers=HX)
    html = fac.get(f"/w/{wid}/console").get_data(as_text=True)
    for heading in ("Table 1", "Table 2", "Table 3"):
        assert heading in html
    for title in ("Story at one", "Story at two", "Story at three"):
        assert title in html
    poller = re.search(r'<div id="live-items"[^>]*>', html, re.S).group(0)
    assert "mode=console" in poller and "every 2s" in poller
    assert "Move on to Dream" in html and "Pause contributions" in html


def test_console_is_for_facilitators_only(app, client, create_workshop, join):
    wid = create_workshop()
    anonymous = client.get(f"/w/{wid}/console")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    join(client, wid)
    # A participant is sent to the facilitators' login; nothing changes.
    for response in (
        client.get(f"/w/{wid}/console"),
        client.post(f"/w/{wid}/console/phase", data={"phase": "dream"}),
        client.post(f"/w/{wid}/console/lock", data={"locked": "1"}),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert workshop(app, wid).phase == Phase.DISCOVERY
        assert not workshop(app, wid).locked


def test_overview_and_nav_lead_to_the_console(facilitator_client):
    fac, wid, _ = facilitator_client
    overview = fac.get(f"/w/{wid}/").get_data(as_text=True)
    assert f'href="/w/{wid}/console"' in overview
    assert f'href="/w/{wid}/projector"' in overview
    board = fac.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert f'href="/w/{wid}/console"' in board


def test_next_and_previous_phase(app, facilitator_client):
    fac, wid, _ = facilitator_client
    assert fac.post(f"/w/{wid}/console/phase", data={"phase": "dream"}).status_code == 302
    html = fac.get(f"/w/{wid}/console").get_data(as_text=True)
    assert "Back to Discovery" in html and "Move on to Design" in html
    assert "Imagine the system working at its best" in html  # Dream's prompt and board
    fac.post(f"/w/{wid}/console/phase", data={"phase": "discovery"})
    with app.app_context():
        assert workshop(app, wid).phase == Phase.DISCOVERY
    bad = fac.post(f"/w/{wid}/console/phase", data={"phase": "elsewhere"})
    assert bad.status_code == 422
    assert "Pick a phase." in bad.get_data(as_text=True)


def test_step_phase_stops_at_the_ends(app, ctx, create_workshop):
    wid = create_workshop(phase=Phase.DESTINY)
    w = db.session.get(Workshop, wid)
    with pytest.raises(LiveError, match="last phase"):
        live_ops.step_phase(w, 1)
    assert live_ops.step_phase(w, -1) == Phase.DESIGN
    assert live_ops.neighbour_phase(Phase.DISCOVERY, -1) is None


def test_lock_refuses_participant_posts_but_not_facilitators(app, client, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid)
    assert fac.post(f"/w/{wid}/console/lock", data={"locked": "1"}).status_code == 302
    refused = phone.post(f"/w/{wid}/discovery/new", data={"title": "Mine"}, headers=HX)
    assert refused.status_code == 409
    assert "paused contributions" in refused.get_data(as_text=True)
    ok = fac.post(
        f"/w/{wid}/discovery/new", data={"title": "Facilitator's", "group": 0}, headers=HX
    )
    assert ok.status_code == 200
    console = fac.get(f"/w/{wid}/console").get_data(as_text=True)
    assert "Reopen contributions" in console
    assert "Contributions from participants are paused." in console
    with app.app_context():
        titles = db.session.execute(db.select(Example.title)).scalars().all()
    assert titles == ["Facilitator's"]


# --- the timer: server-clock maths -------------------------------------------------


def test_timer_start_pause_resume_add_stop(app, ctx, create_workshop):
    w = db.session.get(Workshop, create_workshop())
    assert live_ops.timer_view(w, NOW).state == "stopped"

    live_ops.start_timer(w, 10, now=NOW)
    view = live_ops.timer_view(w, NOW + timedelta(seconds=90))
    assert view.state == "running"
    assert view.remaining == 510
    assert view.label == "8:30"
    assert view.ends_at_ms - view.now_ms == 510_000

    live_ops.pause_timer(w, now=NOW + timedelta(seconds=90.2))
    paused = live_ops.timer_view(w, NOW + timedelta(hours=1))
    assert (paused.state, paused.remaining) == ("paused", 510)  # ceil of 509.8; time stands still

    live_ops.add_minutes(w, 2, now=NOW + timedelta(hours=1))
    assert live_ops.seconds_left(w, NOW) == 630

    later = NOW + timedelta(hours=2)
    live_ops.resume_timer(w, now=later)
    assert live_ops.timer_view(w, later + timedelta(seconds=30)).remaining == 600

    live_ops.add_minutes(w, 5, now=later)
    assert live_ops.seconds_left(w, later) == 930

    live_ops.stop_timer(w)
    assert live_ops.timer_view(w, later).state == "stopped"
    assert w.timer_ends_at is None and w.timer_remaining is None


def test_timer_edges(app, ctx, create_workshop):
    w = db.session.get(Workshop, create_workshop())
    live_ops.add_minutes(w, 3, now=NOW)  # a stopped timer starts
    assert live_ops.seconds_left(w, NOW) == 180
    expired = NOW + timedelta(minutes=10)
    assert live_ops.seconds_left(w, expired) == 0  # never negative
    assert live_ops.timer_view(w, expired).label == "0:00"
    live_ops.add_minutes(w, 1, now=expired)  # a finished timer runs again from now
    assert live_ops.seconds_left(w, expired) == 60
    with pytest.raises(LiveError):
        live_ops.start_timer(w, 0, now=NOW)
    with pytest.raises(LiveError):
        live_ops.add_minutes(w, live_ops.MAX_TIMER_MINUTES, now=expired)
    assert live_ops.seconds_left(w, expired) == 60  # refused change left nothing behind
    live_ops.start_timer(w, 90, now=NOW)
    assert live_ops.timer_view(w, NOW).label == "1:30:00"
    live_ops.set_phase(w, Phase.DREAM)  # a new phase starts without the old timer
    assert live_ops.timer_view(w, NOW).state == "stopped"


def test_timer_from_the_console_shows_the_server_clock(app, facilitator_client, join):
    fac, wid, _ = facilitator_client
    assert (
        fac.post(f"/w/{wid}/console/timer", data={"action": "start", "minutes": "7"}).status_code
        == 302
    )
    phone = app.test_client()
    join(phone, wid)
    html = phone.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    timer = re.search(r"<span class=\"timer[^>]*>", html).group(0)
    ends = int(re.search(r'data-ends-at-ms="(\d+)"', timer).group(1))
    now = int(re.search(r'data-server-now-ms="(\d+)"', timer).group(1))
    assert 'data-state="running"' in timer
    with app.app_context():
        stored = live_ops.aware(workshop(app, wid).timer_ends_at)
    assert ends == int(stored.timestamp() * 1000)
    assert 0 < ends - now <= 7 * 60 * 1000

    fac.post(f"/w/{wid}/console/timer", data={"action": "pause"})
    html = phone.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert 'data-state="paused"' in html and "paused</small>" in html


def test_timer_form_errors_are_shown(facilitator_client):
    fac, wid, _ = facilitator_client
    for data, message in (
        ({"action": "start", "minutes": "0"}, "Between 1 and"),
        ({"action": "start", "minutes": ""}, "Say how many minutes."),
        ({"action": "explode", "minutes": "5"}, "Unknown timer action."),
    ):
        response = fac.post(f"/w/{wid}/console/timer", data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)


# --- the console's layout, head count and edits (issue 17) ---------------------


def test_the_compose_box_is_folded_under_the_tables_heading(app, facilitator_client):
    fac, wid, _ = facilitator_client
    html = fac.get(f"/w/{wid}/console").get_data(as_text=True)
    fold = re.search(r'<details class="compose-fold">\s*<summary>Add a story</summary>', html)
    assert fold is not None  # folded (no "open"): the tables come next on the screen
    assert html.index('id="compose"') > fold.start()
    assert html.index('id="live-items"') > html.index("</details>", fold.start())
    # The phase page itself keeps its open box: phones write there.
    board = fac.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "compose-fold" not in board and 'id="compose-heading"' in board


def test_a_refused_post_from_the_console_opens_the_fold(app, facilitator_client):
    fac, wid, _ = facilitator_client
    console = f"http://localhost/w/{wid}/console"
    # htmx posts swap #compose alone, inside the fold the person opened.
    swapped = fac.post(
        f"/w/{wid}/discovery/new", data={"title": ""}, headers={**HX, "HX-Current-URL": console}
    )
    assert swapped.status_code == 422 and "compose-fold" not in swapped.get_data(as_text=True)
    # Without htmx the whole page comes back: never folded away from its error.
    page = fac.post(f"/w/{wid}/discovery/new", data={"title": "", "story": "Kept text"})
    assert page.status_code == 422 and "Kept text" in page.get_data(as_text=True)


def test_a_board_swapped_into_the_console_stays_the_consoles(app, facilitator_client):
    fac, wid, _ = facilitator_client
    with app.app_context():
        item = Example(workshop_id=wid, title="Mentors at the gate", story="")
        db.session.add(item)
        db.session.commit()
        item_id, second = item.id, workshop(app, wid).groups[1].id
    console = f"http://localhost/w/{wid}/console"
    moved = fac.post(
        f"/w/{wid}/discovery/{item_id}/move",
        data={"group": second},
        headers={**HX, "HX-Current-URL": console},
    ).get_data(as_text=True)
    poller = re.search(r'<div id="live-items"[^>]*>', moved, re.S).group(0)
    assert "mode=console" in poller and "compose-fold" in moved


def test_the_head_count_is_live(app, facilitator_client, join):
    fac, wid, _ = facilitator_client
    html = fac.get(f"/w/{wid}/console").get_data(as_text=True)
    counter = re.search(r'<span id="head-count"[^>]*>([^<]*)</span>', html, re.S)
    assert counter.group(1) == "0 participants"
    assert f'hx-get="/w/{wid}/console/head-count"' in counter.group(0)
    assert "data-poll" in counter.group(0) and 'hx-trigger="every 5s"' in counter.group(0)
    tag = re.search(
        r'data-etag="&#34;(p\d+)&#34;"|data-etag="&quot;(p\d+)&quot;"', counter.group(0)
    )
    assert tag is not None

    url = f"/w/{wid}/console/head-count"
    unchanged = fac.get(url, headers={**HX, "If-None-Match": '"p0"'})
    assert unchanged.status_code == 304
    for name in ("Ana", "Ben", "Cy"):
        join(app.test_client(), wid, name=name)
    fresh = fac.get(url, headers={**HX, "If-None-Match": '"p0"'})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"p3"'
    assert ">3 participants</span>" in fresh.get_data(as_text=True)
    assert fac.get(url, headers={**HX, "If-None-Match": '"p3"'}).status_code == 304


def test_the_head_count_tells_nobody_else_anything(app, facilitator_client, join):
    _, wid, _ = facilitator_client
    url = f"/w/{wid}/console/head-count"
    phone, client = app.test_client(), app.test_client()
    join(phone, wid)
    # Not a 304 for a guessed tag: the same refusal as without one.
    for headers in ({}, {"If-None-Match": '"p1"'}, {"If-None-Match": "*"}):
        assert phone.get(url, headers={**HX, **headers}).status_code == 403
        assert client.get(url, headers={**HX, **headers}).status_code in (302, 403)


def test_editing_from_the_console_returns_to_the_console(app, facilitator_client):
    fac, wid, _ = facilitator_client
    with app.app_context():
        item = Example(workshop_id=wid, title="Mentors at the gate", story="")
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    edit = f"/w/{wid}/discovery/{item_id}/edit"
    console = f"http://localhost/w/{wid}/console"
    page = fac.get(edit, headers={"Referer": console}).get_data(as_text=True)
    assert '<input type="hidden" name="back" value="console">' in page
    assert f'<a href="/w/{wid}/console">Cancel</a>' in page
    saved = fac.post(
        edit, data={"title": "Mentors met people at the gate", "group": "0", "back": "console"}
    )
    assert saved.status_code == 302 and saved.headers["Location"] == f"/w/{wid}/console"
    # A refused edit keeps the way back.
    refused = fac.post(edit, data={"title": "", "group": "0", "back": "console"}).get_data(
        as_text=True
    )
    assert 'name="back" value="console"' in refused
    # From the phase board, back to the phase board.
    assert 'name="back"' not in fac.get(edit).get_data(as_text=True)
    saved = fac.post(edit, data={"title": "Mentors at the gate, again", "group": "0"})
    assert saved.headers["Location"] == f"/w/{wid}/discovery/"

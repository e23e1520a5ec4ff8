"""The projector: QR code and join code, phase and timer, the live wall, vote bars."""

from __future__ import annotations

import re

from facilitator.extensions import db
from facilitator.models import Example, MissionStatement, Participant, Phase, Vote, Workshop

HX = {"HX-Request": "true"}


def test_projector_shows_qr_code_and_join_code(app, facilitator_client):
    fac, wid, _ = facilitator_client
    with app.app_context():
        code = db.session.get(Workshop, wid).join_code
    response = fac.get(f"/w/{wid}/projector")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    svg = re.search(r"<svg [^>]*class=\"qr\".*?</svg>", html, re.S).group(0)
    assert f"http://localhost/j/{code}" in svg  # its title names the absolute join URL
    assert "<path" in svg and "style=" not in svg  # drawn by segno, nothing the CSP would block
    assert (
        f'<p class="visually-hidden">Join code</p>\n    <p class="projector-code">{code}</p>'
        in html
    )
    assert "<script>" not in html
    assert "site-header" not in html  # the room screen has no navigation chrome
    # The wall the room watches polls every second (phones and consoles every 2 s).
    poller = re.search(r'<section id="projector-live"[^>]*>', html).group(0)
    assert 'hx-trigger="every 1s, live-refresh from:body"' in poller


def test_qr_code_as_an_svg_file(app, facilitator_client):
    fac, wid, _ = facilitator_client
    response = fac.get(f"/w/{wid}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    body = response.get_data(as_text=True)
    assert body.startswith("<?xml") and "<svg" in body and "/j/" in body


def test_projector_is_for_facilitators(app, client, create_workshop, join):
    wid = create_workshop()
    assert client.get(f"/w/{wid}/projector").status_code == 302  # to the login page
    assert client.get(f"/w/{wid}/qr.svg").status_code == 302
    join(client, wid)
    assert client.get(f"/w/{wid}/projector").status_code == 302
    assert client.get(f"/w/{wid}/projector/live", headers=HX).status_code == 403


def test_wall_by_group_without_hidden_items(app, facilitator_client, join):
    fac, wid, _ = facilitator_client
    phone = app.test_client()
    join(phone, wid, group=1)
    phone.post(f"/w/{wid}/discovery/new", data={"title": "Peer mentors"}, headers=HX)
    phone.post(f"/w/{wid}/discovery/new", data={"title": "Rude remark"}, headers=HX)
    with app.app_context():
        rude = db.session.execute(db.select(Example).filter_by(title="Rude remark")).scalar_one()
        rude_id = rude.id
    fac.post(f"/w/{wid}/discovery/{rude_id}/hide")
    fac.post(f"/w/{wid}/console/timer", data={"action": "start", "minutes": "15"})
    html = fac.get(f"/w/{wid}/projector/live", headers=HX).get_data(as_text=True)
    columns = re.findall(r'<section class="wall-column"[^>]*>\s*<h2>([^<]+)', html)
    assert [c.strip() for c in columns] == ["Table 1", "Table 2", "Table 3"]
    table_two = html.split("Table 2", 1)[1].split("Table 3", 1)[0]
    assert "Peer mentors" in table_two
    assert "Rude remark" not in html
    assert 'data-timer data-state="running"' in html
    assert "Discovery" in html


def test_projector_poll_is_conditional(app, facilitator_client):
    fac, wid, _ = facilitator_client
    first = fac.get(f"/w/{wid}/projector/live", headers=HX)
    etag = first.headers["ETag"]
    assert (
        fac.get(f"/w/{wid}/projector/live", headers={**HX, "If-None-Match": etag}).status_code
        == 304
    )
    fac.post(f"/w/{wid}/console/phase", data={"phase": "dream"})
    fresh = fac.get(f"/w/{wid}/projector/live", headers={**HX, "If-None-Match": etag})
    assert fresh.status_code == 200 and "Dream" in fresh.get_data(as_text=True)


def test_dream_vote_bars_grow_with_the_dots(app, facilitator_client):
    fac, wid, _ = facilitator_client
    with app.app_context():
        w = db.session.get(Workshop, wid)
        w.phase = Phase.DREAM
        people = [Participant(workshop_id=wid) for _ in range(2)]
        big = MissionStatement(workshop_id=wid, text="Everyone is met at the gate", seed_votes=2)
        small = MissionStatement(workshop_id=wid, text="Housing on day one")
        hidden = MissionStatement(workshop_id=wid, text="Moderated away", hidden=True)
        db.session.add_all([*people, big, small, hidden])
        db.session.flush()
        db.session.add_all(
            [
                Vote(workshop_id=wid, statement_id=big.id, participant_id=people[0].id, slot=1),
                Vote(workshop_id=wid, statement_id=big.id, participant_id=people[1].id, slot=1),
                Vote(workshop_id=wid, statement_id=small.id, participant_id=people[0].id, slot=2),
                Vote(workshop_id=wid, statement_id=small.id, participant_id=people[1].id, slot=2),
            ]
        )
        db.session.commit()

    def bars():
        html = fac.get(f"/w/{wid}/projector/live", headers=HX).get_data(as_text=True)
        rows = re.findall(
            r'<span class="bar-label">([^<]+)</span>.*?class="bar-fill"[^>]*width="([\d.]+)".*?'
            r'<span class="bar-count">(\d+)</span>',
            html,
            re.S,
        )
        return [(label, float(width), int(count)) for label, width, count in rows]

    assert bars() == [
        ("Everyone is met at the gate", 100.0, 4),
        ("Housing on day one", 50.0, 2),
    ]
    with app.app_context():
        small_id = db.session.execute(
            db.select(MissionStatement.id).filter_by(text="Housing on day one")
        ).scalar_one()
        extra = [Participant(workshop_id=wid) for _ in range(3)]
        db.session.add_all(extra)
        db.session.flush()
        db.session.add_all(
            Vote(workshop_id=wid, statement_id=small_id, participant_id=p.id, slot=1) for p in extra
        )
        db.session.commit()
    assert bars() == [
        ("Housing on day one", 100.0, 5),
        ("Everyone is met at the gate", 80.0, 4),
    ]

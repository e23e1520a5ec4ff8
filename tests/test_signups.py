"""Destiny: quick status changes on the board, and participants signing up to help."""

from __future__ import annotations

from sqlalchemy import select

from facilitator.extensions import db
from facilitator.models import ActionPoint, ActionSignup, ActionStatus, Phase, Workshop

HX = {"HX-Request": "true"}


def add_action(app, wid, text="Write to the housing minister", **fields):
    with app.app_context():
        action = ActionPoint(workshop_id=wid, action=text, **fields)
        db.session.add(action)
        db.session.commit()
        return action.id


def helper_ids(app, action_id):
    with app.app_context():
        return sorted(
            db.session.execute(
                select(ActionSignup.participant_id).where(ActionSignup.action_id == action_id)
            ).scalars()
        )


def test_facilitator_changes_status_from_the_board(app, facilitator_client):
    client, wid, _ = facilitator_client
    action = add_action(app, wid, owner="Ana")
    page = client.get(f"/w/{wid}/destiny/").get_data(as_text=True)
    assert f'id="status-{action}"' in page
    assert "Set status" in page
    response = client.post(
        f"/w/{wid}/destiny/{action}/status", data={"status": "in_progress"}, headers=HX
    )
    assert response.status_code == 200
    assert "“Write to the housing minister” is in progress." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ActionPoint, action).status == ActionStatus.IN_PROGRESS
    bad = client.post(f"/w/{wid}/destiny/{action}/status", data={"status": "abandoned"}, headers=HX)
    assert bad.status_code == 422
    assert "Pick one of the listed statuses." in bad.get_data(as_text=True)
    done = client.post(f"/w/{wid}/destiny/{action}/status", data={"status": "done"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(ActionPoint, action).status == ActionStatus.DONE


def test_participants_cannot_change_status(app, client, create_workshop, join):
    wid = create_workshop(phase=Phase.DESTINY)
    action = add_action(app, wid)
    join(client, wid)
    page = client.get(f"/w/{wid}/destiny/").get_data(as_text=True)
    assert "Set status" not in page
    response = client.post(f"/w/{wid}/destiny/{action}/status", data={"status": "done"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ActionPoint, action).status == ActionStatus.PROPOSED


def test_sign_up_toggle_shows_count_and_names(app, create_workshop, join):
    wid = create_workshop(phase=Phase.DESTINY)
    action = add_action(app, wid)
    ana, ben = app.test_client(), app.test_client()
    ana_id = join(ana, wid, name="Ana")
    ben_id = join(ben, wid, name="Ben")
    page = ana.get(f"/w/{wid}/destiny/").get_data(as_text=True)
    assert "<strong>0</strong> will help" in page
    assert "I will help" in page

    response = ana.post(f"/w/{wid}/destiny/{action}/signup", headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Thank you: you are down to help." in body
    # htmx swaps this action's block alone: the compose box keeps what is being typed.
    assert body.lstrip().startswith(f'<div class="signups" id="signups-{action}">')
    assert "compose" not in body
    assert "<strong>1</strong> will help: Ana" in body
    assert "I can’t help after all" in body
    assert ben.post(f"/w/{wid}/destiny/{action}/signup").status_code == 302
    assert helper_ids(app, action) == sorted([ana_id, ben_id])
    assert "<strong>2</strong> will help: Ana, Ben" in ben.get(f"/w/{wid}/destiny/").get_data(
        as_text=True
    )

    # Toggle off.
    response = ana.post(f"/w/{wid}/destiny/{action}/signup", headers=HX)
    assert "You are no longer down to help." in response.get_data(as_text=True)
    assert helper_ids(app, action) == [ben_id]


def test_sign_up_refused_outside_destiny_or_when_locked(app, client, create_workshop, join):
    wid = create_workshop(phase=Phase.DESIGN)
    action = add_action(app, wid)
    join(client, wid)
    refused = client.post(f"/w/{wid}/destiny/{action}/signup", headers=HX)
    assert refused.status_code == 409
    assert "Sign-ups open in the Destiny phase" in refused.get_data(as_text=True)
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        workshop.phase = Phase.DESTINY
        workshop.locked = True
        db.session.commit()
    refused = client.post(f"/w/{wid}/destiny/{action}/signup", headers=HX)
    assert refused.status_code == 409
    assert "paused the room" in refused.get_data(as_text=True)
    assert helper_ids(app, action) == []


def test_facilitator_without_participant_cannot_sign_up(app, facilitator_client, create_workshop):
    client, wid, _ = facilitator_client
    other = create_workshop(phase=Phase.DESTINY)
    action = add_action(app, wid)
    foreign = add_action(app, other)
    with app.app_context():
        db.session.get(Workshop, wid).phase = Phase.DESTINY
        db.session.commit()
    refused = client.post(f"/w/{wid}/destiny/{action}/signup", headers=HX)
    assert refused.status_code == 409
    assert "join as a participant too" in refused.get_data(as_text=True)
    missing = client.post(f"/w/{wid}/destiny/{foreign}/signup")
    assert missing.status_code == 404
    assert "not part of this workshop" in missing.get_data(as_text=True)
    assert helper_ids(app, action) == []

"""The Destiny action form: past due dates are questioned, and participants do
not create actions that are already done."""

from __future__ import annotations

import re
from datetime import date, timedelta

from facilitator.extensions import db
from facilitator.models import ActionPoint, ActionStatus, Phase

HX = {"HX-Request": "true"}
LAST_MONTH = (date.today() - timedelta(days=30)).isoformat()
NEXT_MONTH = (date.today() + timedelta(days=30)).isoformat()


def _post(client, wid, **fields):
    data = {
        "action": "Open a drop-in at the library",
        "owner": "Sam",
        "status": "proposed",
        "statement": "0",
        "design": "0",
        "group": "0",
    }
    data.update(fields)
    return client.post(f"/w/{wid}/destiny/new", data=data, headers=HX)


def _actions(app, wid):
    with app.app_context():
        return list(db.session.execute(db.select(ActionPoint).filter_by(workshop_id=wid)).scalars())


def _status_options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="status".*?</select>', html, re.S).group(0)
    return re.findall(r'<option[^>]*value="([^"]+)"', select)


def test_a_past_due_date_is_questioned_and_the_text_kept(app, client, create_workshop, join):
    wid = create_workshop(phase=Phase.DESTINY)
    join(client, wid)
    refused = _post(client, wid, due_on=LAST_MONTH)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "is in the past" in html and "tick the box" in html
    assert "Open a drop-in at the library" in html and f'value="{LAST_MONTH}"' in html
    assert 'name="past_due_ok"' in html  # the box appears only now
    assert _actions(app, wid) == []

    kept = _post(client, wid, due_on=LAST_MONTH, past_due_ok="y")
    assert kept.status_code == 200, kept.get_data(as_text=True)
    [action] = _actions(app, wid)
    assert action.due_on.isoformat() == LAST_MONTH


def test_a_future_date_asks_nothing(app, client, create_workshop, join):
    wid = create_workshop(phase=Phase.DESTINY)
    join(client, wid)
    response = _post(client, wid, due_on=NEXT_MONTH)
    assert response.status_code == 200
    assert 'name="past_due_ok"' not in client.get(f"/w/{wid}/destiny/").get_data(as_text=True)
    assert len(_actions(app, wid)) == 1


def test_editing_keeps_a_stored_past_date_without_asking_again(app, facilitator_client):
    fac, wid, _ = facilitator_client
    with app.app_context():
        action = ActionPoint(
            workshop_id=wid, action="Write to the council", due_on=date(2025, 3, 1)
        )
        db.session.add(action)
        db.session.commit()
        aid = action.id
    data = {"action": "Write to the council again", "due_on": "2025-03-01", "status": "agreed"}
    data.update(statement="0", design="0", group="0")
    response = fac.post(f"/w/{wid}/destiny/{aid}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    # Moving it to another past date is a new date: questioned.
    data["due_on"] = "2025-02-01"
    response = fac.post(f"/w/{wid}/destiny/{aid}/edit", data=data)
    assert response.status_code == 422 and "is in the past" in response.get_data(as_text=True)


def test_participants_cannot_create_an_action_already_done(app, client, create_workshop, join):
    wid = create_workshop(phase=Phase.DESTINY)
    join(client, wid)
    board = client.get(f"/w/{wid}/destiny/").get_data(as_text=True)
    assert _status_options(board) == ["proposed", "agreed", "in_progress"]
    refused = _post(client, wid, status="done")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "marked done by the facilitator" in html
    assert "Open a drop-in at the library" in html
    assert _actions(app, wid) == []


def test_facilitators_may_record_an_action_done(app, facilitator_client):
    fac, wid, _ = facilitator_client
    board = fac.get(f"/w/{wid}/destiny/").get_data(as_text=True)
    assert "done" in _status_options(board)
    response = _post(fac, wid, status="done")
    assert response.status_code == 200, response.get_data(as_text=True)
    [action] = _actions(app, wid)
    assert action.status == ActionStatus.DONE

"""A phase the room has left is closed to participants' edits and deletions.

A Dream statement deleted during Destiny took its votes and its designs' links
with it. Now participants change their own contributions in the room's
current phase only, unless the facilitator opens earlier phases (a workshop
setting); facilitators always moderate. A refusal says why, on the page and
in an htmx fragment.
"""

from __future__ import annotations

import pytest

from facilitator.extensions import db
from facilitator.models import (
    ActionPoint,
    DesignElement,
    Example,
    MissionStatement,
    Participant,
    Phase,
    Vote,
    Workshop,
)

HX = {"HX-Request": "true"}


@pytest.fixture
def room(app, facilitator_client, join):
    """A Dream statement by a participant, with a dot and a design serving it; the
    room then moved on to Destiny by the facilitator's console."""
    facilitator, wid, _ = facilitator_client
    phone = app.test_client()
    pid = join(phone, wid)
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        group_id = workshop.groups[0].id
        workshop.phase = Phase.DREAM
        statement = MissionStatement(
            workshop_id=wid, group_id=group_id, text="Met at the gate", author_participant_id=pid
        )
        story = Example(
            workshop_id=wid, group_id=group_id, title="The gate pickup", author_participant_id=pid
        )
        db.session.add_all([statement, story])
        db.session.flush()
        db.session.add(Vote(workshop_id=wid, statement_id=statement.id, participant_id=pid, slot=1))
        design = DesignElement(
            workshop_id=wid, group_id=group_id, text="Mentors", statement=statement
        )
        db.session.add(design)
        db.session.commit()
        ids = {"statement": statement.id, "story": story.id, "design": design.id}
    # Anything the room moves on by: the console's phase control.
    assert facilitator.post(f"/w/{wid}/console/phase", data={"phase": "destiny"}).status_code == 302
    return facilitator, phone, wid, pid, ids


def test_a_closed_phases_statement_cannot_be_deleted_by_its_author(app, room):
    _, phone, wid, _, ids = room
    url = f"/w/{wid}/dream/{ids['statement']}"
    for headers in ({}, HX):
        refused = phone.post(f"{url}/delete", headers=headers)
        assert refused.status_code == 409
        text = refused.get_data(as_text=True)
        assert "Dream phase is closed" in text and "Destiny" in text
    fragment = phone.post(f"{url}/delete", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment.lower()  # a fragment for htmx, not a page
    with app.app_context():
        statement = db.session.get(MissionStatement, ids["statement"])
        assert statement is not None and statement.text == "Met at the gate"
        assert db.session.execute(db.select(db.func.count()).select_from(Vote)).scalar_one() == 1
        assert db.session.get(DesignElement, ids["design"]).statement_id == ids["statement"]


def test_nor_edited(app, room):
    _, phone, wid, _, ids = room
    for phase, key, field in (("dream", "statement", "text"), ("discovery", "story", "title")):
        url = f"/w/{wid}/{phase}/{ids[key]}/edit"
        page = phone.get(url)
        assert page.status_code == 409
        assert f"{phase.capitalize()} phase is closed" in page.get_data(as_text=True)
        refused = phone.post(url, data={field: "Rewritten"}, headers=HX)
        assert refused.status_code == 409
    with app.app_context():
        assert db.session.get(MissionStatement, ids["statement"]).text == "Met at the gate"
        assert db.session.get(Example, ids["story"]).title == "The gate pickup"


def test_the_board_offers_no_edit_or_delete_in_a_closed_phase(app, room):
    _, phone, wid, _, ids = room
    board = phone.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert "Met at the gate" in board
    assert f"/dream/{ids['statement']}/edit" not in board
    assert f"/dream/{ids['statement']}/delete" not in board


def test_the_current_phase_stays_open_to_its_authors(app, room):
    _, phone, wid, pid, _ = room
    with app.app_context():
        action = ActionPoint(workshop_id=wid, action="Recruit mentors", author_participant_id=pid)
        db.session.add(action)
        db.session.commit()
        action_id = action.id
    board = phone.get(f"/w/{wid}/destiny/").get_data(as_text=True)
    assert f"/destiny/{action_id}/edit" in board
    assert phone.post(f"/w/{wid}/destiny/{action_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(ActionPoint, action_id) is None


def test_facilitators_always_moderate(app, room):
    facilitator, _, wid, _, ids = room
    edited = facilitator.post(
        f"/w/{wid}/discovery/{ids['story']}/edit", data={"title": "Tidied", "group": "0"}
    )
    assert edited.status_code == 302
    assert facilitator.post(f"/w/{wid}/dream/{ids['statement']}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Example, ids["story"]).title == "Tidied"
        assert db.session.get(MissionStatement, ids["statement"]) is None


def settings_form(app, wid: int, earlier: str) -> dict:
    with app.app_context():
        w = db.session.get(Workshop, wid)
        return {
            "title": w.title,
            "topic": w.topic,
            "dots_per_participant": str(w.dots_per_participant),
            "group_assignment": w.group_assignment,
            "previous": "0",
            "earlier_phases": earlier,
        }


def test_the_facilitator_can_open_earlier_phases(app, room):
    facilitator, phone, wid, _, ids = room
    with app.app_context():
        layout_before = db.session.get(Workshop, wid).layout_revision
    form = facilitator.get(f"/w/{wid}/edit").get_data(as_text=True)
    assert 'name="earlier_phases"' in form
    saved = facilitator.post(f"/w/{wid}/edit", data=settings_form(app, wid, "open"))
    assert saved.status_code == 302
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        assert workshop.earlier_phases_open
        # Boards (and their stored copies) show the Edit buttons again.
        assert workshop.layout_revision > layout_before
    assert 'selected value="open"' in facilitator.get(f"/w/{wid}/edit").get_data(as_text=True)

    board = phone.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert f"/discovery/{ids['story']}/edit" in board
    assert phone.post(
        f"/w/{wid}/discovery/{ids['story']}/edit", data={"title": "Told again", "group": "0"}
    ).status_code in (200, 302)
    with app.app_context():
        assert db.session.get(Example, ids["story"]).title == "Told again"

    # And closes them again.
    facilitator.post(f"/w/{wid}/edit", data=settings_form(app, wid, "closed"))
    assert phone.post(f"/w/{wid}/discovery/{ids['story']}/delete").status_code == 409


def test_a_new_workshop_closes_earlier_phases_unless_asked(app, facilitator_client):
    client, _, _ = facilitator_client
    for choice, is_open in (("closed", False), ("open", True)):
        response = client.post(
            "/w/new",
            data={
                "title": f"Earlier {choice}",
                "dots_per_participant": "3",
                "group_assignment": "choose",
                "previous": "0",
                "earlier_phases": choice,
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        with app.app_context():
            workshop = db.session.execute(
                db.select(Workshop).filter_by(title=f"Earlier {choice}")
            ).scalar_one()
            assert workshop.earlier_phases_open is is_open


def test_someone_elses_item_is_still_403(app, room, join):
    _, _, wid, _, ids = room
    other = app.test_client()
    join(other, wid, name="Other")
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Participant)).scalar() == 2
    refused = other.post(f"/w/{wid}/dream/{ids['statement']}/delete")
    assert refused.status_code == 403
    assert "your own" in refused.get_data(as_text=True)

"""Moderation in every phase: move between groups, merge duplicates (votes, theme
links, sign-ups, designs and actions follow the kept item)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from facilitator.extensions import db
from facilitator.models import (
    ActionPoint,
    ActionSignup,
    DesignElement,
    Example,
    MissionStatement,
    Participant,
    Phase,
    Theme,
    Vote,
    Workshop,
)

HX = {"HX-Request": "true"}


def groups_of(app, wid):
    with app.app_context():
        return [g.id for g in db.session.get(Workshop, wid).groups]


@pytest.mark.parametrize(
    ("phase", "model", "fields"),
    [
        ("discovery", Example, {"title": "The gate pick-up"}),
        ("dream", MissionStatement, {"text": "Everyone has a home on release."}),
        ("design", DesignElement, {"text": "A housing officer in every prison."}),
        ("destiny", ActionPoint, {"action": "Write to the housing minister."}),
    ],
)
def test_move_between_groups_in_every_phase(app, facilitator_client, phase, model, fields):
    client, wid, _ = facilitator_client
    first, second, _third = groups_of(app, wid)
    with app.app_context():
        item = model(workshop_id=wid, group_id=first, **fields)
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    response = client.post(f"/w/{wid}/{phase}/{item_id}/move", data={"group": second}, headers=HX)
    assert response.status_code == 200
    assert "to Table 2." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(model, item_id).group_id == second
    # Whole room, without htmx: a redirect and a flash.
    response = client.post(f"/w/{wid}/{phase}/{item_id}/move", data={"group": 0})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(model, item_id).group_id is None


def test_move_to_another_workshops_group_is_refused(app, facilitator_client, create_workshop):
    client, wid, _ = facilitator_client
    other_group = groups_of(app, create_workshop())[0]
    with app.app_context():
        item = Example(workshop_id=wid, title="Kept in place", group_id=groups_of(app, wid)[0])
        db.session.add(item)
        db.session.commit()
        item_id, group_id = item.id, item.group_id
    response = client.post(
        f"/w/{wid}/discovery/{item_id}/move", data={"group": other_group}, headers=HX
    )
    assert response.status_code == 422
    assert "Pick one of this workshop&#39;s groups" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Example, item_id).group_id == group_id


def test_participants_cannot_moderate(app, client, create_workshop, join):
    wid = create_workshop()
    join(client, wid)
    with app.app_context():
        item = Example(workshop_id=wid, title="Mine")
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    group = groups_of(app, wid)[1]
    moved = client.post(f"/w/{wid}/discovery/{item_id}/move", data={"group": group})
    assert moved.status_code == 302
    assert "/login" in moved.headers["Location"]
    assert client.post(f"/w/{wid}/discovery/{item_id}/merge", data={"into": 1}).status_code == 302
    with app.app_context():
        assert db.session.get(Example, item_id).group_id is None


@pytest.fixture
def dream_room(app, facilitator_client):
    """Two near-duplicate statements with votes, themes, designs and actions."""
    client, wid, _ = facilitator_client
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        workshop.phase = Phase.DREAM
        people = [Participant(workshop_id=wid, display_name=n) for n in ("Ana", "Ben")]
        hope, trust, care = (Theme(workshop_id=wid, name=n) for n in ("Hope", "Trust", "Care"))
        keep = MissionStatement(
            workshop_id=wid, text="People are met at the gate.", themes=[hope, trust]
        )
        dup = MissionStatement(
            workshop_id=wid,
            text="Someone meets you at the prison gate.",
            themes=[trust, care],
            seed_votes=2,
        )
        db.session.add_all([*people, keep, dup])
        db.session.flush()
        db.session.add_all(
            [
                Vote(workshop_id=wid, statement_id=keep.id, participant_id=people[0].id, slot=1),
                Vote(workshop_id=wid, statement_id=dup.id, participant_id=people[0].id, slot=2),
                Vote(workshop_id=wid, statement_id=dup.id, participant_id=people[1].id, slot=1),
                DesignElement(workshop_id=wid, statement_id=dup.id, text="Gate mentors"),
                ActionPoint(workshop_id=wid, statement_id=dup.id, action="Recruit mentors"),
            ]
        )
        db.session.commit()
        return client, wid, keep.id, dup.id


def test_merge_statements_moves_votes_links_designs_and_actions(app, dream_room, create_workshop):
    client, wid, keep, dup = dream_room
    later = create_workshop(previous_id=wid)
    with app.app_context():
        copy = MissionStatement(workshop_id=later, text="Carried copy", origin_id=dup)
        db.session.add(copy)
        db.session.commit()
        copy_id = copy.id
    before = db_revision(app, wid)
    response = client.post(f"/w/{wid}/dream/{dup}/merge", data={"into": keep}, headers=HX)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Merged the duplicate into “People are met at the gate.”" in page
    assert "Someone meets you at the prison gate." not in page
    with app.app_context():
        assert db.session.get(MissionStatement, dup) is None
        kept = db.session.get(MissionStatement, keep)
        assert kept.text == "People are met at the gate."
        assert sorted(t.name for t in kept.themes) == ["Care", "Hope", "Trust"]
        assert len(kept.votes) == 3
        assert kept.seed_votes == 2
        assert kept.vote_count == 5
        design = db.session.execute(select(DesignElement)).scalar_one()
        action = db.session.execute(select(ActionPoint)).scalar_one()
        assert design.statement_id == keep
        assert action.statement_id == keep
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 3
        assert db.session.get(MissionStatement, copy_id).origin_id == keep
    assert db_revision(app, wid) > before


def test_merge_can_keep_both_texts(app, dream_room):
    client, wid, keep, dup = dream_room
    response = client.post(f"/w/{wid}/dream/{dup}/merge", data={"into": keep, "keep_text": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(MissionStatement, keep).text == (
            "People are met at the gate.\n\nSomeone meets you at the prison gate."
        )


def test_merge_refusals_are_readable(app, dream_room, create_workshop):
    client, wid, keep, dup = dream_room
    other = create_workshop()
    with app.app_context():
        foreign = MissionStatement(workshop_id=other, text="Another workshop's statement")
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id
    across = client.post(f"/w/{wid}/dream/{dup}/merge", data={"into": foreign_id})
    assert across.status_code == 404
    assert "Items merge only within one phase of one workshop" in across.get_data(as_text=True)
    # The other workshop's statement through this workshop's URL is not found either.
    assert client.post(f"/w/{wid}/dream/{foreign_id}/merge", data={"into": keep}).status_code == 404
    itself = client.post(f"/w/{wid}/dream/{dup}/merge", data={"into": dup})
    assert itself.status_code == 400
    assert "cannot be merged into itself" in itself.get_data(as_text=True)
    missing = client.post(f"/w/{wid}/dream/{dup}/merge", data={}, headers=HX)
    assert missing.status_code == 422
    assert "Pick the statement this one duplicates" in missing.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MissionStatement, dup) is not None
        assert db.session.get(MissionStatement, foreign_id) is not None


def db_revision(app, wid):
    with app.app_context():
        return db.session.get(Workshop, wid).revision


def test_merge_examples_unions_theme_links(app, facilitator_client):
    client, wid, _ = facilitator_client
    with app.app_context():
        hope, trust = Theme(workshop_id=wid, name="Hope"), Theme(workshop_id=wid, name="Trust")
        keep = Example(workshop_id=wid, title="Met at the gate", themes=[hope])
        dup = Example(workshop_id=wid, title="Gate pick-up", story="A mentor came.", themes=[trust])
        db.session.add_all([keep, dup])
        db.session.commit()
        keep_id, dup_id = keep.id, dup.id
    response = client.post(
        f"/w/{wid}/discovery/{dup_id}/merge", data={"into": keep_id, "keep_text": "y"}, headers=HX
    )
    assert response.status_code == 200
    with app.app_context():
        kept = db.session.get(Example, keep_id)
        assert [t.name for t in kept.themes] == ["Hope", "Trust"]
        assert kept.story == "Gate pick-up\nA mentor came."
        assert db.session.get(Example, dup_id) is None


def test_merge_designs_and_actions(app, facilitator_client):
    client, wid, _ = facilitator_client
    with app.app_context():
        ana, ben = (Participant(workshop_id=wid, display_name=n) for n in ("Ana", "Ben"))
        d_keep = DesignElement(workshop_id=wid, text="Peer mentors")
        d_dup = DesignElement(workshop_id=wid, text="Mentoring by peers", who_involved="Charities")
        db.session.add_all([ana, ben, d_keep, d_dup])
        db.session.flush()
        a_keep = ActionPoint(workshop_id=wid, action="Pilot in one prison", design_id=d_dup.id)
        a_dup = ActionPoint(workshop_id=wid, action="Pilot it", owner="Ana")
        db.session.add_all([a_keep, a_dup])
        db.session.flush()
        db.session.add_all(
            [
                ActionSignup(action_id=a_keep.id, participant_id=ana.id),
                ActionSignup(action_id=a_dup.id, participant_id=ana.id),
                ActionSignup(action_id=a_dup.id, participant_id=ben.id),
            ]
        )
        db.session.commit()
        ids = d_keep.id, d_dup.id, a_keep.id, a_dup.id
        ana_id, ben_id = ana.id, ben.id
    d_keep, d_dup, a_keep, a_dup = ids
    assert client.post(f"/w/{wid}/design/{d_dup}/merge", data={"into": d_keep}).status_code == 302
    assert client.post(f"/w/{wid}/destiny/{a_dup}/merge", data={"into": a_keep}).status_code == 302
    with app.app_context():
        design = db.session.get(DesignElement, d_keep)
        assert design.who_involved == "Charities"
        action = db.session.get(ActionPoint, a_keep)
        assert action.design_id == d_keep
        assert action.owner == "Ana"
        assert sorted(s.participant_id for s in action.signups) == sorted([ana_id, ben_id])
        assert db.session.get(ActionPoint, a_dup) is None
        assert db.session.get(DesignElement, d_dup) is None


def test_board_offers_move_and_merge_to_facilitators(app, facilitator_client):
    client, wid, _ = facilitator_client
    with app.app_context():
        db.session.add_all(
            [
                Example(workshop_id=wid, title="First story"),
                Example(workshop_id=wid, title="Second"),
            ]
        )
        db.session.commit()
    page = client.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "Move or merge" in page
    assert ">First story</option>" in page
    assert "Keep both texts" in page

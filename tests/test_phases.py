"""The four phase blueprints: list by group, add, edit, delete, hide, for
facilitators and participants, as full pages and as htmx fragments."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from facilitator.extensions import db
from facilitator.models import (
    ActionPoint,
    ActionStatus,
    DesignElement,
    Example,
    MissionStatement,
    Phase,
    Workshop,
)

HX = {"HX-Request": "true"}

# phase -> (model, valid form data, the field whose text shows on the board, the required field)
PHASES = {
    "discovery": (
        Example,
        {"title": "Mentors met people at the gate", "story": "It worked."},
        "title",
    ),
    "dream": (MissionStatement, {"text": "Everyone leaving prison has a home to go to."}, "text"),
    "design": (
        DesignElement,
        {"text": "Peer mentors in every office", "kind": "practice", "statement": "0"},
        "text",
    ),
    "destiny": (
        ActionPoint,
        {
            "action": "Pilot a peer mentor scheme",
            "owner": "CJA",
            # Always ahead: a past date is questioned (tests/test_destiny_form.py).
            "due_on": (date.today() + timedelta(days=60)).isoformat(),
            "status": "agreed",
            "statement": "0",
            "design": "0",
        },
        "action",
    ),
}


def _set_phase(app, wid, phase):
    with app.app_context():
        db.session.get(Workshop, wid).phase = Phase(phase)
        db.session.commit()


def _items(app, model, wid):
    with app.app_context():
        return list(db.session.execute(db.select(model).filter_by(workshop_id=wid)).scalars())


@pytest.mark.parametrize("phase", PHASES)
def test_facilitator_adds_item_to_a_group(app, facilitator_client, phase):
    client, wid, fid = facilitator_client
    model, data, shown = PHASES[phase]
    with app.app_context():
        group_id = db.session.get(Workshop, wid).groups[1].id
    response = client.post(f"/w/{wid}/{phase}/new", data={**data, "group": str(group_id)})
    assert response.status_code == 302
    [item] = _items(app, model, wid)
    assert item.group_id == group_id
    assert item.author_facilitator_id == fid
    page = client.get(f"/w/{wid}/{phase}/").get_data(as_text=True)
    assert data[shown] in page
    assert "Table 2" in page


@pytest.mark.parametrize("phase", PHASES)
def test_htmx_post_returns_the_compose_box_and_the_board_polls_for_the_item(
    app, facilitator_client, phase
):
    client, wid, _ = facilitator_client
    model, data, shown = PHASES[phase]
    response = client.post(f"/w/{wid}/{phase}/new", data={**data, "group": "0"}, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # The compose box alone, fresh (the sent text is not echoed back), saying it went in...
    assert body.lstrip().startswith('<div id="compose"')
    assert "<html" not in body and 'id="live-items"' not in body
    assert "is on the board" in body
    assert data[shown] not in body
    assert "HX-Request" in response.headers["Vary"]
    # ...and telling the board to poll at once, which brings the new item.
    assert response.headers["HX-Trigger"] == "live-refresh"
    assert [getattr(item, shown) for item in _items(app, model, wid)] == [data[shown]]
    poll = client.get(f"/w/{wid}/live/{phase}?room={phase}&mode=page", headers=HX)
    assert data[shown] in poll.get_data(as_text=True)


@pytest.mark.parametrize("phase", PHASES)
def test_required_field_error_keeps_what_was_typed(app, facilitator_client, phase):
    client, wid, _ = facilitator_client
    model, data, shown = PHASES[phase]
    typed = {**data, shown: "", "group": "0"}
    keep_field = "story" if phase == "discovery" else ("owner" if phase == "destiny" else None)
    response = client.post(f"/w/{wid}/{phase}/new", data=typed)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in body
    assert "field-error" in body
    if keep_field:
        assert typed[keep_field] in body
    assert _items(app, model, wid) == []


@pytest.mark.parametrize("phase", PHASES)
def test_too_long_text_is_explained(app, facilitator_client, phase):
    client, wid, _ = facilitator_client
    model, data, shown = PHASES[phase]
    response = client.post(f"/w/{wid}/{phase}/new", data={**data, shown: "x" * 6000, "group": "0"})
    assert response.status_code == 422
    assert "characters; it is 6,000 now" in response.get_data(as_text=True)


@pytest.mark.parametrize("phase", PHASES)
def test_participant_posts_into_own_group_in_current_phase(
    app, client, create_workshop, join, phase
):
    model, data, shown = PHASES[phase]
    wid = create_workshop(phase=Phase(phase))
    pid = join(client, wid, name="Robin", group=2)
    with app.app_context():
        other_group = db.session.get(Workshop, wid).groups[0].id
    # A participant cannot choose another table: the group field is ignored.
    response = client.post(f"/w/{wid}/{phase}/new", data={**data, "group": str(other_group)})
    assert response.status_code == 302
    [item] = _items(app, model, wid)
    assert item.author_participant_id == pid
    with app.app_context():
        assert item.group_id == db.session.get(Workshop, wid).groups[2].id
    page = client.get(f"/w/{wid}/{phase}/").get_data(as_text=True)
    assert data[shown] in page
    assert "Robin" in page


@pytest.mark.parametrize("phase", PHASES)
def test_participant_cannot_post_into_another_phase(app, client, create_workshop, join, phase):
    model, data, _ = PHASES[phase]
    other = next(p for p in Phase if p.value != phase)
    wid = create_workshop(phase=other)
    join(client, wid)
    response = client.post(f"/w/{wid}/{phase}/new", data=data)
    assert response.status_code == 409
    assert f"moved to {other.label}" in response.get_data(as_text=True)
    assert _items(app, model, wid) == []


def test_locked_workshop_refuses_participants_but_keeps_text(app, client, create_workshop, join):
    wid = create_workshop(locked=True)
    join(client, wid)
    response = client.post(f"/w/{wid}/discovery/new", data={"title": "Keep me please"})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "paused contributions" in body
    assert "Keep me please" in body


def test_participant_sees_only_own_group(
    app, client, create_workshop, join, create_facilitator, login
):
    wid = create_workshop()
    with app.app_context():
        groups = [g.id for g in db.session.get(Workshop, wid).groups]
        db.session.add_all(
            [
                Example(workshop_id=wid, group_id=groups[0], title="Story at table one"),
                Example(workshop_id=wid, group_id=groups[1], title="Story at table two"),
                Example(workshop_id=wid, group_id=None, title="Story for the room"),
                Example(workshop_id=wid, group_id=groups[0], title="Hidden story", hidden=True),
            ]
        )
        db.session.commit()
    join(client, wid, group=0)
    page = client.get(f"/w/{wid}/discovery/").get_data(as_text=True)
    assert "Story at table one" in page
    assert "Story for the room" in page
    assert "Story at table two" not in page
    assert "Hidden story" not in page


@pytest.mark.parametrize("phase", PHASES)
def test_edit_own_item_and_not_others(app, create_workshop, join, phase):
    model, data, shown = PHASES[phase]
    wid = create_workshop(phase=Phase(phase))
    alice, bob = app.test_client(), app.test_client()
    join(alice, wid, name="Alice")
    join(bob, wid, name="Bob")
    alice.post(f"/w/{wid}/{phase}/new", data=data)
    [item] = _items(app, model, wid)
    assert bob.get(f"/w/{wid}/{phase}/{item.id}/edit").status_code == 403
    assert bob.post(f"/w/{wid}/{phase}/{item.id}/delete").status_code == 403
    assert alice.get(f"/w/{wid}/{phase}/{item.id}/edit").status_code == 200
    response = alice.post(f"/w/{wid}/{phase}/{item.id}/edit", data={**data, shown: "Changed words"})
    assert response.status_code == 302
    [item] = _items(app, model, wid)
    assert getattr(item, shown) == "Changed words"
    assert alice.post(f"/w/{wid}/{phase}/{item.id}/delete").status_code == 302
    assert _items(app, model, wid) == []


@pytest.mark.parametrize("phase", PHASES)
def test_facilitator_hides_and_restores(app, facilitator_client, create_workshop, join, phase):
    client, wid, _ = facilitator_client
    model, data, shown = PHASES[phase]
    client.post(f"/w/{wid}/{phase}/new", data={**data, "group": "0"})
    [item] = _items(app, model, wid)
    assert client.post(f"/w/{wid}/{phase}/{item.id}/hide").status_code == 302
    assert _items(app, model, wid)[0].hidden is True
    phone = app.test_client()
    _set_phase(app, wid, phase)
    join(phone, wid)
    assert data[shown] not in phone.get(f"/w/{wid}/{phase}/").get_data(as_text=True)
    assert "hidden" in client.get(f"/w/{wid}/{phase}/").get_data(as_text=True)
    client.post(f"/w/{wid}/{phase}/{item.id}/hide")
    assert _items(app, model, wid)[0].hidden is False
    assert data[shown] in phone.get(f"/w/{wid}/{phase}/").get_data(as_text=True)


def test_participant_cannot_hide(app, client, create_workshop, join):
    wid = create_workshop()
    join(client, wid)
    client.post(f"/w/{wid}/discovery/new", data={"title": "Mine"})
    [item] = _items(app, Example, wid)
    assert client.post(f"/w/{wid}/discovery/{item.id}/hide").status_code in (302, 403)
    assert _items(app, Example, wid)[0].hidden is False


def test_items_of_another_workshop_are_404(app, facilitator_client, create_workshop):
    client, wid, _ = facilitator_client
    other = create_workshop()
    with app.app_context():
        db.session.add(Example(workshop_id=other, title="Elsewhere"))
        db.session.commit()
        item_id = db.session.execute(db.select(Example.id)).scalar_one()
    assert client.get(f"/w/{wid}/discovery/{item_id}/edit").status_code == 404
    assert client.get(f"/w/{wid}/discovery/99999/edit").status_code == 404


def test_design_and_action_link_to_statement(app, facilitator_client):
    client, wid, _ = facilitator_client
    client.post(f"/w/{wid}/dream/new", data={"text": "People are believed in.", "group": "0"})
    [statement] = _items(app, MissionStatement, wid)
    client.post(
        f"/w/{wid}/design/new",
        data={
            "text": "Workers trained in strengths-based practice",
            "kind": "practice",
            "statement": str(statement.id),
            "group": "0",
        },
    )
    [design] = _items(app, DesignElement, wid)
    assert design.statement_id == statement.id
    client.post(
        f"/w/{wid}/destiny/new",
        data={
            "action": "Run training",
            "design": str(design.id),
            "statement": "0",
            "status": "in_progress",
            "group": "0",
        },
    )
    [action] = _items(app, ActionPoint, wid)
    assert action.design_id == design.id
    assert action.status == ActionStatus.IN_PROGRESS
    with app.app_context():
        action = db.session.get(ActionPoint, action.id)
        assert action.serves.text == "People are believed in."
    assert "People are believed in." in client.get(f"/w/{wid}/destiny/").get_data(as_text=True)


def test_bad_choice_and_bad_date_are_explained(app, facilitator_client):
    client, wid, _ = facilitator_client
    response = client.post(
        f"/w/{wid}/destiny/new",
        data={
            "action": "Do it",
            "due_on": "next tuesday",
            "statement": "424242",
            "design": "0",
            "status": "proposed",
            "group": "0",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Use a date like 2026-12-31." in body
    assert "next tuesday" in body
    assert _items(app, ActionPoint, wid) == []


def test_every_change_bumps_the_revision(app, facilitator_client):
    client, wid, _ = facilitator_client

    def revision():
        with app.app_context():
            return db.session.get(Workshop, wid).revision

    start = revision()
    client.post(f"/w/{wid}/discovery/new", data={"title": "One", "group": "0"})
    after_add = revision()
    [item] = _items(app, Example, wid)
    client.post(f"/w/{wid}/discovery/{item.id}/edit", data={"title": "Two", "group": "0"})
    after_edit = revision()
    client.post(f"/w/{wid}/discovery/{item.id}/hide")
    after_hide = revision()
    client.post(f"/w/{wid}/discovery/{item.id}/delete")
    assert start < after_add < after_edit < after_hide < revision()


def test_themes_page_and_linking(app, facilitator_client):
    client, wid, _ = facilitator_client
    assert (
        client.post(f"/w/{wid}/discovery/themes", data={"name": "Belief in change"}).status_code
        == 302
    )
    response = client.post(f"/w/{wid}/discovery/themes", data={"name": ""})
    assert response.status_code == 422
    with app.app_context():
        from facilitator.models import Theme

        theme_id = db.session.execute(db.select(Theme.id)).scalar_one()
    client.post(
        f"/w/{wid}/discovery/new", data={"title": "Hope", "group": "0", "themes": str(theme_id)}
    )
    [example] = _items(app, Example, wid)
    with app.app_context():
        assert [t.name for t in db.session.get(Example, example.id).themes] == ["Belief in change"]
    page = client.get(f"/w/{wid}/discovery/themes").get_data(as_text=True)
    assert "Belief in change" in page and "Hope" in page


def _story_boxes(page: str) -> dict[int, tuple[str, bool]]:
    """The story checkboxes on a page: id -> (label, ticked)."""
    boxes = re.findall(
        r'<label><input (checked )?id="examples-\d+" name="examples" type="checkbox" '
        r'value="(\d+)"> ([^<]*)</label>',
        page,
    )
    return {int(value): (html.unescape(label), bool(ticked)) for ticked, value, label in boxes}


def _grounding_stories(app, wid):
    """A story at table 1, one at table 2, a whole-room one carried forward from an
    earlier workshop, and a hidden one: their ids by title."""
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        t1, t2 = workshop.groups[0], workshop.groups[1]
        earlier = Workshop(title="Earlier", join_code="EARLY2")
        db.session.add(earlier)
        db.session.flush()
        original = Example(workshop_id=earlier.id, title="Told last spring")
        db.session.add(original)
        db.session.flush()
        stories = [
            Example(workshop_id=wid, group_id=t1.id, title="Met at the gate"),
            Example(workshop_id=wid, group_id=t2.id, title="Another table's story"),
            Example(workshop_id=wid, title="Told last spring", origin_id=original.id),
            Example(workshop_id=wid, group_id=t1.id, title="Withdrawn", hidden=True),
        ]
        workshop.phase = Phase.DREAM
        db.session.add_all(stories)
        db.session.commit()
        return {s.title: s.id for s in stories}


def test_a_statement_grows_from_stories_picked_on_a_phone(app, client, create_workshop, join):
    wid = create_workshop()
    ids = _grounding_stories(app, wid)
    join(client, wid, name="Ann", group=0)
    page = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    # Checkboxes (no JavaScript needed): the carried story first, marked as such,
    # then the phone's own table's; not another table's, not a hidden one.
    assert _story_boxes(page) == {
        ids["Told last spring"]: ("Told last spring (earlier workshop)", False),
        ids["Met at the gate"]: ("Met at the gate", False),
    }

    response = client.post(
        f"/w/{wid}/dream/new",
        data={
            "text": "Everyone is met at the gate.",
            "examples": [str(ids["Met at the gate"]), str(ids["Told last spring"])],
        },
    )
    assert response.status_code == 302
    [statement] = _items(app, MissionStatement, wid)
    with app.app_context():
        statement = db.session.get(MissionStatement, statement.id)
        assert [e.title for e in statement.examples] == ["Met at the gate", "Told last spring"]
    board = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert 'class="grounding">Stories: <span class="story-ref">Met at the gate</span>' in board
    assert '<span class="story-ref">Told last spring</span>' in board


def test_a_story_not_offered_is_refused_and_the_text_kept(app, client, create_workshop, join):
    wid = create_workshop()
    ids = _grounding_stories(app, wid)
    join(client, wid, name="Ann", group=0)
    for story in ("Another table's story", "Withdrawn"):
        response = client.post(
            f"/w/{wid}/dream/new",
            data={"text": "Half a thought worth keeping.", "examples": str(ids[story])},
            headers=HX,
        )
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert "Half a thought worth keeping." in body
        assert "not a valid choice" in body
    assert _items(app, MissionStatement, wid) == []


def test_the_facilitator_edits_a_statements_stories(app, facilitator_client, join):
    client, wid, _ = facilitator_client
    ids = _grounding_stories(app, wid)
    # The facilitator is offered every visible story, another table's too.
    page = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert set(_story_boxes(page)) == {
        ids["Told last spring"],
        ids["Met at the gate"],
        ids["Another table's story"],
    }
    client.post(
        f"/w/{wid}/dream/new",
        data={"text": "People are believed in.", "group": "0", "examples": ids["Met at the gate"]},
    )
    [statement] = _items(app, MissionStatement, wid)
    form = client.get(f"/w/{wid}/dream/{statement.id}/edit").get_data(as_text=True)
    ticked = [i for i, (_, on) in _story_boxes(form).items() if on]
    assert ticked == [ids["Met at the gate"]]
    response = client.post(
        f"/w/{wid}/dream/{statement.id}/edit",
        data={
            "text": "People are believed in.",
            "group": "0",
            "examples": [str(ids["Another table's story"]), str(ids["Told last spring"])],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        statement = db.session.get(MissionStatement, statement.id)
        assert [e.title for e in statement.examples] == [
            "Another table's story",
            "Told last spring",
        ]


def test_a_writer_keeps_links_to_stories_they_are_not_offered(app, client, create_workshop, join):
    """A facilitator grounded a phone's statement in another table's story: the phone's
    own edit (which cannot offer that story) leaves the link in place."""
    wid = create_workshop()
    ids = _grounding_stories(app, wid)
    pid = join(client, wid, name="Ann", group=0)
    with app.app_context():
        statement = MissionStatement(
            workshop_id=wid,
            text="A home for everyone.",
            author_participant_id=pid,
            group_id=db.session.get(Workshop, wid).groups[0].id,
            examples=[db.session.get(Example, ids["Another table's story"])],
        )
        db.session.add(statement)
        db.session.commit()
        sid = statement.id
    response = client.post(
        f"/w/{wid}/dream/{sid}/edit",
        data={"text": "A home for everyone, at once.", "examples": str(ids["Met at the gate"])},
    )
    assert response.status_code == 302
    with app.app_context():
        statement = db.session.get(MissionStatement, sid)
        assert [e.title for e in statement.examples] == ["Met at the gate", "Another table's story"]


def test_the_dream_hint_is_the_workshops_own(app, client, create_workshop, join):
    wid = create_workshop()
    _set_phase(app, wid, "dream")
    join(client, wid)
    page = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert "Every day, people here" in page
    assert "People leaving prison" not in page  # no topic-specific text by default
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        workshop.settings = {
            "wording": {"hint.dream": "People leaving prison are met at the gate by…"}
        }
        db.session.commit()
    page = client.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert "People leaving prison are met at the gate by…" in page
    assert "Every day, people here" not in page


def test_the_kept_compose_box_follows_the_wording(app, client, create_workshop, join):
    """The empty compose box sent after a post is kept per process: a changed hint
    must not be answered with the box kept before the change."""
    wid = create_workshop()
    _set_phase(app, wid, "dream")
    join(client, wid)

    def box_after_a_post(text):
        response = client.post(f"/w/{wid}/dream/new", data={"text": text}, headers=HX)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "Every day, people here" in box_after_a_post("First.")
    assert "Every day, people here" in box_after_a_post("Second.")
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        workshop.settings = {"wording": {"hint.dream": "Young people are heard when…"}}
        db.session.commit()
    box = box_after_a_post("Third.")
    assert "Young people are heard when…" in box and "Every day, people here" not in box

"""Creating and managing workshops, groups and co-facilitators."""

from __future__ import annotations

import html

from facilitator.extensions import db
from facilitator.models import JOIN_CODE_ALPHABET, Phase, Role, Workshop
from facilitator.models.workshop import DEFAULT_WORDING


def test_create_workshop_with_groups(app, client, create_facilitator, login):
    fid = create_facilitator()
    login(client, fid)
    response = client.post(
        "/w/new",
        data={
            "title": "Supporting desistance",
            "topic": "How can the system help people stop offending?",
            "venue": "Glasgow",
            "starts_on": "2012-05-16",
            "dots_per_participant": "5",
            "group_assignment": "choose",
            "group_names": "Co-production\n\nPublic perceptions\nco-production\nSupervision",
            "previous": "0",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        workshop = db.session.execute(db.select(Workshop)).scalar_one()
        assert [g.name for g in workshop.groups] == [
            "Co-production",
            "Public perceptions",
            "Supervision",
        ]
        assert workshop.dots_per_participant == 5
        assert (
            workshop.role_of(db.session.get(type(workshop.roles[0].facilitator), fid))
            == Role.FACILITATOR
        )
        assert len(workshop.join_code) == 6
        assert set(workshop.join_code) <= set(JOIN_CODE_ALPHABET)
    page = client.get(response.location).get_data(as_text=True)
    assert "Supporting desistance" in page
    assert workshop.join_code in page


def test_create_workshop_errors_keep_input(client, create_facilitator, login):
    login(client, create_facilitator())
    response = client.post(
        "/w/new",
        data={
            "title": "",
            "venue": "Kept venue",
            "starts_on": "2012-05-16",
            "ends_on": "2012-05-01",
            "dots_per_participant": "99",
            "group_assignment": "choose",
            "previous": "0",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the workshop a title." in page
    assert "cannot be before the first" in page
    assert "Between 0 and 50 dots." in page
    assert 'value="Kept venue"' in page


def test_facilitator_sees_only_own_workshops(
    app, client, create_facilitator, create_workshop, login
):
    mine = create_facilitator()
    other = create_facilitator()
    create_workshop(title="Mine", facilitator_id=mine)
    theirs = create_workshop(title="Theirs", facilitator_id=other)
    login(client, mine)
    page = client.get("/w/").get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page
    assert client.get(f"/w/{theirs}/").status_code == 403
    assert client.get(f"/w/{theirs}/edit").status_code == 403
    assert client.get(f"/w/{theirs}/discovery/").status_code == 403


def test_admin_opens_every_workshop(client, create_facilitator, create_workshop, login):
    wid = create_workshop(title="Someone else's")
    login(client, create_facilitator(admin=True))
    assert client.get(f"/w/{wid}/").status_code == 200
    assert "Someone else&#39;s" in client.get("/w/").get_data(as_text=True)


def test_edit_workshop(app, facilitator_client):
    client, wid, _ = facilitator_client
    response = client.post(
        f"/w/{wid}/edit",
        data={
            "title": "Renamed",
            "topic": "t",
            "dots_per_participant": "4",
            "group_assignment": "round_robin",
            "previous": "0",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        assert workshop.title == "Renamed"
        assert workshop.group_assignment == "round_robin"
        assert workshop.revision > 1


def test_groups_add_duplicate_and_remove(app, facilitator_client):
    client, wid, _ = facilitator_client
    assert client.post(f"/w/{wid}/groups", data={"name": "Table 4"}).status_code == 302
    response = client.post(f"/w/{wid}/groups", data={"name": "table 4", "focus": "kept focus"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is already a group called" in page
    assert 'value="kept focus"' in page
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        assert [g.name for g in workshop.groups][-1] == "Table 4"
        group_id = workshop.groups[0].id
    assert client.post(f"/w/{wid}/groups/{group_id}/delete").status_code == 302
    with app.app_context():
        assert len(db.session.get(Workshop, wid).groups) == 3


def test_add_co_facilitator_and_organiser(
    app, facilitator_client, create_facilitator, client, login
):
    client, wid, _ = facilitator_client
    create_facilitator(email="co@example.org")
    create_facilitator(email="org@example.org")
    client.post(f"/w/{wid}/people", data={"email": "co@example.org", "role": "facilitator"})
    client.post(f"/w/{wid}/people", data={"email": "org@example.org", "role": "organiser"})
    response = client.post(
        f"/w/{wid}/people", data={"email": "nobody@example.org", "role": "facilitator"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "No facilitator account uses nobody@example.org" in page
    assert 'value="nobody@example.org"' in page
    with app.app_context():
        roles = {r.facilitator.email: r.role for r in db.session.get(Workshop, wid).roles}
    assert roles["co@example.org"] == Role.FACILITATOR
    assert roles["org@example.org"] == Role.ORGANISER


def test_co_facilitator_can_open_the_workshop(
    app, create_facilitator, create_workshop, client, login
):
    owner = create_facilitator()
    co = create_facilitator(email="co@example.org")
    wid = create_workshop(facilitator_id=owner)
    with app.app_context():
        from facilitator.workshops.operations import add_role

        add_role(db.session.get(Workshop, wid), "co@example.org", Role.FACILITATOR)
    login(client, co)
    assert client.get(f"/w/{wid}/").status_code == 200


def test_unknown_group_is_404(facilitator_client):
    client, wid, _ = facilitator_client
    assert client.post(f"/w/{wid}/groups/9999/delete").status_code == 404


EDIT = {
    "title": "Second exchange",
    "dots_per_participant": "3",
    "group_assignment": "choose",
    "previous": "0",
}


def test_wording_is_set_per_workshop_empty_meaning_the_default(app, facilitator_client, join):
    client, wid, _ = facilitator_client
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        workshop.settings = {"interview_questions": ["What worked?"]}
        workshop.phase = Phase.DREAM
        db.session.commit()
    form = client.get(f"/w/{wid}/edit").get_data(as_text=True)
    # One box per key, empty, with the neutral default as its placeholder.
    assert 'name="wording_hint_dream"' in form and 'name="wording_prompt_destiny"' in form
    assert html.escape(DEFAULT_WORDING["hint.dream"]) in form
    assert '<details class="wording">' in form  # nothing of its own yet: folded

    response = client.post(
        f"/w/{wid}/edit",
        data={
            **EDIT,
            "wording_prompt_dream": "  Imagine release done well.  ",
            "wording_hint_dream": "People leaving prison are met at the gate by…",
            "wording_prompt_design": DEFAULT_WORDING["prompt.design"],  # the default: not stored
        },
    )
    assert response.status_code == 302
    with app.app_context():
        settings = db.session.get(Workshop, wid).settings
    assert settings == {
        "interview_questions": ["What worked?"],  # other settings stay
        "earlier_phases": "closed",  # the form's other setting, at its default
        "wording": {
            "prompt.dream": "Imagine release done well.",
            "hint.dream": "People leaving prison are met at the gate by…",
        },
    }
    phone = app.test_client()
    join(phone, wid)
    page = phone.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert "Imagine release done well." in page
    assert "People leaving prison are met at the gate by…" in page
    assert DEFAULT_WORDING["prompt.dream"] not in page

    form = client.get(f"/w/{wid}/edit").get_data(as_text=True)
    assert '<details class="wording" open>' in form
    assert "Imagine release done well.</textarea>" in form

    # Emptied again: back to the defaults, nothing of its own stored.
    assert client.post(f"/w/{wid}/edit", data=EDIT).status_code == 302
    with app.app_context():
        assert db.session.get(Workshop, wid).settings == {
            "interview_questions": ["What worked?"],
            "earlier_phases": "closed",
        }
    page = phone.get(f"/w/{wid}/dream/").get_data(as_text=True)
    assert DEFAULT_WORDING["prompt.dream"] in page and DEFAULT_WORDING["hint.dream"] in page


def test_wording_too_long_is_explained_and_kept(app, facilitator_client):
    client, wid, _ = facilitator_client
    long = "A prompt that goes on " * 30
    response = client.post(f"/w/{wid}/edit", data={**EDIT, "wording_prompt_discovery": long})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Please keep this to 500 characters" in body
    assert long.strip() in body
    assert '<details class="wording" open>' in body
    with app.app_context():
        assert "wording" not in (db.session.get(Workshop, wid).settings or {})


def test_a_new_workshop_gets_its_wording(app, client, create_facilitator, login):
    login(client, create_facilitator())
    response = client.post(
        "/w/new", data={**EDIT, "wording_prompt_discovery": "Tell of a time release went well."}
    )
    assert response.status_code == 302
    with app.app_context():
        workshop = db.session.execute(
            db.select(Workshop).filter_by(title="Second exchange")
        ).scalar_one()
        assert workshop.phase_prompt == "Tell of a time release went well."
        assert workshop.wording("hint.dream") == DEFAULT_WORDING["hint.dream"]

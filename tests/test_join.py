"""Joining from a phone: codes, names, tables (chosen, in turn or by hand), rejoining."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitator.extensions import db
from facilitator.models import JOIN_CODE_ALPHABET, Participant, Workshop, new_join_code
from facilitator.models import normalise_join_code as normalise
from facilitator.workshops import operations as workshop_ops

HX = {"HX-Request": "true"}


def code_of(app, wid: int) -> str:
    with app.app_context():
        return db.session.get(Workshop, wid).join_code


def participants(app, wid: int) -> list[Participant]:
    with app.app_context():
        return list(
            db.session.execute(
                db.select(Participant).filter_by(workshop_id=wid).order_by(Participant.id)
            ).scalars()
        )


def test_codes_avoid_look_alikes():
    assert not set("0O1IL") & set(JOIN_CODE_ALPHABET)
    codes = {new_join_code() for _ in range(200)}
    assert all(len(c) == 6 and set(c) <= set(JOIN_CODE_ALPHABET) for c in codes)
    assert len(codes) > 190


@given(
    st.text(alphabet=JOIN_CODE_ALPHABET, min_size=6, max_size=6), st.sampled_from([" ", "-", ""])
)
def test_normalising_undoes_case_and_separators(code, sep):
    typed = f" {code[:3].lower()}{sep}{code[3:]} "
    assert normalise(typed) == code


def test_code_is_case_insensitive_on_both_routes(app, client, create_workshop):
    wid = create_workshop(join_code="K7M4QX")
    typed = client.post("/join", data={"code": "k7m-4qx"})
    assert typed.status_code == 302 and typed.headers["Location"].endswith("/j/K7M4QX")
    assert client.get("/j/k7m4qx").status_code == 200
    assert wid


def test_new_codes_are_unique(app, ctx, monkeypatch, create_workshop):
    create_workshop(join_code="TAKEN2")
    offered = iter(["TAKEN2", "TAKEN2", "FRESH3"])
    monkeypatch.setattr(workshop_ops, "new_join_code", lambda: next(offered))
    assert workshop_ops.unique_join_code() == "FRESH3"


def test_wrong_code_says_so_and_offers_a_retry(app, client, create_workshop):
    create_workshop(join_code="K7M4QX")
    for response in (client.post("/join", data={"code": "ZZZZZZ"}), client.get("/j/ZZZZZZ")):
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert "No open workshop has the code ZZZZZZ" in html
        assert 'action="/join"' in html and 'value="ZZZZZZ"' in html  # the form, filled in
    malformed = client.post("/join", data={"code": "K7M"})
    assert malformed.status_code == 422
    assert "Codes have 6 letters and digits" in malformed.get_data(as_text=True)


def test_closed_workshop_code_says_it_has_closed(app, client, create_workshop):
    create_workshop(join_code="SHUT22", is_open=False)
    for response in (client.post("/join", data={"code": "shut22"}), client.get("/j/SHUT22")):
        assert response.status_code == 404
        assert "has closed" in response.get_data(as_text=True)


def test_name_or_anonymous(app, client, create_workshop):
    wid = create_workshop()
    code = code_of(app, wid)
    with app.app_context():
        group = db.session.get(Workshop, wid).groups[0].id
    client.post(f"/j/{code}", data={"name": "Sam", "group": group})
    other = app.test_client()
    other.post(f"/j/{code}", data={"name": "Secret", "anonymous": "y", "group": group})
    names = [p.display_name for p in participants(app, wid)]
    assert names == ["Sam", None]


def test_group_is_required_when_participants_choose(app, client, create_workshop):
    wid = create_workshop()
    response = client.post(f"/j/{code_of(app, wid)}", data={"name": "Sam"})
    assert response.status_code == 422
    assert "Pick your table." in response.get_data(as_text=True)
    assert participants(app, wid) == []


def test_rejoining_does_not_create_a_second_participant(app, client, create_workshop, join):
    wid = create_workshop()
    first = join(client, wid, name="Sam")
    code = code_of(app, wid)
    again = client.get(f"/j/{code}")
    assert again.status_code == 302 and again.headers["Location"] == f"/w/{wid}/discovery/"
    posted = client.post(f"/j/{code.lower()}", data={"name": "Sam again"})
    assert posted.status_code == 302
    assert [p.id for p in participants(app, wid)] == [first]


def test_round_robin_seats_people_in_turn(app, create_workshop):
    wid = create_workshop(group_assignment="round_robin")
    code = code_of(app, wid)
    page = app.test_client().get(f"/j/{code}").get_data(as_text=True)
    assert 'name="group"' not in page
    with app.app_context():
        tables = [g.id for g in db.session.get(Workshop, wid).groups]
    for i in range(5):
        # A posted table is ignored: the app seats people.
        app.test_client().post(f"/j/{code}", data={"name": f"P{i}", "group": tables[0]})
    seats = [p.group_id for p in participants(app, wid)]
    assert seats == [tables[0], tables[1], tables[2], tables[0], tables[1]]


def test_by_hand_waits_for_the_facilitator(
    app, client, create_workshop, create_facilitator, login, join
):
    fid = create_facilitator()
    wid = create_workshop(facilitator_id=fid, group_assignment="by_hand")
    phone = app.test_client()
    page = phone.get(f"/j/{code_of(app, wid)}").get_data(as_text=True)
    assert "The facilitator will place you at a table." in page
    pid = join(phone, wid, name="Waiting")
    assert participants(app, wid)[0].group_id is None

    login(client, fid)
    listing = client.get(f"/w/{wid}/participants").get_data(as_text=True)
    assert "Waiting" in listing and "No table yet" in listing
    with app.app_context():
        table = db.session.get(Workshop, wid).groups[2]
        table_id, table_name = table.id, table.name
    moved = client.post(f"/w/{wid}/participants/{pid}/move", data={f"p{pid}-group": table_id})
    assert moved.status_code == 302
    assert participants(app, wid)[0].group_id == table_id
    # The phone learns its table from its next poll.
    status = phone.get(f"/w/{wid}/live/discovery?room=discovery", headers=HX)
    assert f"Your table: {table_name}" in status.get_data(as_text=True)


def test_moving_people_is_checked(app, client, create_workshop, create_facilitator, login, join):
    fid = create_facilitator()
    wid = create_workshop(facilitator_id=fid)
    other_wid = create_workshop(facilitator_id=fid)
    pid = join(app.test_client(), wid)
    stranger = join(app.test_client(), other_wid)
    with app.app_context():
        foreign_table = db.session.get(Workshop, other_wid).groups[0].id
    login(client, fid)
    assert (
        client.post(
            f"/w/{wid}/participants/{pid}/move", data={f"p{pid}-group": foreign_table}
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/w/{wid}/participants/{stranger}/move", data={f"p{stranger}-group": 0}
        ).status_code
        == 404
    )
    # Participants cannot seat themselves elsewhere.
    phone = app.test_client()
    join(phone, wid, name="Sneaky")
    assert (
        phone.post(f"/w/{wid}/participants/{pid}/move", data={f"p{pid}-group": 0}).status_code
        == 302
    )
    assert participants(app, wid)[0].group_id is not None


@pytest.mark.parametrize("assignment", ["choose", "round_robin", "by_hand"])
def test_workshop_form_offers_every_assignment(facilitator_client, assignment):
    fac, wid, _ = facilitator_client
    html = fac.get(f"/w/{wid}/edit").get_data(as_text=True)
    assert f'value="{assignment}"' in html

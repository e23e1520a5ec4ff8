"""Continuity: a workshop carries forward the themes and mission statements of the
one before it, once (copies remember their origin; links are remapped)."""

from __future__ import annotations

from sqlalchemy import select

from facilitator.extensions import db
from facilitator.models import MissionStatement, Theme, Workshop


def seed_earlier(app, wid):
    """Themes Hope and Trust (and a hidden one), statements linked to them."""
    with app.app_context():
        hope = Theme(
            workshop_id=wid, name="Hope", description="Belief change is possible", position=0
        )
        trust = Theme(workshop_id=wid, name="Trust", position=1)
        hidden = Theme(workshop_id=wid, name="Moderated away", hidden=True, position=2)
        gate = MissionStatement(
            workshop_id=wid, text="People are met at the gate.", themes=[hope, trust], seed_votes=4
        )
        mentors = MissionStatement(
            workshop_id=wid, text="Every prison has mentors.", themes=[trust], source="Table 2"
        )
        db.session.add_all([hope, trust, hidden, gate, mentors])
        db.session.commit()
        return {"Hope": hope.id, "Trust": trust.id}, [gate.id, mentors.id]


def carried(app, wid):
    with app.app_context():
        themes = db.session.execute(
            select(Theme).where(Theme.workshop_id == wid).order_by(Theme.position)
        ).scalars()
        statements = (
            db.session.execute(
                select(MissionStatement)
                .where(MissionStatement.workshop_id == wid)
                .order_by(MissionStatement.id)
            )
            .scalars()
            .all()
        )
        return (
            [(t.name, t.origin_id) for t in themes],
            [
                (s.text, s.origin_id, [t.name for t in s.themes], s.seed_votes, s.source)
                for s in statements
            ],
            {t.name: t.workshop_id for s in statements for t in s.themes},
        )


def test_carry_forward_from_the_overview_is_idempotent(
    app, client, create_facilitator, create_workshop, login
):
    fid = create_facilitator()
    earlier = create_workshop(facilitator_id=fid, title="Glasgow 2012")
    theme_ids, statement_ids = seed_earlier(app, earlier)
    later = create_workshop(facilitator_id=fid, title="Glasgow 2013", previous_id=earlier)
    login(client, fid)
    page = client.get(f"/w/{later}/").get_data(as_text=True)
    assert "Carry forward its themes and mission statements" in page

    response = client.post(f"/w/{later}/carry-forward", follow_redirects=True)
    assert response.status_code == 200
    assert "Carried forward 2 themes and 2 mission statements from Glasgow 2012." in (
        response.get_data(as_text=True)
    )
    themes, statements, link_owners = carried(app, later)
    assert themes == [("Hope", theme_ids["Hope"]), ("Trust", theme_ids["Trust"])]
    assert statements == [
        (
            "People are met at the gate.",
            statement_ids[0],
            ["Hope", "Trust"],
            0,
            "Carried forward from Glasgow 2012",
        ),
        (
            "Every prison has mentors.",
            statement_ids[1],
            ["Trust"],
            0,
            "Carried forward from Glasgow 2012 · Table 2",
        ),
    ]
    # Links point at the copies in the later workshop, not at the earlier themes.
    assert set(link_owners.values()) == {later}

    again = client.post(f"/w/{later}/carry-forward", follow_redirects=True)
    assert "Everything from Glasgow 2012 is already here." in again.get_data(as_text=True)
    assert carried(app, later)[:2] == (themes, statements)

    # Something new in the earlier workshop comes across; the rest is not duplicated.
    with app.app_context():
        db.session.add(Theme(workshop_id=earlier, name="Belonging", position=3))
        db.session.commit()
    response = client.post(f"/w/{later}/carry-forward", follow_redirects=True)
    assert "Carried forward 1 theme and 0 mission statements" in response.get_data(as_text=True)
    names = [name for name, _ in carried(app, later)[0]]
    assert names == ["Hope", "Trust", "Belonging"]


def test_carry_forward_when_creating(app, client, create_facilitator, create_workshop, login):
    fid = create_facilitator()
    earlier = create_workshop(facilitator_id=fid, title="First exchange")
    seed_earlier(app, earlier)
    login(client, fid)
    form = client.get("/w/new").get_data(as_text=True)
    assert "Carry forward its themes and mission statements" in form
    response = client.post(
        "/w/new",
        data={
            "title": "Second exchange",
            "dots_per_participant": "3",
            "group_assignment": "choose",
            "previous": str(earlier),
            "carry_forward": "y",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Carried forward 2 themes and 2 mission statements from First exchange." in (
        response.get_data(as_text=True)
    )
    with app.app_context():
        later = db.session.execute(
            select(Workshop).where(Workshop.title == "Second exchange")
        ).scalar_one()
        assert len(later.themes) == 2
        assert len(later.statements) == 2


def test_carry_forward_without_previous_is_refused(app, facilitator_client):
    client, wid, _ = facilitator_client
    page = client.get(f"/w/{wid}/").get_data(as_text=True)
    assert "Carry forward its themes" not in page
    response = client.post(f"/w/{wid}/carry-forward", follow_redirects=True)
    assert "does not follow an earlier one" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Theme)).first() is None


def test_participants_cannot_carry_forward(app, client, create_workshop, join):
    earlier = create_workshop()
    seed_earlier(app, earlier)
    later = create_workshop(previous_id=earlier)
    join(client, later)
    response = client.post(f"/w/{later}/carry-forward")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.execute(select(Theme).where(Theme.workshop_id == later)).first() is None

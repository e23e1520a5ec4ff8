"""Continuity: a workshop carries forward the themes, stories and mission statements
of the one before it, once (copies remember their origin; links are remapped)."""

from __future__ import annotations

from sqlalchemy import select

from facilitator.extensions import db
from facilitator.models import Example, MissionStatement, Phase, Theme, Workshop
from facilitator.workshops.operations import carry_forward


def seed_earlier(app, wid):
    """Themes Hope and Trust (and a hidden one), stories in them (and a hidden one),
    statements linked to both."""
    with app.app_context():
        hope = Theme(
            workshop_id=wid, name="Hope", description="Belief change is possible", position=0
        )
        trust = Theme(workshop_id=wid, name="Trust", position=1)
        hidden = Theme(workshop_id=wid, name="Moderated away", hidden=True, position=2)
        met = Example(
            workshop_id=wid,
            title="Met at the gate",
            story="A worker was there on the day.",
            what_worked="Someone who knew his name",
            place="Barlinnie",
            provenance="transcript",
            source="Beth, table 1",
            themes=[hope, trust, hidden],
        )
        mentor = Example(workshop_id=wid, title="A mentor who stayed", themes=[trust])
        withdrawn = Example(workshop_id=wid, title="Withdrawn story", hidden=True, themes=[hope])
        gate = MissionStatement(
            workshop_id=wid,
            text="People are met at the gate.",
            themes=[hope, trust],
            examples=[met, withdrawn],
            seed_votes=4,
        )
        mentors = MissionStatement(
            workshop_id=wid, text="Every prison has mentors.", themes=[trust], source="Table 2"
        )
        db.session.add_all([hope, trust, hidden, met, mentor, withdrawn, gate, mentors])
        db.session.commit()
        return {"Hope": hope.id, "Trust": trust.id}, [gate.id, mentors.id]


def carried_stories(app, wid):
    """(title, origin title, provenance, source, [theme names], theme workshops) per story."""
    with app.app_context():
        stories = db.session.execute(
            select(Example).where(Example.workshop_id == wid).order_by(Example.id)
        ).scalars()
        result = []
        for e in stories:
            origin = db.session.get(Example, e.origin_id)
            result.append(
                (
                    e.title,
                    origin.title,
                    e.provenance,
                    e.source,
                    [t.name for t in e.themes],
                    {t.workshop_id for t in e.themes} | {wid},
                )
            )
        return result


def statement_stories(app, wid):
    with app.app_context():
        statements = db.session.execute(
            select(MissionStatement)
            .where(MissionStatement.workshop_id == wid)
            .order_by(MissionStatement.id)
        ).scalars()
        return {s.text: [(e.title, e.workshop_id) for e in s.examples] for s in statements}


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
    assert "Carry forward its themes, stories and mission statements" in page

    response = client.post(f"/w/{later}/carry-forward", follow_redirects=True)
    assert response.status_code == 200
    assert "Carried forward 2 themes, 2 stories and 2 mission statements from Glasgow 2012." in (
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
    # Stories come with their origin and their (visible) themes' copies; the hidden
    # story stays behind, and so does a link to the hidden theme.
    stories = carried_stories(app, later)
    assert stories == [
        (
            "Met at the gate",
            "Met at the gate",
            "transcript",
            "Carried forward from Glasgow 2012 · Beth, table 1",
            ["Hope", "Trust"],
            {later},
        ),
        (
            "A mentor who stayed",
            "A mentor who stayed",
            "live",
            "Carried forward from Glasgow 2012",
            ["Trust"],
            {later},
        ),
    ]
    with app.app_context():
        copy = db.session.execute(
            select(Example).where(Example.workshop_id == later, Example.title == "Met at the gate")
        ).scalar_one()
        assert (copy.story, copy.what_worked, copy.place) == (
            "A worker was there on the day.",
            "Someone who knew his name",
            "Barlinnie",
        )
        trust = db.session.execute(
            select(Theme).where(Theme.workshop_id == later, Theme.name == "Trust")
        ).scalar_one()
        # The carried theme knows its carried stories.
        assert [e.title for e in trust.examples] == ["Met at the gate", "A mentor who stayed"]
        assert {e.workshop_id for e in trust.examples} == {later}
    # A statement's stories are the copies too (the hidden one left behind).
    assert statement_stories(app, later) == {
        "People are met at the gate.": [("Met at the gate", later)],
        "Every prison has mentors.": [],
    }

    again = client.post(f"/w/{later}/carry-forward", follow_redirects=True)
    assert "Everything from Glasgow 2012 is already here." in again.get_data(as_text=True)
    assert carried(app, later)[:2] == (themes, statements)
    assert carried_stories(app, later) == stories

    # Something new in the earlier workshop comes across; the rest is not duplicated.
    with app.app_context():
        belonging = Theme(workshop_id=earlier, name="Belonging", position=3)
        hope = db.session.get(Theme, theme_ids["Hope"])
        gate = db.session.get(MissionStatement, statement_ids[0])
        told = Example(workshop_id=earlier, title="A house on release", themes=[belonging, hope])
        db.session.add_all([belonging, told])
        gate.examples.append(told)
        db.session.commit()
    response = client.post(f"/w/{later}/carry-forward", follow_redirects=True)
    assert "Carried forward 1 theme, 1 story and 0 mission statements" in (
        response.get_data(as_text=True)
    )
    names = [name for name, _ in carried(app, later)[0]]
    assert names == ["Hope", "Trust", "Belonging"]
    new_story = carried_stories(app, later)[-1]
    assert new_story[0] == "A house on release" and new_story[4:] == (
        ["Hope", "Belonging"],
        {later},
    )
    # The statement carried before gains the newly carried story.
    assert statement_stories(app, later)["People are met at the gate."] == [
        ("Met at the gate", later),
        ("A house on release", later),
    ]


def test_carry_forward_when_creating(app, client, create_facilitator, create_workshop, login):
    fid = create_facilitator()
    earlier = create_workshop(facilitator_id=fid, title="First exchange")
    seed_earlier(app, earlier)
    login(client, fid)
    form = client.get("/w/new").get_data(as_text=True)
    assert "Carry forward its themes, stories and mission statements" in form
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
    assert "Carried forward 2 themes, 2 stories and 2 mission statements from First exchange." in (
        response.get_data(as_text=True)
    )
    with app.app_context():
        later = db.session.execute(
            select(Workshop).where(Workshop.title == "Second exchange")
        ).scalar_one()
        assert len(later.themes) == 2
        assert len(later.examples) == 2
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


def test_a_link_removed_in_the_later_workshop_stays_removed(app, create_workshop):
    """Re-running adds links only to what is newly carried: the later workshop's own
    edits to older copies stand."""
    earlier = create_workshop(title="Spring")
    seed_earlier(app, earlier)
    later = create_workshop(previous_id=earlier)
    with app.app_context():
        carry_forward(db.session.get(Workshop, later))
        copy = db.session.execute(
            select(Example).where(Example.workshop_id == later, Example.title == "Met at the gate")
        ).scalar_one()
        copy.themes = [t for t in copy.themes if t.name != "Hope"]
        db.session.commit()
        result = carry_forward(db.session.get(Workshop, later))
        assert not result.added
    assert carried_stories(app, later)[0][4] == ["Trust"]


def test_stories_join_themes_and_statements_carried_before_stories_were(app, create_workshop):
    """A workshop carried forward by the old carry-forward (themes and statements
    only) gets the stories on the next run, linked to the copies it already has."""
    earlier = create_workshop(title="Spring")
    theme_ids, statement_ids = seed_earlier(app, earlier)
    later = create_workshop(previous_id=earlier)
    with app.app_context():
        carry_forward(db.session.get(Workshop, later))
        # What the old carry-forward left: no story copies at all.
        for story in db.session.execute(select(Example).where(Example.workshop_id == later)):
            db.session.delete(story[0])
        db.session.commit()
        result = carry_forward(db.session.get(Workshop, later))
        assert (result.added_themes, result.added_examples, result.added_statements) == (0, 2, 0)
    assert [s[4] for s in carried_stories(app, later)] == [["Hope", "Trust"], ["Trust"]]
    assert statement_stories(app, later)["People are met at the gate."] == [
        ("Met at the gate", later)
    ]


def test_carry_forward_as_the_seed_calls_it(app, create_workshop):
    """Inside the caller's transaction, sources untouched, tallies kept, same tables,
    and the copies found by their original's id."""
    earlier = create_workshop(title="Spring", groups=("Table 1", "Table 2"))
    theme_ids, statement_ids = seed_earlier(app, earlier)
    later = create_workshop(title="Autumn", previous_id=earlier, groups=("table 2",))
    with app.app_context():
        table_2 = (
            db.session.execute(select(Workshop).where(Workshop.id == earlier))
            .scalar_one()
            .groups[1]
        )
        story = db.session.execute(
            select(Example).where(Example.title == "A mentor who stayed")
        ).scalar_one()
        story.group = table_2
        db.session.commit()
        story_id = story.id
        result = carry_forward(
            db.session.get(Workshop, later),
            commit=False,
            mark_source=False,
            keep_tallies=True,
            same_tables=True,
        )
        gate = result.statements[statement_ids[0]]
        assert gate.seed_votes == 4 and gate.workshop_id == later and gate.source == ""
        assert result.themes[theme_ids["Hope"]].name == "Hope"
        mentor = result.examples[story_id]
        assert mentor.group.name == "table 2" and mentor.group.workshop_id == later
        assert result.examples[story_id].source == ""
        db.session.rollback()  # commit=False: nothing was committed
        assert (
            db.session.execute(select(Example).where(Example.workshop_id == later)).first() is None
        )


PANEL = "From earlier in this inquiry"


def test_a_later_workshops_facilitator_sees_the_earlier_positive_core(
    app, client, create_facilitator, create_workshop, login
):
    fid = create_facilitator()
    earlier = create_workshop(facilitator_id=fid, title="Glasgow 2012")
    seed_earlier(app, earlier)
    later = create_workshop(facilitator_id=fid, title="Glasgow 2013", previous_id=earlier)
    login(client, fid)
    with app.app_context():
        db.session.get(Workshop, later).phase = Phase.DREAM
        db.session.commit()
    for url in (f"/w/{later}/console", f"/w/{later}/discovery/themes", f"/w/{later}/dream/"):
        page = client.get(url).get_data(as_text=True)
        assert PANEL in page, url
        panel = page.split(PANEL, 1)[1].split("</section>", 1)[0]
        assert f'<a href="/w/{earlier}/">Glasgow 2012</a>' in panel
        for shown in ("Hope", "Belief change is possible", "Trust", "Met at the gate"):
            assert shown in panel, (url, shown)
        assert "A mentor who stayed" in panel and "Someone who knew his name" in panel
        # Moderated-away items stay out; nothing is carried yet.
        assert "Moderated away" not in panel and "Withdrawn story" not in panel
        assert "carried here" not in panel
    # The earlier workshop has no earlier one: no panel, on any page.
    assert PANEL not in client.get(f"/w/{earlier}/console").get_data(as_text=True)
    assert PANEL not in client.get(f"/w/{earlier}/discovery/themes").get_data(as_text=True)

    client.post(f"/w/{later}/carry-forward")
    panel = client.get(f"/w/{later}/console").get_data(as_text=True).split(PANEL, 1)[1]
    assert panel.count('<span class="tag">carried here</span>') == 2  # Hope and Trust


def test_phones_see_only_what_was_carried_forward(
    app, client, create_facilitator, create_workshop, login, join
):
    fid = create_facilitator()
    earlier = create_workshop(facilitator_id=fid, title="Glasgow 2012")
    seed_earlier(app, earlier)
    later = create_workshop(facilitator_id=fid, title="Glasgow 2013", previous_id=earlier)
    with app.app_context():
        db.session.get(Workshop, later).phase = Phase.DREAM
        db.session.commit()
    phone = app.test_client()
    join(phone, later)
    # Not carried: the earlier room's stories are its own participants' only.
    page = phone.get(f"/w/{later}/dream/").get_data(as_text=True)
    assert PANEL not in page and "Met at the gate" not in page

    login(client, fid)
    client.post(f"/w/{later}/carry-forward")
    page = phone.get(f"/w/{later}/dream/").get_data(as_text=True)
    panel = page.split(PANEL, 1)[1].split("</section>", 1)[0]
    assert "Carried forward into this workshop" in panel
    assert "Hope" in panel and "Met at the gate" in panel and "A mentor who stayed" in panel
    assert "Withdrawn story" not in page
    # No link into the earlier workshop, which the phone has not joined.
    assert f"/w/{earlier}/" not in panel
    # A story of this workshop's own, clustered into a carried theme, is not
    # "from earlier" (and may be another table's).
    with app.app_context():
        hope = db.session.execute(
            select(Theme).where(Theme.workshop_id == later, Theme.name == "Hope")
        ).scalar_one()
        table_2 = db.session.get(Workshop, later).groups[1]
        db.session.add(
            Example(workshop_id=later, group=table_2, title="Table two own story", themes=[hope])
        )
        db.session.commit()
    panel = phone.get(f"/w/{later}/dream/").get_data(as_text=True).split(PANEL, 1)[1]
    assert "Table two own story" not in panel.split("</section>", 1)[0]


def test_the_workshop_page_names_the_workshops_it_continues_and_is_continued_by(
    app, client, create_facilitator, create_workshop, login
):
    fid = create_facilitator()
    first = create_workshop(facilitator_id=fid, title="Discovery and Dream")
    second = create_workshop(facilitator_id=fid, title="Design and Destiny", previous_id=first)
    third = create_workshop(facilitator_id=fid, title="A year on", previous_id=second)
    login(client, fid)

    def continuity(wid):
        page = client.get(f"/w/{wid}/").get_data(as_text=True)
        if 'id="continuity"' not in page:
            return None
        return page.split('id="continuity"', 1)[1].split("</section>", 1)[0]

    assert f'Continued by <a href="/w/{second}/">Design and Destiny</a>' in continuity(first)
    assert "Continues" not in continuity(first) and "Carry forward" not in continuity(first)
    middle = continuity(second)
    assert f'Continues <a href="/w/{first}/">Discovery and Dream</a> (16 May 2026).' in middle
    assert f'Continued by <a href="/w/{third}/">A year on</a>' in middle
    assert "Carry forward its themes, stories and mission statements" in middle
    assert "Continued by" not in continuity(third)
    # A workshop on its own names none.
    alone = create_workshop(facilitator_id=fid)
    assert continuity(alone) is None

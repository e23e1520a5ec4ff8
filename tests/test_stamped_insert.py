"""A new story is inserted beside its revision bump without the ORM's unit of
work (facilitator.services.live.insert_stamped): one statement on PostgreSQL, so
the workshop's row lock is held for no client round trip but the COMMIT; what is
stored is what a flush would have stored; anything with related rows set on it
still goes through the unit of work."""

from __future__ import annotations

from sqlalchemy import select

from facilitator.extensions import db
from facilitator.models import Example, Theme, Workshop
from facilitator.phases.operations import add_contribution
from facilitator.services.live import insert_stamped
from tests.support.sql import recorded_sql

HX = {"HX-Request": "true"}


def _from_the_bump(statements: list[str]) -> list[str]:
    start = next(i for i, s in enumerate(statements) if "UPDATE workshop SET" in s)
    return statements[start:]


def test_a_story_is_stored_with_its_revision_in_one_statement_on_postgresql(
    app, create_workshop, join
):
    wid = create_workshop()
    phone = app.test_client()
    person = join(phone, wid, name="Ann")
    with recorded_sql(app) as statements:
        response = phone.post(
            f"/w/{wid}/discovery/new", data={"title": "Met at the gate"}, headers=HX
        )
    assert response.status_code == 200 and "is on the board" in response.get_data(as_text=True)
    writes = _from_the_bump(statements)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # WITH bump AS (UPDATE workshop ...) INSERT INTO example ...: one round trip.
            assert writes[0].lstrip().startswith("WITH bump AS"), writes
            assert "INSERT INTO example" in writes[0]
        else:
            assert writes[0].lstrip().startswith("UPDATE workshop"), writes
            assert writes[1].lstrip().startswith("INSERT INTO example"), writes
        story = db.session.execute(select(Example)).scalar_one()
        workshop = db.session.get(Workshop, wid)
        # What a flush would have stored: the defaults, the author, the new revision.
        assert (story.title, story.story, story.place, story.source) == (
            "Met at the gate",
            "",
            "",
            "",
        )
        assert story.hidden is False and story.created_at is not None
        assert story.author_participant_id == person
        assert story.revision == workshop.revision > workshop.layout_revision


def test_the_new_item_is_the_sessions_own_row_once_committed(app, create_workshop):
    wid = create_workshop()
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        before = workshop.revision
        story = Example(workshop_id=wid, title="Kept a bed", themes=[])
        add_contribution(workshop, story)
        with recorded_sql(app) as statements:
            # Persistent and loaded, as after a flush: nothing is read back.
            assert story.id is not None and (story.revision, story.hidden) == (before + 1, False)
            assert story.author_name == "Workshop record"
            assert workshop.revision == before + 1
        assert statements == []
        assert db.session.get(Example, story.id) is story


def test_related_rows_still_go_through_the_unit_of_work(app, create_workshop):
    wid = create_workshop()
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        theme = Theme(workshop_id=wid, name="Being known by name")
        db.session.add(theme)
        db.session.commit()
        story = Example(workshop_id=wid, title="Named", themes=[theme])
        with db.session.no_autoflush:
            assert insert_stamped(workshop, story) is None  # nothing was sent
        db.session.rollback()
        add_contribution(workshop, story)
        db.session.expire_all()
        stored = db.session.execute(select(Example).where(Example.title == "Named")).scalar_one()
        assert [t.name for t in stored.themes] == ["Being known by name"]
        assert stored.revision == db.session.get(Workshop, wid).revision

"""The SQL a page sends is bounded and does not grow with the contributions on it.

Each screen (console, projector and its poll, the phone's page and its poll)
is requested with 10 and with 500 contributions in the current phase; the
number of statements must be the same, and small.
"""

from __future__ import annotations

import pytest

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
from facilitator.workshops.operations import carry_forward
from tests.support.sql import recorded_sql

HX = {"HX-Request": "true"}
MAX_QUERIES = 16


def fill(app, wid: int, phase: Phase, count: int) -> None:
    """``count`` contributions in ``phase``, by participants and a facilitator, linked
    the way real ones are (themes, statements, designs, votes, sign-ups)."""
    with app.app_context():
        workshop = db.session.get(Workshop, wid)
        workshop.phase = phase
        groups = workshop.groups
        people = [
            Participant(workshop_id=wid, display_name=f"P{i}", group_id=groups[i % len(groups)].id)
            for i in range(12)
        ]
        theme = Theme(workshop_id=wid, name="Being known by name")
        story = Example(workshop_id=wid, title="Met at the gate", themes=[theme])
        db.session.add_all([*people, theme, story])
        db.session.flush()
        statement = MissionStatement(workshop_id=wid, text="Everyone leaves with a home")
        design = DesignElement(workshop_id=wid, text="A named worker", statement=statement)
        db.session.add_all([statement, design])
        db.session.flush()
        items = []
        for i in range(count):
            author = people[i % len(people)]
            common = dict(
                workshop_id=wid,
                group_id=author.group_id,
                author_participant_id=author.id if i % 5 else None,
            )
            if phase == Phase.DISCOVERY:
                items.append(Example(title=f"Story {i}", themes=[theme], **common))
            elif phase == Phase.DREAM:
                items.append(
                    MissionStatement(
                        text=f"Statement {i}", themes=[theme], examples=[story], **common
                    )
                )
            elif phase == Phase.DESIGN:
                items.append(DesignElement(text=f"Practice {i}", statement=statement, **common))
            else:
                items.append(ActionPoint(action=f"Action {i}", design=design, **common))
        db.session.add_all(items)
        db.session.flush()
        if phase == Phase.DREAM:
            db.session.add_all(
                Vote(workshop_id=wid, statement_id=items[i].id, participant_id=p.id, slot=1)
                for i, p in enumerate(people[: min(count, len(people))])
            )
        if phase == Phase.DESTINY:
            db.session.add_all(
                ActionSignup(action_id=items[i].id, participant_id=p.id)
                for i, p in enumerate(people[: min(count, len(people))])
            )
        db.session.commit()


def screens(wid: int, phase: Phase) -> dict[str, tuple[str, dict]]:
    live = f"/w/{wid}/live/{phase.value}?room={phase.value}"
    return {
        "console": (f"/w/{wid}/console", {}),
        "console poll": (live + "&mode=console", HX),
        "projector": (f"/w/{wid}/projector", {}),
        "projector poll": (f"/w/{wid}/projector/live", HX),
        "phone page": (f"/w/{wid}/{phase.value}/", {}),
        "phone poll": (live, HX),
    }


def query_counts(app, create_facilitator, create_workshop, login, join, phase, count):
    fid = create_facilitator()
    wid = create_workshop(facilitator_id=fid)
    fill(app, wid, phase, count)
    facilitator, phone = app.test_client(), app.test_client()
    login(facilitator, fid)
    join(phone, wid, name="Reader", group=0)
    result = {}
    for name, (url, headers) in screens(wid, phase).items():
        client = phone if name.startswith("phone") else facilitator
        with recorded_sql(app) as statements:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (name, response.status_code)
        result[name] = len(statements)
    return result


@pytest.mark.parametrize("phase", list(Phase), ids=lambda p: p.value)
def test_queries_do_not_grow_with_contributions(
    app, create_facilitator, create_workshop, login, join, phase
):
    args = (app, create_facilitator, create_workshop, login, join, phase)
    few = query_counts(*args, 10)
    many = query_counts(*args, 500)
    assert few == many, (few, many)
    assert max(many.values()) <= MAX_QUERIES, many


def test_a_story_post_reads_nothing_back(app, create_workshop, join):
    """A post is: the workshop and who is asking, one revision bump, the story, its stored HTML.
    The answer is rendered from what was just written, not read back."""
    wid = create_workshop()
    phone = app.test_client()
    join(phone, wid, name="Ann")
    with recorded_sql(app) as statements:
        response = phone.post(
            f"/w/{wid}/discovery/new", data={"title": "Met at the gate"}, headers=HX
        )
    assert response.status_code == 200 and "is on the board" in response.get_data(as_text=True)
    verbs = [" ".join(s.split()[:4]) for s in statements]
    assert [v for v in verbs if v.startswith("SELECT")] == [
        v for v in verbs[:2] if v.startswith("SELECT")
    ], verbs  # the workshop and the participant, before the write; nothing after
    assert sum("FROM workshop " in s or "FROM workshop\n" in s for s in statements) == 1
    # The workshop and the person asking come in one query.
    selects = [s for s in statements if s.lstrip().startswith("SELECT")]
    assert len(selects) == 1 and "participant" in selects[0], selects
    assert len(statements) <= 6, verbs


def inquiry_query_counts(app, create_facilitator, create_workshop, login, join, count):
    """A later workshop of an inquiry, in Dream: the earlier one has ``count`` stories
    in ``count // 10`` themes (and some in none), carried forward, with ``count``
    statements grounded in the carried stories."""
    fid = create_facilitator()
    earlier = create_workshop(facilitator_id=fid, title="Earlier")
    later = create_workshop(facilitator_id=fid, title="Later", previous_id=earlier)
    with app.app_context():
        themes = [
            Theme(workshop_id=earlier, name=f"Theme {i}", position=i) for i in range(count // 10)
        ]
        stories = [
            Example(
                workshop_id=earlier,
                title=f"Story {i}",
                what_worked="Being known by name",
                themes=[themes[i % len(themes)]] if i % 7 else [],
            )
            for i in range(count)
        ]
        db.session.add_all([*themes, *stories])
        db.session.commit()
        workshop = db.session.get(Workshop, later)
        carried = carry_forward(workshop)
        copies = list(carried.examples.values())
        workshop.phase = Phase.DREAM
        db.session.add_all(
            MissionStatement(
                workshop_id=later,
                text=f"Statement {i}",
                examples=copies[i : i + 2],
                themes=list(carried.themes.values())[:1],
            )
            for i in range(count)
        )
        db.session.commit()
    facilitator, phone = app.test_client(), app.test_client()
    login(facilitator, fid)
    join(phone, later, name="Reader", group=0)
    pages = {
        "console": (facilitator, f"/w/{later}/console"),
        "themes page": (facilitator, f"/w/{later}/discovery/themes"),
        "dream page (facilitator)": (facilitator, f"/w/{later}/dream/"),
        "dream page (phone)": (phone, f"/w/{later}/dream/"),
        "workshop page": (facilitator, f"/w/{later}/"),
    }
    result = {}
    for name, (client, url) in pages.items():
        with recorded_sql(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        # The panel is really there, with what it lists.
        if name != "workshop page":
            assert "From earlier in this inquiry" in response.get_data(as_text=True), name
        result[name] = len(statements)
    return result


def test_inquiry_pages_do_not_grow_with_the_earlier_workshops_items(
    app, create_facilitator, create_workshop, login, join
):
    args = (app, create_facilitator, create_workshop, login, join)
    few = inquiry_query_counts(*args, 10)
    many = inquiry_query_counts(*args, 500)
    assert few == many, (few, many)
    # The panel costs a few queries (the earlier workshop, its themes and their
    # stories, its other stories, what was carried): a fixed number.
    assert max(many.values()) <= MAX_QUERIES + 2, many


def fill_inquiry(app, first: int, second: int, count: int) -> None:
    """``count`` of each kind across two workshops of one inquiry: stories, themes and
    statements (grounded in stories, voted on) in the first, carried-forward copies,
    designs, actions and sign-ups in the second."""
    with app.app_context():
        db.session.get(Workshop, second).previous_id = first
        people = [Participant(workshop_id=second, display_name=f"P{i}") for i in range(6)]
        voters = [Participant(workshop_id=first, display_name=f"V{i}") for i in range(6)]
        db.session.add_all([*people, *voters])
        db.session.flush()
        themes = [Theme(workshop_id=first, name=f"Theme {i}") for i in range(count)]
        stories = [
            Example(workshop_id=first, title=f"Story {i}", themes=[themes[i]]) for i in range(count)
        ]
        db.session.add_all([*themes, *stories])
        db.session.flush()
        statements = [
            MissionStatement(workshop_id=first, text=f"Statement {i}", themes=[themes[i]])
            for i in range(count)
        ]
        for s, story in zip(statements, stories, strict=True):
            s.examples = [story]
        db.session.add_all(statements)
        db.session.flush()
        db.session.add_all(
            Vote(workshop_id=first, statement_id=statements[i].id, participant_id=v.id, slot=1)
            for i, v in enumerate(voters)
        )
        copies = [
            MissionStatement(workshop_id=second, text=s.text, origin_id=s.id) for s in statements
        ]
        theme_copies = [Theme(workshop_id=second, name=t.name, origin_id=t.id) for t in themes]
        db.session.add_all([*copies, *theme_copies])
        db.session.flush()
        designs = [
            DesignElement(workshop_id=second, text=f"Design {i}", statement_id=copies[i].id)
            for i in range(count)
        ]
        db.session.add_all(designs)
        db.session.flush()
        actions = [
            ActionPoint(
                workshop_id=second,
                action=f"Action {i}",
                owner=f"Owner {i % 7}",
                design_id=designs[i].id,
            )
            for i in range(count)
        ]
        db.session.add_all(actions)
        db.session.flush()
        db.session.add_all(
            ActionSignup(action_id=actions[i].id, participant_id=p.id) for i, p in enumerate(people)
        )
        db.session.commit()


def report_query_counts(app, create_facilitator, create_workshop, login, count):
    fid = create_facilitator()
    first = create_workshop(facilitator_id=fid)
    second = create_workshop(facilitator_id=fid)
    fill_inquiry(app, first, second, count)
    client = app.test_client()
    login(client, fid)
    result = {}
    for url in (
        f"/w/{second}/report",
        f"/w/{second}/inquiry",
        f"/w/{first}/inquiry",
        f"/w/{second}/actions.csv",
        f"/w/{second}/actions.ics",
    ):
        with recorded_sql(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        result[url.split("/", 3)[-1] + ("" if str(second) in url else " (first)")] = len(statements)
    return result


def test_report_and_inquiry_queries_do_not_grow_with_contributions(
    app, create_facilitator, create_workshop, login
):
    """The report, the inquiry report (from either end) and the action plan exports."""
    few = report_query_counts(app, create_facilitator, create_workshop, login, 10)
    many = report_query_counts(app, create_facilitator, create_workshop, login, 120)
    assert few == many, (few, many)
    assert max(many.values()) <= 30, many

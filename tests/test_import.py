"""JSON import: the forms' rules, every problem listed, nothing written when refused;
the new data of schema version 2; version 1 files; whole inquiries (chains)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from facilitator.extensions import db
from facilitator.models import (
    ActionPoint,
    Example,
    Facilitator,
    MissionStatement,
    Participant,
    Theme,
    Vote,
    Workshop,
)
from facilitator.services.export import (
    SCHEMA_VERSION,
    ImportRefused,
    export_chain,
    export_workshop,
    import_workshop,
)
from facilitator.services.importing import import_document
from tests.conftest import _empty_tables
from tests.support.report_data import fill_workshop


@pytest.fixture
def filled(app, facilitator_client):
    _, wid, _ = facilitator_client
    with app.app_context():
        fill_workshop(wid)
    return wid


def _counts() -> tuple:
    return tuple(
        db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()
        for model in (Workshop, Participant, Example, MissionStatement, ActionPoint, Vote)
    )


def _refused(doc) -> str:
    """Import ``doc``; it must be refused and leave every table as it was."""
    before = _counts()
    with pytest.raises(ImportRefused) as caught:
        import_document(doc)
    db.session.rollback()
    assert _counts() == before
    return str(caught.value)


def _export(wid: int) -> dict:
    return export_workshop(db.session.get(Workshop, wid))


# ------------------------------------------------------------------ round trips


def test_by_hand_seating_round_trips(app, filled):
    with app.app_context():
        workshop = db.session.get(Workshop, filled)
        workshop.group_assignment = "by_hand"
        db.session.commit()
        doc = _export(filled)
        copy_, _ = import_workshop(copy.deepcopy(doc))
        assert copy_.group_assignment == "by_hand"
        assert export_workshop(copy_) == doc


def test_new_data_round_trips(app, filled, create_workshop):
    """Provenance, suggested owners and steps, listing, archiving, wording, a
    statement's stories and a carried-forward story's origin in a seeded workshop."""
    first = create_workshop(seed_key="exchange-1", title="Day one")
    with app.app_context():
        origin = Example(workshop_id=first, title="The gate", provenance="external")
        db.session.add(origin)
        workshop = db.session.get(Workshop, filled)
        workshop.previous_id = first
        workshop.provenance = "transcript"
        workshop.listed = True
        workshop.archived_at = datetime(2026, 6, 1, 12, tzinfo=UTC)
        workshop.settings = {
            "wording": {"hint.dream": "People leaving prison are met at the gate by…"},
            "interview_questions": ["What went well?", "Who helped?"],
            "earlier_phases": "open",
            "next_steps": {"check_in": "2027-01-15", "convener": "Beth"},
            "language": "en-GB",
        }
        db.session.flush()
        carried = Example(
            workshop_id=filled, title="The gate", origin_id=origin.id, provenance="external"
        )
        db.session.add(carried)
        action = db.session.execute(
            db.select(ActionPoint).filter_by(workshop_id=filled, owner="Archie")
        ).scalar_one()
        action.owner_suggested = True
        action.first_step_suggested = True
        action.provenance = "suggested"
        statement = action.design.statement
        statement.examples = [carried, origin]
        db.session.commit()

        doc = _export(filled)
        assert doc["schema_version"] == SCHEMA_VERSION == 2
        assert doc["workshop"]["previous"] == {"seed_key": "exchange-1"}
        assert doc["workshop"]["listed"] is True
        story = next(e for e in doc["examples"] if e["title"] == "The gate")
        assert story["origin"] == {"seed_key": "exchange-1", "id": 1}
        assert story["provenance"] == "external"
        grounded = next(s for s in doc["statements"] if s["id"] == doc["designs"][0]["statement"])
        assert grounded["examples"] == [story["id"], {"seed_key": "exchange-1", "id": 1}]
        owned = next(a for a in doc["actions"] if a["owner"] == "Archie")
        assert owned["owner_suggested"] and owned["first_step_suggested"]

        copy_, _ = import_workshop(copy.deepcopy(doc))
        assert copy_.previous_id == first
        assert copy_.wording("hint.dream").startswith("People leaving prison")
        assert copy_.earlier_phases_open
        assert copy_.settings["next_steps"] == {"check_in": "2027-01-15", "convener": "Beth"}
        assert copy_.settings["language"] == "en-GB"
        new_story = db.session.execute(
            db.select(Example).filter_by(workshop_id=copy_.id, title="The gate")
        ).scalar_one()
        assert new_story.origin_id == origin.id
        assert export_workshop(copy_) == doc


def test_version_1_files_still_import(app, filled):
    with app.app_context():
        doc = _export(filled)
        old = copy.deepcopy(doc)
        old["schema_version"] = 1
        for name in ("listed", "archived_at", "provenance", "previous"):
            del old["workshop"][name]
        for kind in ("themes", "examples", "statements", "designs", "actions"):
            for item in old[kind]:
                for name in (
                    "provenance",
                    "origin",
                    "examples",
                    "owner_suggested",
                    "first_step_suggested",
                ):
                    item.pop(name, None)
        copy_, _ = import_workshop(old)
        assert export_workshop(copy_) == doc  # the defaults are what version 1 meant
        # A version 2 field in a version 1 file is not silently taken.
        old["workshop"]["listed"] = True
        assert "unknown field 'listed'" in _refused(old)


# ------------------------------------------------------------------ the forms' rules


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        # Wrong-typed settings that broke Discovery and the console.
        (
            lambda d: d["workshop"]["settings"].update(interview_questions=5),
            "settings.interview_questions: expected a list of questions",
        ),
        (
            lambda d: d["workshop"]["settings"].update(interview_questions="Why?"),
            "settings.interview_questions: expected a list of questions",
        ),
        (
            lambda d: d["workshop"]["settings"].update(wording=["x"]),
            "settings.wording: expected an object of texts",
        ),
        (
            lambda d: d["workshop"]["settings"].update(wording={"prompt.dream": 7}),
            "settings.wording.prompt.dream: expected text",
        ),
        (
            lambda d: d["workshop"]["settings"].update(wording={"prompt.party": "x"}),
            "settings.wording.prompt.party: is not one of",
        ),
        (lambda d: d["workshop"]["settings"].update(theme="dark"), "settings.theme: is not a"),
        # Huge texts: the forms' own limits.
        (
            lambda d: d["examples"][0].update(story="x" * 20_000_000),
            "examples[0].story: 20,000,000 characters, more than the 5,000 the form allows",
        ),
        (lambda d: d["workshop"].update(topic="x" * 1001), "workshop.topic: 1,001 characters"),
        (lambda d: d["statements"][0].update(text="   "), "statements[0].text: is empty"),
        (lambda d: d["themes"][0].update(source="s" * 2001), "themes[0].source: longer than"),
        (
            lambda d: d["participants"][0].update(display_name="n" * 61),
            "participants[0].display_name: 61 characters, more than the 60",
        ),
        # Over-limit votes.
        (lambda d: d["workshop"].update(dots_per_participant=1), "each participant has 1 dots"),
        (lambda d: d["votes"][0].update(slot=51), "votes[0].slot: dot 51"),
        (lambda d: d["statements"][0].update(seed_votes=10**12), "seed_votes: 1000000000000"),
        (lambda d: d["themes"][0].update(position=2**40), "themes[0].position"),
        # Choices and dates as the forms have them.
        (lambda d: d["workshop"].update(group_assignment="lottery"), "is not one of choose"),
        (lambda d: d["workshop"].update(ends_on="2026-05-01"), "the last day is before"),
        (lambda d: d["actions"][0].update(provenance="rumour"), "actions[0].provenance"),
        # Values the database could not take, whatever their type.
        (
            lambda d: d["examples"][0].update(author={"participant": "1"}),
            "examples[0].author: expected a participant's number",
        ),
        (
            lambda d: d["workshop"]["settings"].update(earlier_phases="sometimes"),
            "settings.earlier_phases",
        ),
        (
            lambda d: d["workshop"]["settings"].update(next_steps={"check_in": "soon"}),
            "settings.next_steps.check_in",
        ),
        (
            lambda d: d["workshop"]["settings"].update(language="<script>"),
            "settings.language: expected a language tag",
        ),
        (
            lambda d: d["examples"][0].update(created_at="9999-12-31T23:59:59-05:00"),
            "examples[0].created_at: timestamp '9999-12-31T23:59:59-05:00' is out of range",
        ),
    ],
)
def test_imports_obey_the_forms_rules(app, filled, mutate, message):
    """Each refusal names the field and says what is wrong."""
    with app.app_context():
        doc = _export(filled)
        mutate(doc)
        assert message in _refused(doc)


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d["examples"][0].update(title="a\x00b"), "examples[0].title"),
        (lambda d: d["participants"][0].update(display_name="Ana\x00"), "participants[0]"),
        (lambda d: d["groups"][0].update(focus="\x00"), "groups[0].focus"),
        (
            lambda d: d["workshop"]["settings"].update(interview_questions=["Why\x00?"]),
            "settings.interview_questions[0]",
        ),
        (lambda d: d["facilitators"][0].update(name="\x00"), "facilitators[0].name"),
    ],
)
def test_nul_bytes_are_refused_by_name(app, filled, mutate, where):
    """PostgreSQL refuses NUL in text: the import names the field, no traceback."""
    with app.app_context():
        doc = _export(filled)
        mutate(doc)
        message = _refused(doc)
        assert where in message and "NUL" in message


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (
            lambda d: d["facilitators"][0].update(email="a" * 250 + "@example.org"),
            "facilitators[0].email",
        ),
        (
            lambda d: d["examples"][0].update(author={"facilitator": "b" * 300 + "@example.org"}),
            "examples[0].author.facilitator",
        ),
        (
            lambda d: d["examples"][0].update(author={"facilitator": "not an address@"}),
            "examples[0].author.facilitator",
        ),
    ],
)
def test_unusable_emails_are_refused(app, filled, mutate, where):
    with app.app_context():
        doc = _export(filled)
        mutate(doc)
        assert where in _refused(doc)
        assert (
            db.session.execute(db.select(db.func.count()).select_from(Facilitator)).scalar_one()
            == 1
        )  # no account was made for it


def test_deeply_nested_files_are_refused_with_a_message(app, runner, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = runner.invoke(args=["import-workshop", str(path)])
    assert result.exit_code != 0
    assert "nested too deeply" in result.output


def test_every_problem_is_listed_at_once(app, filled, runner, tmp_path):
    with app.app_context():
        doc = _export(filled)
    doc["examples"][0]["story"] = "x" * 6000
    doc["workshop"]["settings"] = {"interview_questions": 5}
    doc["votes"][0]["slot"] = 99
    doc["actions"][0]["status"] = "someday"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    result = runner.invoke(args=["import-workshop", str(path)])
    assert result.exit_code != 0
    assert "Import refused, nothing was written: 4 problems:" in result.output
    for where in ("examples[0].story", "interview_questions", "votes[0].slot", "actions[0].status"):
        assert where in result.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Workshop.id))).scalar_one() == 1


# ------------------------------------------------------------------ inquiries


@pytest.fixture
def chain(app, create_workshop, create_facilitator):
    """Two workshops of one inquiry: the second continues the first, with its
    themes and statements carried forward and a story carried by hand."""
    from facilitator.workshops.operations import carry_forward

    fid = create_facilitator()
    first = create_workshop(facilitator_id=fid, title="Discovery and Dream")
    with app.app_context():
        fill_workshop(first)
    second = create_workshop(facilitator_id=fid, title="Design and Destiny", previous_id=first)
    with app.app_context():
        carry_forward(db.session.get(Workshop, second))
        story = db.session.execute(
            db.select(Example).filter_by(workshop_id=first, title="Mentor who stayed")
        ).scalar_one()
        copy_ = Example(workshop_id=second, title=story.title, origin_id=story.id)
        db.session.add(copy_)
        statement = (
            db.session.execute(
                db.select(MissionStatement).where(
                    MissionStatement.workshop_id == second, MissionStatement.origin_id.is_not(None)
                )
            )
            .scalars()
            .first()
        )
        statement.examples = [copy_, story]
        db.session.commit()
    return first, second


def test_a_whole_inquiry_round_trips(app, chain, runner, tmp_path):
    first, second = chain
    path = tmp_path / "inquiry.json"
    result = runner.invoke(args=["export-workshop", str(first), str(path), "--chain"])
    assert result.exit_code == 0, result.output
    assert "Discovery and Dream, Design and Destiny" in result.output
    doc = json.loads(path.read_text())
    assert [part["workshop"]["title"] for part in doc["chain"]] == [
        "Discovery and Dream",
        "Design and Destiny",
    ]
    later = doc["chain"][1]
    assert later["workshop"]["previous"] == {"workshop": 1}
    assert all(t["origin"]["workshop"] == 1 for t in later["themes"])
    carried = next(e for e in later["examples"] if e["origin"])
    assert carried["origin"] == {"workshop": 1, "id": 1}
    with app.app_context():
        _empty_tables()
    result = runner.invoke(args=["import-workshop", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.count("Imported workshop") == 2
    with app.app_context():
        workshops = db.session.execute(db.select(Workshop).order_by(Workshop.id)).scalars().all()
        assert workshops[1].previous_id == workshops[0].id
        themes = db.session.execute(
            db.select(Theme).filter_by(workshop_id=workshops[1].id)
        ).scalars()
        assert all(t.origin_id is not None for t in themes)
        again = export_chain(workshops[1])
    assert again == doc


def _chain_doc(app, first) -> dict:
    with app.app_context():
        return export_chain(db.session.get(Workshop, first))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["chain"][1]["workshop"].update(previous={"workshop": 3}),
            "chain[1].workshop.previous: refers to workshop 3, which is not in the file",
        ),
        (
            lambda d: d["chain"][0]["workshop"].update(previous={"workshop": 2}),
            "go round in a circle",
        ),
        (
            lambda d: d["chain"][1]["workshop"].update(previous={"seed_key": "nowhere"}),
            "seed key 'nowhere' is not in this database",
        ),
        # Origins outside the inquiry: the later workshop, or one the chain does not reach.
        (
            lambda d: d["chain"][0]["themes"][0].update(origin={"workshop": 2, "id": 1}),
            "chain[0].themes[0].origin: workshop 2 is not an earlier workshop",
        ),
        (
            lambda d: d["chain"][1]["themes"][0].update(origin={"workshop": 1, "id": 99}),
            "workshop 1 has no theme 99",
        ),
        (
            lambda d: d["chain"][1]["statements"][0].update(examples=[{"workshop": 2, "id": 1}]),
            "chain[1].statements[0].examples: workshop 2 is not an earlier workshop",
        ),
        (
            lambda d: (
                d["chain"][1]["workshop"].update(previous=None),
                d["chain"][1]["themes"][0].update(origin={"workshop": 1, "id": 1}),
            ),
            "workshop 1 is not an earlier workshop of this inquiry",
        ),
    ],
)
def test_malformed_inquiries_are_refused_and_write_nothing(app, chain, mutate, message):
    doc = _chain_doc(app, chain[0])
    mutate(doc)
    with app.app_context():
        assert message in _refused(doc)


def test_a_single_export_names_its_earlier_workshop_only_by_seed_key(app, chain):
    """An unseeded earlier workshop would dangle in another database: left out."""
    first, second = chain
    with app.app_context():
        doc = _export(second)
        assert doc["workshop"]["previous"] is None
        assert all(t["origin"] is None for t in doc["themes"])
        db.session.get(Workshop, first).seed_key = "day-one"
        db.session.commit()
        doc = _export(second)
        assert doc["workshop"]["previous"] == {"seed_key": "day-one"}
        copy_, _ = import_workshop(doc)
        assert copy_.previous_id == first
        # Into a database without that seeded workshop, it is refused.
        db.session.get(Workshop, first).seed_key = None
        db.session.commit()
        assert "seed key 'day-one' is not in this database" in _refused(doc)


def test_exporting_an_inquiry_costs_queries_flat_in_its_items(app, chain):
    """Carried-forward origins and linked stories are looked up together, not one by one."""
    from tests.support.sql import recorded_sql

    first, second = chain

    def queries() -> int:
        with recorded_sql(app) as statements, app.app_context():
            export_chain(db.session.get(Workshop, second))
        return len(statements)

    before = queries()
    with app.app_context():
        origins = (
            db.session.execute(db.select(Example).filter_by(workshop_id=first).order_by(Example.id))
            .scalars()
            .all()
        )
        copies = [Example(workshop_id=second, title=o.title, origin_id=o.id) for o in origins]
        db.session.add_all(copies)
        statement = (
            db.session.execute(db.select(MissionStatement).filter_by(workshop_id=second))
            .scalars()
            .first()
        )
        statement.examples = [*statement.examples, *copies, *origins[1:]]
        db.session.commit()
        assert len(origins) >= 3
    assert queries() == before


def test_the_seeded_exchange_round_trips_as_one_inquiry(app, runner, tmp_path):
    """The seed's own data obeys the import's rules, and its chain survives a
    move to an empty database byte for byte."""
    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        last = db.session.execute(
            db.select(Workshop).where(Workshop.previous_id.is_not(None))
        ).scalar_one()
        last_id = last.id
    first = tmp_path / "inquiry.json"
    single = tmp_path / "single.json"
    assert (
        runner.invoke(args=["export-workshop", str(last_id), str(first), "--chain"]).exit_code == 0
    )
    assert runner.invoke(args=["export-workshop", str(last_id), str(single)]).exit_code == 0
    with app.app_context():
        _empty_tables()
    result = runner.invoke(args=["import-workshop", str(first)])
    assert result.exit_code == 0, result.output
    # The later workshop alone names the earlier one by its seed key, which an
    # empty database does not have: refused once, with what to do instead.
    with app.app_context():
        _empty_tables()
    refused = runner.invoke(args=["import-workshop", str(single)])
    assert refused.exit_code != 0
    assert refused.output.count("is not in this database") == 1
    assert "flask export-workshop --chain" in refused.output
    assert runner.invoke(args=["import-workshop", str(first)]).exit_code == 0
    with app.app_context():
        later = db.session.execute(
            db.select(Workshop).where(Workshop.previous_id.is_not(None))
        ).scalar_one()
        later_id = later.id
    second = tmp_path / "again.json"
    assert (
        runner.invoke(args=["export-workshop", str(later_id), str(second), "--chain"]).exit_code
        == 0
    )
    assert second.read_text() == first.read_text()

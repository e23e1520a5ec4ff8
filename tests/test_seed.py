"""The ``seed`` command: the Desistance Knowledge Exchange from seed/desistance.yaml."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from datetime import date

import pytest
import yaml

import facilitator
from facilitator.extensions import db
from facilitator.models import (
    ActionPoint,
    ActionSignup,
    ActionStatus,
    DesignElement,
    Example,
    Group,
    MissionStatement,
    Participant,
    Phase,
    Provenance,
    Theme,
    Vote,
    Workshop,
    example_theme,
    statement_example,
    statement_theme,
)
from facilitator.models.workshop import DEFAULT_WORDING
from facilitator.phases.discovery.operations import (
    DEFAULT_INTERVIEW_QUESTIONS,
    has_own_interview_questions,
    interview_questions,
)
from facilitator.services.seed import SeedError, load_seed, validate_seed

FIRST = "desistance-2012-discovery-dream"
SECOND = "desistance-2012-design-destiny"
SEED_FILE = facilitator.ROOT / "seed" / "desistance.yaml"
SEEDED = (Theme, Example, MissionStatement, DesignElement, ActionPoint)
ALL_TABLES = (Workshop, Group, *SEEDED)
TRANSCRIPT = "Transcript"
BLOG = "Blog (Avon and Somerset, England)"
# The first seed (before keys, provenance and the corrections of issue 16).
OLD_SEED_COMMIT = "d76ada7"


def _count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def _counts() -> dict[str, int]:
    counts = {model.__name__: _count(model) for model in ALL_TABLES}
    for table in (example_theme, statement_theme, statement_example):
        counts[table.name] = db.session.execute(
            db.select(db.func.count()).select_from(table)
        ).scalar_one()
    return counts


def _workshop(key: str) -> Workshop:
    return db.session.execute(db.select(Workshop).filter_by(seed_key=key)).scalar_one()


def _rows(model, workshop: Workshop) -> list:
    stmt = db.select(model).filter_by(workshop_id=workshop.id).order_by(model.id)
    return list(db.session.execute(stmt).scalars())


def _all(model) -> list:
    return list(db.session.execute(db.select(model).order_by(model.id)).scalars())


def _keyed(model, workshop: Workshop) -> dict:
    return {row.seed_key: row for row in _rows(model, workshop) if row.seed_key}


def _seed_data() -> dict:
    return yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))


def _write(tmp_path, data: dict):
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _texts(row) -> str:
    """Every printed text of a seeded row, joined."""
    names = ("name", "description", "title", "story", "what_worked", "place", "text")
    names += ("who_involved", "action", "owner", "first_step")
    return " ".join(str(getattr(row, n, "") or "") for n in names)


@pytest.fixture
def seeded(app, runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        yield _workshop(FIRST), _workshop(SECOND)


# -- loading -----------------------------------------------------------------


def test_seed_loads_both_workshops(app, runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert f"Loaded {FIRST}" in result.output
    assert f"Loaded {SECOND}" in result.output

    with app.app_context():
        assert _count(Workshop) == 2
        first, second = _workshop(FIRST), _workshop(SECOND)

        assert first.phase is Phase.DREAM
        assert first.venue == second.venue == "Glasgow"
        assert first.starts_on is None  # not in the sources
        assert second.starts_on == date(2012, 5, 16)
        assert second.phase is Phase.DESTINY
        assert first.is_open and second.is_open
        assert first.join_code != second.join_code
        assert len(first.join_code) == len(second.join_code) == 6

        # The first workshop's tables are not in the sources: none are made up.
        assert first.groups == []
        assert [g.name for g in second.groups] == [
            "Co-production",
            "Public perceptions and value for money",
            "Supervision, belief and reintegration",
        ]

        examples = _rows(Example, first)
        statements = _rows(MissionStatement, first)
        themes = _rows(Theme, first)
        designs = _rows(DesignElement, second)
        actions = _rows(ActionPoint, second)
        assert len(examples) >= 10
        assert len(themes) >= 3
        assert len(statements) >= 5
        assert len(designs) >= 5
        assert len(actions) >= 10
        # Design and Destiny belong to the second workshop only.
        assert _rows(DesignElement, first) == [] and _rows(ActionPoint, first) == []

        assert all(e.themes for e in examples)
        assert all(s.themes for s in statements)
        assert all(e.group is None for e in examples) and all(s.group is None for s in statements)
        assert {d.kind.value for d in designs} <= {"practice", "policy", "structure"}
        for item in designs + actions:
            assert item.group is None or item.group.workshop_id == second.id
        assert all(a.owner.strip() and a.first_step.strip() for a in actions)
        assert all(a.status in ActionStatus for a in actions)
        assert all(s.seed_votes == 0 for s in statements)  # no tallies in the sources
        # Every seeded row carries its key, unique per workshop and kind.
        for workshop in (first, second):
            for model in SEEDED:
                keys = [row.seed_key for row in _rows(model, workshop)]
                assert all(keys) and len(keys) == len(set(keys)), model.__name__


def test_seeded_workshops_are_listed_transcript_records(seeded):
    for workshop in seeded:
        assert workshop.listed is True
        assert workshop.provenance == Provenance.TRANSCRIPT.value


def test_seeded_items_have_a_source_label_and_no_author(seeded):
    for model in SEEDED:
        rows = _all(model)
        assert rows, model.__name__
        for row in rows:
            assert row.author_participant_id is None and row.author_facilitator_id is None
            # Labels that cannot be read as a speaker's initials (B was Beth; T nobody).
            assert row.source.startswith((f"{TRANSCRIPT}:", f"{TRANSCRIPT} (", f"{BLOG},"))
            assert not row.source.startswith(("B:", "B ", "T:", "T "))
            if row.source.startswith(BLOG):
                assert row.provenance == Provenance.EXTERNAL.value
                assert row.author_name == "From outside the event"
            else:
                assert row.provenance == Provenance.TRANSCRIPT.value
                assert row.author_name == "Workshop record"


def test_seed_is_idempotent(app, runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        before = _counts()
        stamps = {w.seed_key: (w.revision, w.updated_at) for w in _all(Workshop)}
        codes = sorted(w.join_code for w in _all(Workshop))
    assert before["Workshop"] == 2 and before["ActionPoint"] >= 10

    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0, again.output
    assert f"Up to date {FIRST}" in again.output and f"Up to date {SECOND}" in again.output
    assert "Loaded" not in again.output and "Updated" not in again.output
    with app.app_context():
        assert _counts() == before
        assert sorted(w.join_code for w in _all(Workshop)) == codes
        assert {w.seed_key: (w.revision, w.updated_at) for w in _all(Workshop)} == stamps


# -- the corrections of issue 16, each against the transcript -------------------


def test_saprof_is_described_as_the_speaker_did_and_as_what_it_is(seeded):
    first, second = seeded
    saprof = _keyed(Example, first)["saprof"]
    # Her words are quoted as hers; what SAPROF assesses is stated separately.
    assert "which she described as" in saprof.story
    assert '"a new strengths based risk assessment model for sexual offenders"' in saprof.story
    assert "protective factors for violence risk" in saprof.story
    assert saprof.place == ""  # not "work with people convicted of sexual offences"
    assert saprof.source.startswith("Transcript: Elizabeth")
    # Nowhere else is it stated as a fact that SAPROF is about sexual offending.
    for model in SEEDED:
        for row in _all(model):
            if "sexual" in _texts(row) and row.seed_key != "saprof":
                pytest.fail(f"{model.__name__} {row.seed_key} mentions sexual offending")
    design = _keyed(DesignElement, second)["strengths-models"]
    assert "protective-factor tools such as SAPROF where risk is assessed" in design.text


def test_custody_and_care_are_scottish_prison_service_policy_papers(seeded):
    first, _ = seeded
    story = _keyed(Example, first)["custody-and-care"]
    assert "Scottish Prison Service policy" in story.story and "papers" in story.story
    assert "programme" not in story.title.lower()
    assert "policy papers" in story.source
    # "Programmes" survives only inside Archie's quoted words.
    for row in _all(Example) + _all(Theme) + _all(DesignElement) + _all(ActionPoint):
        text = _texts(row)
        if "Custody and Care" in text or "custody and care" in text:
            assert "programmes going into prisons" not in text.replace(
                '"programmes going into prisons', ""
            )


def test_blog_stories_are_external_with_no_table(seeded):
    first, second = seeded
    external = [e for e in _all(Example) if e.provenance == Provenance.EXTERNAL.value]
    originals = [e for e in external if e.workshop_id == first.id]
    assert len(originals) == 3
    for story in external:
        assert story.group is None
        assert story.source.startswith(f"{BLOG}, not part of the Glasgow exchange:")
        assert "From outside the Glasgow exchange" in story.story
        assert story.place == "Avon and Somerset Probation Trust (England)"
        assert "from a probation officer's blog in England" in story.title
        assert story.author_name != "Workshop record"
    # The blog grounds no Glasgow theme, statement, design or action.
    for model in (Theme, MissionStatement, DesignElement, ActionPoint):
        assert not [r for r in _all(model) if "Blog" in r.source or "blog" in _texts(r)]
    for statement in _all(MissionStatement):
        assert not [e for e in statement.examples if e.provenance == Provenance.EXTERNAL.value]


def test_a_blog_item_must_be_external_and_groupless():
    data = _seed_data()
    story = next(e for e in data["workshops"][0]["examples"] if e["key"] == "asking-desisters")
    story["provenance"] = "transcript"
    with pytest.raises(SeedError, match="must be provenance external"):
        validate_seed(data)
    data = _seed_data()
    item = next(e for e in data["workshops"][1]["examples"] if e["key"] == "two-young-people")
    item["source"] = "Blog (Avon and Somerset, England): made up"
    with pytest.raises(SeedError, match="external item cannot belong to a group"):
        validate_seed(data)
    data = _seed_data()
    data["workshops"][0]["themes"][0]["source"] = "B: Beth, or the blog?"
    with pytest.raises(SeedError, match="must start with a declared label"):
        validate_seed(data)


def test_events_of_16_may_are_in_the_second_workshop(seeded):
    first, second = seeded
    own = {e.seed_key: e for e in _rows(Example, second) if e.origin_id is None}
    assert {"two-young-people", "the-scheme-royal-visit", "window-of-energy"} <= set(own)
    assert own["two-young-people"].group.name == "Public perceptions and value for money"
    visit = own["the-scheme-royal-visit"]
    assert "previous Friday (11 May 2012)" in visit.story
    assert "Prince Charles" in visit.story
    for row in _rows(Example, first) + _rows(Theme, first) + _rows(MissionStatement, first):
        text = _texts(row)
        assert "Prince Charles" not in text and "10 and 13" not in text
        assert "window" not in text
        assert "second workshop" not in (getattr(row, "place", "") or "").lower()
    # What the first workshop's record recalls from the report-back says it was recalled.
    for key in ("good-lives-model", "saprof", "coproduction-mechanisms"):
        assert _keyed(Example, first)[key].story.startswith("Reporting back at the second")


def test_co_production_mechanisms_are_not_said_to_be_in_use(seeded):
    first, _ = seeded
    story = _keyed(Example, first)["coproduction-mechanisms"]
    assert '"we didn\'t know enough about them"' in story.story
    assert "evidence base is quite limited" in story.story
    for model in SEEDED:
        for row in _all(model):
            assert "already in use somewhere" not in _texts(row)


@pytest.mark.parametrize(
    ("model", "workshop", "key", "words"),
    [
        (Example, SECOND, "window-of-energy", ("window", "it may be gone")),
        (DesignElement, SECOND, "rhetoric-into-reality", ('"rhetoric into reality"',)),
        (Theme, FIRST, "strengths-in-society", ("right mindset", "voices are")),
        (DesignElement, SECOND, "voices-not-heard", ("right mindset", "voices heard")),
        (DesignElement, SECOND, "scandinavian-values", ("Scandinavian", "American")),
    ],
)
def test_what_was_left_out_is_there_with_its_source(seeded, model, workshop, key, words):
    row = _keyed(model, _workshop(workshop))[key]
    for word in words:
        assert word in _texts(row)
    assert row.source.startswith("Transcript:")
    assert row.provenance == Provenance.TRANSCRIPT.value


def test_the_newcomer_at_the_second_workshop_is_recorded(seeded):
    _, second = seeded
    assert "Ewan, had not been at the first workshop" in second.description
    spec = _seed_data()["workshops"][1]
    assert "Ewan: 'I didn't make the first workshop'" in spec["source"]
    assert "If you were not at the first workshop" in second.wording("prompt.design")


def test_statements_are_marked_as_paraphrases(seeded):
    for statement in _all(MissionStatement):
        assert statement.source.startswith(
            "Transcript (our paraphrase; the workshop's own wording is not recorded):"
        )


def test_owners_and_first_steps_are_flagged_as_suggestions(seeded):
    _, second = seeded
    actions = _rows(ActionPoint, second)
    assert actions
    assert all(a.owner_suggested and a.first_step_suggested for a in actions)
    assert all(a.provenance == Provenance.TRANSCRIPT.value for a in actions)


def test_desistance_wording_and_interview_guide(seeded):
    for workshop in seeded:
        wording = workshop.settings["wording"]
        assert set(wording) <= set(DEFAULT_WORDING)
        assert workshop.wording("hint.dream") == (
            "Write it as if it were already true: “People leaving prison are met at the gate by…”"
        )
        assert "stop offending" in workshop.wording("prompt.discovery")
        assert workshop.wording("prompt.discovery") != DEFAULT_WORDING["prompt.discovery"]
        assert "while there is energy" in workshop.wording("prompt.destiny")
        assert has_own_interview_questions(workshop)
        questions = interview_questions(workshop)
        assert questions != list(DEFAULT_INTERVIEW_QUESTIONS)
        assert "stop offending" in questions[0] and "three wishes" in questions[-1]
        assert any("family" in q for q in questions) and any("strengths" in q for q in questions)


# -- the chain: stories carried forward, statements grounded in stories -------


def test_second_workshop_carries_the_first_forward(seeded):
    first, second = seeded
    assert second.previous_id == first.id
    assert first.previous_id is None

    old_statements = {s.id: s for s in _rows(MissionStatement, first)}
    new_statements = _rows(MissionStatement, second)
    assert len(new_statements) == len(old_statements)
    for copy in new_statements:
        assert copy.origin_id in old_statements
        original = old_statements[copy.origin_id]
        assert (copy.text, copy.source, copy.seed_key) == (
            original.text,
            original.source,
            original.seed_key,
        )
        # Theme and story links point at the second workshop's copies of the same ones.
        assert [t.name for t in copy.themes] == [t.name for t in original.themes]
        assert all(t.workshop_id == second.id for t in copy.themes)
        assert [e.title for e in copy.examples] == [e.title for e in original.examples]
        assert all(e.workshop_id == second.id for e in copy.examples)

    old_themes = {t.id for t in _rows(Theme, first)}
    new_themes = _rows(Theme, second)
    assert len(new_themes) == len(old_themes)
    assert {t.origin_id for t in new_themes} == old_themes

    # Every story of the first workshop is available in the second, with its origin.
    old_examples = {e.id: e for e in _rows(Example, first)}
    copies = [e for e in _rows(Example, second) if e.origin_id is not None]
    assert {e.origin_id for e in copies} == set(old_examples)
    for copy in copies:
        original = old_examples[copy.origin_id]
        assert (copy.title, copy.story, copy.provenance, copy.group) == (
            original.title,
            original.story,
            original.provenance,
            None,
        )
        assert [t.name for t in copy.themes] == [t.name for t in original.themes]
        assert all(t.workshop_id == second.id for t in copy.themes)

    # Designs and actions serve the copied statements, never the first workshop's.
    copied = {s.id for s in new_statements}
    assert all(d.statement_id in copied for d in _rows(DesignElement, second))
    for action in _rows(ActionPoint, second):
        assert action.serves is not None and action.serves.id in copied
        if action.design is not None:
            assert action.design.workshop_id == second.id


def test_statements_are_grounded_in_the_stories_the_transcript_ties_them_to(seeded):
    first, _ = seeded
    statements = _keyed(MissionStatement, first)
    grounded = {key: {e.seed_key for e in s.examples} for key, s in statements.items()}
    assert grounded["public-understanding"] == {"women-offenders-coverage", "explaining-outcomes"}
    assert grounded["strengths-supervision"] == {"good-lives-model", "saprof", "talents-in-prison"}
    assert {"coproduction-mechanisms", "social-capital"} <= grounded["coproduction-evidence"]


# -- re-seeding a database seeded by the first version of the seed -------------


def _git_show(spec: str) -> str:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    result = subprocess.run(
        ["git", "show", spec], cwd=facilitator.ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.skip(f"git show {spec} failed: {result.stderr.strip()}")
    return result.stdout


def _load_old_seed(tmp_path) -> None:
    """Seed the database with the first seed: its own loader and file, from git."""
    old_yaml = tmp_path / "desistance-old.yaml"
    old_yaml.write_text(_git_show(f"{OLD_SEED_COMMIT}:seed/desistance.yaml"), encoding="utf-8")
    old_loader = tmp_path / "old_seed.py"
    old_loader.write_text(
        _git_show(f"{OLD_SEED_COMMIT}:facilitator/services/seed.py"), encoding="utf-8"
    )
    name = "facilitator.services._old_seed"
    spec = importlib.util.spec_from_file_location(name, old_loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        created = module.load_seed(old_yaml)
    finally:
        del sys.modules[name]
    assert [w.seed_key for w in created] == [FIRST, SECOND]


def _snapshot() -> list:
    """The seeded content, independent of ids and join codes."""
    out = []
    keys = {w.id: w.seed_key for w in _all(Workshop)}
    for w in _all(Workshop):
        out.append((w.seed_key, w.title, w.description, w.provenance, w.listed, w.settings))
        out += [(w.seed_key, g.name, g.focus, g.position) for g in w.groups]
    for model in SEEDED:
        for row in _all(model):
            if row.author_participant_id or row.author_facilitator_id:
                continue
            links = tuple(
                sorted(
                    (keys[o.workshop_id], o.seed_key)
                    for name in ("themes", "examples")
                    for o in getattr(row, name, [])
                    if o.seed_key  # links people made are checked on their own
                )
            )
            out.append(
                (model.__name__, keys[row.workshop_id], row.seed_key, _texts(row), row.source,
                 row.provenance, row.group.name if row.group else None,
                 getattr(row, "origin_id", None) is not None, links)
            )  # fmt: skip
    return sorted(out, key=repr)


def test_reseeding_an_old_seed_updates_it_in_place(app, runner, ctx, tmp_path, join):
    # What the new seed makes on an empty database.
    assert runner.invoke(args=["seed"]).exit_code == 0
    fresh, fresh_counts = _snapshot(), _counts()
    for workshop in _all(Workshop):
        db.session.delete(workshop)
    db.session.commit()

    _load_old_seed(tmp_path)
    first, second = _workshop(FIRST), _workshop(SECOND)
    old_ids = {
        "placements": next(e.id for e in first.examples if e.title.startswith("Placements")),
        "sharing": next(e.id for e in first.examples if e.title.startswith("Ways of sharing")),
    }
    assert not [e for e in second.examples]  # the old seed carried no stories
    codes = {w.seed_key: w.join_code for w in _all(Workshop)}

    # People try the demo: a story of their own, a dot and a sign-up on seeded items.
    client = app.test_client()
    person = join(client, second.id, name="Sam", group=0)
    own_story = Example(
        workshop_id=first.id,
        title="My probation officer listened",
        author_participant_id=join(app.test_client(), first.id, name="Ali"),
        themes=[first.themes[0]],
    )
    db.session.add(own_story)
    statement = second.statements[0]
    db.session.add(Vote(workshop_id=second.id, statement=statement, participant_id=person, slot=1))
    action = next(a for a in second.actions if a.action.startswith("Apply strengths-based"))
    db.session.add(ActionSignup(action=action, participant_id=person))
    db.session.commit()
    statement_id, action_id, story_id = statement.id, action.id, own_story.id

    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert f"Updated {FIRST}" in result.output and f"Updated {SECOND}" in result.output
    db.session.expire_all()

    # Same content as a fresh seed, nothing duplicated, same workshops and codes; of
    # the old seed's made-up tables in the first workshop, only the one Ali sits at stays.
    snapshot = _snapshot()
    kept = [row for row in snapshot if row[:2] == (FIRST, "Co-production")]
    assert len(kept) == 1
    assert [row for row in snapshot if row not in kept] == fresh
    assert [g.name for g in _workshop(FIRST).groups] == ["Co-production"]
    counts = _counts()
    assert counts["Example"] == fresh_counts["Example"] + 1  # + the participant's story
    assert counts["example_theme"] == fresh_counts["example_theme"] + 1  # ... and its theme
    assert counts["Group"] == fresh_counts["Group"] + 1  # Ali's table
    people = {"Example", "example_theme", "Group"}
    assert {k: v for k, v in counts.items() if k not in people} == {
        k: v for k, v in fresh_counts.items() if k not in people
    }
    assert {w.seed_key: w.join_code for w in _all(Workshop)} == codes
    # Old rows were updated in place (corrected text, same id).
    first = _workshop(FIRST)
    assert _keyed(Example, first)["community-placements"].id == old_ids["placements"]
    sharing = _keyed(Example, first)["coproduction-mechanisms"]
    assert sharing.id == old_ids["sharing"]
    assert "we didn't know enough about them" in sharing.story
    # What people did is kept.
    own_story = db.session.get(Example, story_id)
    assert own_story is not None and own_story.seed_key is None
    assert [t.seed_key for t in own_story.themes] == ["shared-effort"]
    assert _count(Vote) == 1 and db.session.get(MissionStatement, statement_id) is not None
    assert db.session.get(ActionPoint, action_id).seed_key == "strengths-models"
    assert _count(ActionSignup) == 1
    assert db.session.get(Participant, person).group.name == "Co-production"

    # And once more: nothing changes.
    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0, again.output
    assert "Updated" not in again.output and "Loaded" not in again.output
    db.session.expire_all()
    assert _snapshot() == snapshot and _counts() == counts


def test_reseeding_keeps_what_people_added_to_a_seeded_workshop(app, runner, ctx, join):
    assert runner.invoke(args=["seed"]).exit_code == 0
    first = _workshop(FIRST)
    person = join(app.test_client(), first.id, name="Jo")
    theme = Theme(workshop_id=first.id, name="Peer mentors", author_participant_id=person)
    db.session.add(theme)
    story = _keyed(Example, first)["good-lives-model"]
    story.themes.append(theme)  # a facilitator clusters a seeded story under it
    db.session.commit()
    theme_id = theme.id

    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert f"Up to date {FIRST}" in result.output
    db.session.expire_all()
    assert theme_id in {t.id for t in _keyed(Example, _workshop(FIRST))["good-lives-model"].themes}


# -- refusing malformed files --------------------------------------------------
@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (
            lambda d: d["workshops"][0]["examples"][0].update(group="nowhere"),
            "unknown group key 'nowhere'",
        ),
        (
            lambda d: d["workshops"][1]["actions"][0].update(status="finished"),
            "bad status 'finished'",
        ),
        (
            lambda d: d["workshops"][0]["statements"][0].update(themes=["no-such"]),
            "unknown theme key 'no-such'",
        ),
        (
            lambda d: d["workshops"][1]["designs"][0].update(statement="gone"),
            "unknown statement key 'gone'",
        ),
        (lambda d: d["workshops"][0].update(phase="dreaming"), "bad phase 'dreaming'"),
        (lambda d: d["workshops"][1].update(starts_on="2012-05-32"), "bad date '2012-05-32'"),
        (
            lambda d: d["workshops"][1]["actions"][0].update(due_on="next week"),
            "bad date 'next week'",
        ),
        (lambda d: d["workshops"][0]["themes"][0].update(source=""), "missing 'source'"),
        (lambda d: d["workshops"][0]["examples"][0].pop("key"), "missing 'key'"),
        (
            lambda d: d["workshops"][0]["statements"][0].update(examples=["no-such-story"]),
            "unknown story key 'no-such-story'",
        ),
        (
            lambda d: d["workshops"][0]["wording"].update({"hint.nowhere": "Hi"}),
            "unknown wording key 'hint.nowhere'",
        ),
        (
            lambda d: d["workshops"][0].update(interview_questions=["Fine", "  "]),
            "every entry must be non-empty text",
        ),
        (
            lambda d: d["workshops"][1]["actions"][0].update(owner_suggested="yes"),
            "owner_suggested must be true or false",
        ),
        (
            lambda d: d["workshops"][1]["examples"][0].update(provenance="rumour"),
            "bad provenance 'rumour'",
        ),
    ],
)
def test_malformed_file_is_refused_and_writes_nothing(app, runner, tmp_path, break_it, expected):
    data = _seed_data()
    break_it(data)
    # Even when the problem is in the second workshop, the first must not be written.
    result = runner.invoke(args=["seed", "--file", str(_write(tmp_path, data))])
    assert result.exit_code != 0
    assert expected in result.output
    assert "Nothing was written" in result.output
    with app.app_context():
        assert all(n == 0 for n in _counts().values()), _counts()


def test_refusal_names_where_the_problem_is(app, runner, tmp_path):
    data = _seed_data()
    data["workshops"][1]["actions"][2]["status"] = "done-ish"
    result = runner.invoke(args=["seed", "--file", str(_write(tmp_path, data))])
    assert result.exit_code != 0
    assert f"workshop '{SECOND}', actions[2]: bad status 'done-ish'" in result.output
    assert "proposed|agreed|in_progress|done" in result.output


def test_validate_seed_rejects_structure_problems():
    with pytest.raises(SeedError, match="'workshops' list"):
        validate_seed({"workshop": []})
    data = _seed_data()
    data["workshops"][1]["previous"] = "later-workshop"
    with pytest.raises(SeedError, match="unknown previous workshop"):
        validate_seed(data)
    data = _seed_data()
    data["workshops"][0]["examples"][0]["stauts"] = "typo"
    with pytest.raises(SeedError, match="unknown field 'stauts'"):
        validate_seed(data)
    # The real file passes, whether its dates are text or already parsed by safe_load.
    data = _seed_data()
    assert data["workshops"][1]["starts_on"] == date(2012, 5, 16)
    assert len(validate_seed(data)) == 2
    data["workshops"][1]["starts_on"] = "2012-05-16"
    assert len(validate_seed(data)) == 2


def test_load_seed_returns_new_or_changed_workshops_only(app, ctx):
    lines: list[str] = []
    created = load_seed(SEED_FILE, report=lines.append)
    assert [w.seed_key for w in created] == [FIRST, SECOND]
    assert load_seed(SEED_FILE, report=lines.append) == []
    _keyed(Theme, _workshop(FIRST))["strengths"].description = "Edited in the demo."
    db.session.commit()
    assert [w.seed_key for w in load_seed(SEED_FILE, report=lines.append)] == [FIRST]
    assert _keyed(Theme, _workshop(FIRST))["strengths"].description.startswith("Work starts")
    assert [line.split(":")[0] for line in lines] == [
        f"Loaded {FIRST}",
        f"Loaded {SECOND}",
        f"Up to date {FIRST}",
        f"Up to date {SECOND}",
        f"Updated {FIRST}",
        f"Up to date {SECOND}",
    ]


def test_only_the_missing_workshop_is_loaded(app, runner, ctx):
    """A deleted second workshop comes back, carried forward from the first already loaded."""
    assert runner.invoke(args=["seed"]).exit_code == 0
    before = _counts()
    second = _workshop(SECOND)
    for design in _rows(DesignElement, second):
        db.session.delete(design)
    db.session.delete(second)
    db.session.commit()
    first_id = _workshop(FIRST).id
    assert _count(Workshop) == 1

    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert f"Up to date {FIRST}" in result.output and f"Loaded {SECOND}" in result.output
    db.session.expire_all()
    second = _workshop(SECOND)
    assert second.previous_id == first_id
    first_statements = {s.id for s in _rows(MissionStatement, _workshop(FIRST))}
    copies = _rows(MissionStatement, second)
    assert copies and all(s.origin_id in first_statements for s in copies)
    first_stories = {e.id for e in _rows(Example, _workshop(FIRST))}
    assert first_stories <= {e.origin_id for e in _rows(Example, second)}
    assert _counts() == before  # nothing of the first workshop was duplicated


def test_unquoted_impossible_date_is_named(app, runner, tmp_path):
    text = SEED_FILE.read_text(encoding="utf-8").replace(
        "starts_on: 2012-05-16", "starts_on: 2012-13-40"
    )
    assert "starts_on: 2012-13-40" in text
    path = tmp_path / "bad-date.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["seed", "--file", str(path)])
    assert result.exit_code != 0
    assert "starts_on: bad date '2012-13-40'" in result.output
    with app.app_context():
        assert _count(Workshop) == 0


def test_missing_file_is_refused(runner, tmp_path):
    result = runner.invoke(args=["seed", "--file", str(tmp_path / "nope.yaml")])
    assert result.exit_code != 0
    assert "cannot read" in result.output

"""The ``seed`` command: the Desistance Knowledge Exchange from seed/desistance.yaml."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

import facilitator
from facilitator.extensions import db
from facilitator.models import (
    ActionPoint,
    ActionStatus,
    DesignElement,
    Example,
    Group,
    MissionStatement,
    Phase,
    Theme,
    Workshop,
    example_theme,
    statement_theme,
)
from facilitator.services.seed import SeedError, load_seed, validate_seed

FIRST = "desistance-2012-discovery-dream"
SECOND = "desistance-2012-design-destiny"
SEED_FILE = facilitator.ROOT / "seed" / "desistance.yaml"
SEEDED = (Theme, Example, MissionStatement, DesignElement, ActionPoint)
ALL_TABLES = (Workshop, Group, *SEEDED)


def _count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def _counts() -> dict[str, int]:
    counts = {model.__name__: _count(model) for model in ALL_TABLES}
    for table in (example_theme, statement_theme):
        counts[table.name] = db.session.execute(
            db.select(db.func.count()).select_from(table)
        ).scalar_one()
    return counts


def _workshop(key: str) -> Workshop:
    return db.session.execute(db.select(Workshop).filter_by(seed_key=key)).scalar_one()


def _rows(model, workshop: Workshop) -> list:
    stmt = db.select(model).filter_by(workshop_id=workshop.id).order_by(model.id)
    return list(db.session.execute(stmt).scalars())


def _seed_data() -> dict:
    return yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))


def _write(tmp_path, data: dict):
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


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

        names = [g.name for g in second.groups]
        assert names == [
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
        # Discovery and Dream belong to the first workshop, Design and Destiny to the second.
        assert _rows(Example, second) == []
        assert _rows(DesignElement, first) == [] and _rows(ActionPoint, first) == []

        assert all(e.themes for e in examples)
        assert all(s.themes for s in statements)
        assert {e.group_id for e in examples} <= {g.id for g in first.groups}
        assert all(e.group is not None and e.group.workshop_id == first.id for e in examples)
        assert {d.kind.value for d in designs} <= {"practice", "policy", "structure"}
        assert all(d.group is not None and d.group.workshop_id == second.id for d in designs)
        assert all(a.group is not None and a.group.workshop_id == second.id for a in actions)
        assert all(a.owner.strip() and a.first_step.strip() for a in actions)
        assert all(a.status in ActionStatus for a in actions)
        assert all(s.seed_votes == 0 for s in statements)  # no tallies in the sources


def test_seed_is_idempotent(app, runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        before = _counts()
        codes = sorted(w.join_code for w in db.session.execute(db.select(Workshop)).scalars())
    assert before["Workshop"] == 2 and before["ActionPoint"] >= 10

    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0, again.output
    assert f"Skipped {FIRST}" in again.output and f"Skipped {SECOND}" in again.output
    assert "Loaded" not in again.output
    with app.app_context():
        assert _counts() == before
        assert (
            sorted(w.join_code for w in db.session.execute(db.select(Workshop)).scalars()) == codes
        )


def test_second_workshop_carries_the_first_forward(app, runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        first, second = _workshop(FIRST), _workshop(SECOND)
        assert second.previous_id == first.id
        assert first.previous_id is None

        old_statements = {s.id: s for s in _rows(MissionStatement, first)}
        new_statements = _rows(MissionStatement, second)
        assert len(new_statements) == len(old_statements)
        for copy in new_statements:
            assert copy.origin_id in old_statements
            original = old_statements[copy.origin_id]
            assert copy.text == original.text
            assert copy.source == original.source
            # Theme links point at the second workshop's copies of the same themes.
            assert [t.name for t in copy.themes] == [t.name for t in original.themes]
            assert all(t.workshop_id == second.id for t in copy.themes)
            assert copy.group is not None and copy.group.workshop_id == second.id
            assert copy.group.name == original.group.name

        old_themes = {t.id for t in _rows(Theme, first)}
        new_themes = _rows(Theme, second)
        assert len(new_themes) == len(old_themes)
        assert {t.origin_id for t in new_themes} == old_themes

        # Designs and actions serve the copied statements, never the first workshop's.
        copied = {s.id for s in new_statements}
        assert all(d.statement_id in copied for d in _rows(DesignElement, second))
        for action in _rows(ActionPoint, second):
            assert action.serves is not None and action.serves.id in copied
            if action.design is not None:
                assert action.design.workshop_id == second.id


def test_seeded_items_have_a_source_and_no_author(app, runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        for model in SEEDED:
            rows = list(db.session.execute(db.select(model)).scalars())
            assert rows, model.__name__
            for row in rows:
                assert row.source.strip(), f"{model.__name__} {row.id} has no source"
                assert row.author_participant_id is None
                assert row.author_facilitator_id is None
                assert row.author_name == "Workshop record"


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


def test_load_seed_returns_new_workshops_only(app, ctx):
    lines: list[str] = []
    created = load_seed(SEED_FILE, report=lines.append)
    assert [w.seed_key for w in created] == [FIRST, SECOND]
    assert load_seed(SEED_FILE, report=lines.append) == []
    assert [line.split(":")[0] for line in lines] == [
        f"Loaded {FIRST}",
        f"Loaded {SECOND}",
        f"Skipped {FIRST}",
        f"Skipped {SECOND}",
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
    assert f"Skipped {FIRST}" in result.output and f"Loaded {SECOND}" in result.output
    db.session.expire_all()
    second = _workshop(SECOND)
    assert second.previous_id == first_id
    first_statements = {s.id for s in _rows(MissionStatement, _workshop(FIRST))}
    copies = _rows(MissionStatement, second)
    assert copies and all(s.origin_id in first_statements for s in copies)
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

"""CSV, iCalendar and JSON exports; the JSON import and its refusals."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest

from facilitator.extensions import db
from facilitator.models import ActionPoint, Example, Facilitator, Workshop
from facilitator.services import ics
from facilitator.services.export import (
    SCHEMA_VERSION,
    ImportRefused,
    export_workshop,
    import_workshop,
    neutralise,
)
from tests.conftest import _empty_tables
from tests.support.report_data import fill_workshop


@pytest.fixture
def filled(app, facilitator_client):
    client, wid, _ = facilitator_client
    with app.app_context():
        data = fill_workshop(wid)
    return client, data


# ------------------------------------------------------------------ CSV


def test_actions_csv_parses_and_neutralises_formulas(filled):
    client, data = filled
    response = client.get(f"/w/{data.workshop_id}/actions.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Number", "Action", "Owner", "Due date", "First step", "Status"]
    by_action = {row[1].lstrip("'"): dict(zip(header, row, strict=True)) for row in body}
    assert len(body) == 3  # hidden action left out
    assert "HIDDEN-ACTION-DELTA" not in response.data.decode("utf-8-sig")
    gate = by_action["Recruit ten peer mentors"]
    assert gate["Owner"] == "Archie" and gate["Due date"] == "2026-09-30"
    assert gate["Design element"] == "Peer mentors meet people at the gate"
    assert gate["Statement rank"] in {"1", "2"}
    formula = by_action['=HYPERLINK("http://127.0.0.1:9/x","click")']
    assert formula["Action"] == '\'=HYPERLINK("http://127.0.0.1:9/x","click")'
    assert formula["Owner"] == "'@Ewan; team"
    assert formula["First step"] == "'+44 call, then -1 step"
    # The action behind a hidden design keeps no trace of it.
    guide = by_action["Write the gate-meeting guide"]
    assert guide["Design element"] == "" and guide["Serves statement"] == ""


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain = text", "plain = text"),
        ("", ""),
    ],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


# ------------------------------------------------------------------ iCalendar


def test_ics_export(filled):
    client, data = filled
    response = client.get(f"/w/{data.workshop_id}/actions.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    text = response.data.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2  # the two visible actions with a due date
    assert "DTSTART;VALUE=DATE:20260930\r\nDTEND;VALUE=DATE:20261001" in text
    assert "HIDDEN" not in text
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Due: Recruit ten peer mentors" in unfolded
    assert "Owner: @Ewan\\; team" in unfolded


def test_ics_escaping_and_folding():
    assert ics.escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    long = "SUMMARY:" + "é" * 100  # two octets each: a fold must not split one
    folded = ics.fold(long)
    lines = folded.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert folded.replace("\r\n ", "") == long


# ------------------------------------------------------------------ JSON


def test_json_export_endpoint(filled):
    client, data = filled
    response = client.get(f"/w/{data.workshop_id}/export.json")
    assert response.status_code == 200
    doc = json.loads(response.data)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert {p["display_name"] for p in doc["participants"]} == {"Ана Ђорђевић", "Zoë Ødegård"}
    assert len(doc["votes"]) == 4
    hidden = [a for a in doc["actions"] if a["hidden"]]
    assert [a["action"] for a in hidden] == ["HIDDEN-ACTION-DELTA"]  # kept, and marked
    story = next(e for e in doc["examples"] if e["title"] == "Mentor who stayed")
    assert story["author"] == {"participant": 1}
    assert len(story["themes"]) == 2
    assert "token" not in response.get_data(as_text=True)
    assert "join_code" not in doc["workshop"]


def test_json_round_trips_through_an_empty_database(app, filled, runner, tmp_path):
    _, data = filled
    first = tmp_path / "first.json"
    result = runner.invoke(args=["export-workshop", str(data.workshop_id), str(first)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        _empty_tables()
        assert db.session.execute(db.select(db.func.count(Workshop.id))).scalar_one() == 0
    result = runner.invoke(args=["import-workshop", str(first)])
    assert result.exit_code == 0, result.output
    assert "Imported workshop" in result.output
    assert "random password" in result.output  # the facilitator's account was recreated
    with app.app_context():
        new_id = db.session.execute(db.select(Workshop.id)).scalar_one()
        person = db.session.execute(db.select(Facilitator)).scalar_one()
        assert not person.check_password("correct horse battery")
    second = tmp_path / "second.json"
    result = runner.invoke(args=["export-workshop", str(new_id), str(second)])
    assert result.exit_code == 0, result.output
    assert json.loads(second.read_text()) == json.loads(first.read_text())
    assert second.read_text() == first.read_text()


def test_import_next_to_existing_data_keeps_links(app, filled):
    """Importing beside the original (other ids) links everything to the new rows."""
    _, data = filled
    with app.app_context():
        doc = export_workshop(db.session.get(Workshop, data.workshop_id))
        copy_, notes = import_workshop(copy.deepcopy(doc))
        assert notes == []  # the facilitator's account exists here
        assert copy_.id != data.workshop_id
        assert export_workshop(copy_) == doc
        gate = db.session.execute(
            db.select(ActionPoint).filter_by(workshop_id=copy_.id, owner="Archie")
        ).scalar_one()
        assert gate.design.workshop_id == copy_.id
        assert gate.design.statement.workshop_id == copy_.id
        from facilitator.models import Participant

        helper = db.session.get(Participant, gate.signups[0].participant_id)
        assert helper.workshop_id == copy_.id and helper.display_name == "Zoë Ødegård"


def _count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(schema_version=SCHEMA_VERSION + 1), "newer than this version"),
        (lambda d: d.update(schema_version="1"), "schema_version"),
        (lambda d: d.update(format="something-else"), "'format'"),
        (lambda d: d.pop("groups"), "missing field 'groups'"),
        (lambda d: d["workshop"].update(phase="party"), "workshop.phase"),
        (lambda d: d["actions"][0].update(status="someday"), "actions[0].status"),
        (lambda d: d["actions"][0].update(due_on="31/12/2026"), "actions[0].due_on"),
        (lambda d: d["actions"][0].update(design=99), "actions[0].design"),
        (lambda d: d["examples"][0].update(themes=[1, 1]), "examples[0].themes"),
        (lambda d: d["votes"][0].update(participant=42), "votes[0].participant"),
        (lambda d: d["examples"][0].update(created_at="yesterday"), "examples[0].created_at"),
        (lambda d: d["statements"][0].update(text=7), "statements[0].text"),
        (lambda d: d["themes"][0].update(surprise=True), "unknown field 'surprise'"),
        (lambda d: d["groups"].append(dict(d["groups"][0])), "duplicate id"),
    ],
)
def test_bad_imports_are_refused_and_write_nothing(app, filled, mutate, message):
    _, data = filled
    with app.app_context():
        doc = export_workshop(db.session.get(Workshop, data.workshop_id))
        before = (_count(Workshop), _count(Example), _count(ActionPoint))
        mutate(doc)
        with pytest.raises(ImportRefused) as caught:
            import_workshop(doc)
        assert message in str(caught.value)
        assert (_count(Workshop), _count(Example), _count(ActionPoint)) == before


def test_import_command_refuses_with_a_message(app, runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "facilitator-workshop", "schema_version": 99}')
    result = runner.invoke(args=["import-workshop", str(bad)])
    assert result.exit_code != 0
    assert "Import refused, nothing was written" in result.output
    assert "schema_version 99 is newer" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ')
    result = runner.invoke(args=["import-workshop", str(broken)])
    assert result.exit_code != 0
    assert "is not valid JSON (line 1" in result.output
    with app.app_context():
        assert _count(Workshop) == 0


def test_export_command_unknown_workshop(runner, tmp_path):
    result = runner.invoke(args=["export-workshop", "9999", str(tmp_path / "x.json")])
    assert result.exit_code != 0
    assert "There is no workshop 9999" in result.output

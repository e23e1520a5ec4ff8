"""CSV cells no spreadsheet reads as a formula, whatever separator its locale uses.

A semicolon-locale spreadsheet (much of Europe) opens ``x;=cmd|' /C calc'!A0``
as two cells, the second a formula, though the cell did not start with ``=``.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from facilitator.extensions import db
from facilitator.models import ActionPoint, ActionStatus
from facilitator.services.export import neutralise

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("x;=cmd|' /C calc'!A0", "x;'=cmd|' /C calc'!A0"),
        ("a;+1;-2;@x", "a;'+1;'-2;'@x"),
        ("a; =1+1", "a;' =1+1"),
        ("a,=1+1", "a,'=1+1"),
        ("line one\n=1+1", "line one\n'=1+1"),
        ("line one\r\n@SUM(A1)", "line one\r\n'@SUM(A1)"),
        ("a\t=1", "a\t'=1"),
        ("\t=1", "'\t'=1"),
        (" =1+1", "' =1+1"),
        # Left as they are: nothing there could start a formula.
        ("Meet Sam; then call", "Meet Sam; then call"),
        ("2026-05-01", "2026-05-01"),
        ("a=b; c+d", "a=b; c+d"),
        ("", ""),
    ],
)
def test_every_separated_part_is_neutralised(cell, expected):
    assert neutralise(cell) == expected


def no_formula_in(text: str, delimiter: str) -> list[str]:
    """The fields a spreadsheet splitting on ``delimiter`` would read as formulas."""
    found = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        for field in row:
            if field.lstrip(" ").startswith(TRIGGERS):
                found.append(field)
    return found


def test_actions_csv_holds_no_formula_in_any_locale(app, facilitator_client):
    client, wid, _ = facilitator_client
    hostile = [
        "x;=cmd|' /C calc'!A0",
        "Call Sam;+44 1234",
        "ok; @SUM(A1:A9)",
        'two lines\n=HYPERLINK("http://127.0.0.1:9/")',
        "tabbed\t-2+3",
    ]
    with app.app_context():
        for n, text in enumerate(hostile):
            db.session.add(
                ActionPoint(
                    workshop_id=wid,
                    action=text,
                    owner=text,
                    first_step=text,
                    due_on=date(2026, 9, n + 1),
                    status=ActionStatus.PROPOSED,
                )
            )
        db.session.commit()
    response = client.get(f"/w/{wid}/actions.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    for delimiter in (",", ";", "\t"):
        assert no_formula_in(text, delimiter) == [], delimiter
    # Read the way it was written, every text is still there, marked as text.
    rows = list(csv.reader(io.StringIO(text, newline="")))
    actions = {row[1] for row in rows[1:]}
    assert "x;'=cmd|' /C calc'!A0" in actions
    assert 'two lines\n\'=HYPERLINK("http://127.0.0.1:9/")' in actions

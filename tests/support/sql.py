"""Count the SQL statements an app sends, to bound queries per page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from facilitator.extensions import db


@contextmanager
def recorded_sql(app) -> Iterator[list[str]]:
    """Every SQL statement ``app``'s engine sends while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)

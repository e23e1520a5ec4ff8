"""``flask backup``: a consistent SQLite copy via the online backup API; PostgreSQL
is pointed at pg_dump."""

from __future__ import annotations

import sqlite3

import pytest

from facilitator import create_app
from facilitator.extensions import db
from facilitator.models import Base, Example, Workshop


@pytest.fixture
def sqlite_app(app_config, tmp_path):
    """An app on its own SQLite file, whatever database the suite runs on."""
    path = tmp_path / "live.sqlite3"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        workshop = Workshop(title="Glasgow, May", join_code="K7M4QX")
        db.session.add(workshop)
        db.session.flush()
        db.session.add_all(
            Example(workshop_id=workshop.id, title=f"Story {i}", story="ünïcødé ✓ " * 20)
            for i in range(200)
        )
        db.session.commit()
    yield app, path
    with app.app_context():
        db.engine.dispose()


def test_backup_copies_the_sqlite_database(sqlite_app, tmp_path):
    app, path = sqlite_app
    target = tmp_path / "backups" / "copy.sqlite3"
    # A writer holds an open transaction: the copy has what was committed, nothing half-done.
    writer = sqlite3.connect(path, timeout=30)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE workshop SET title = 'half-done edit'")
    try:
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    assert not (tmp_path / "backups" / "copy.sqlite3.partial").exists()
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT title FROM workshop").fetchall() == [("Glasgow, May",)]
        assert copy.execute("SELECT count(*) FROM example").fetchone()[0] == 200
        story = copy.execute("SELECT story FROM example LIMIT 1").fetchone()[0]
        assert story.startswith("ünïcødé ✓")
    finally:
        copy.close()


def test_backup_refuses_to_overwrite_the_database(sqlite_app):
    app, path = sqlite_app
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code != 0
    assert "another file" in result.output


def test_backup_on_postgresql_explains_pg_dump(app_config, tmp_path):
    url = "postgresql+psycopg://facilitator:secret@127.0.0.1:5432/facilitator"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    target = tmp_path / "copy.dump"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
    assert "secret" not in result.output  # the password is never printed
    assert not target.exists()

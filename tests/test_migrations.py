"""Migrations: a database holding data at the first revision upgrades to head
with every row intact, and head matches the models (no forgotten migration).

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set (its own
throwaway database, created empty so Alembic builds every table itself).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import text

from facilitator import create_app
from facilitator.extensions import db
from facilitator.models import Base
from tests.support.databases import fresh_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
NOW = "2026-05-16 09:30:00+00:00"

# Plain SQL, written against the first revision's tables: what a database made
# by the very first release would hold.
SEED = [
    "INSERT INTO facilitator (id, email, name, password_hash, is_admin, created_at, updated_at)"
    " VALUES (1, 'fiona@example.org', 'Fiona', 'scrypt:x', :false, :now, :now)",
    "INSERT INTO workshop (id, title, topic, description, venue, join_code, is_open, phase,"
    " locked, dots_per_participant, group_assignment, settings, revision, created_at, updated_at)"
    " VALUES (1, 'Desistance, Glasgow', 'What helps people stop?', 'Día uno ✓', 'Glasgow',"
    " 'K7M4QX', :true, 'dream', :false, 3, 'choose', '{}', 7, :now, :now)",
    "INSERT INTO workshop_group (id, workshop_id, name, focus, position)"
    " VALUES (1, 1, 'Table 1', 'Employment', 0)",
    "INSERT INTO workshop_role (id, workshop_id, facilitator_id, role)"
    " VALUES (1, 1, 1, 'facilitator')",
    "INSERT INTO participant (id, workshop_id, group_id, display_name, token, last_seen_at,"
    " created_at, updated_at) VALUES (1, 1, 1, 'Morag', 'tok-1', :now, :now, :now)",
    "INSERT INTO example (id, title, story, what_worked, place, hidden, source, workshop_id,"
    " group_id, author_participant_id, created_at, updated_at) VALUES (1, 'A mentor listened',"
    " 'She came every week', 'Being believed', 'Barlinnie', :false, '', 1, 1, 1, :now, :now)",
    "INSERT INTO theme (id, name, description, position, hidden, source, workshop_id,"
    " created_at, updated_at) VALUES (1, 'Being believed in', '', 0, :false, '', 1, :now, :now)",
    "INSERT INTO example_theme (example_id, theme_id) VALUES (1, 1)",
    "INSERT INTO mission_statement (id, text, seed_votes, hidden, source, workshop_id,"
    " created_at, updated_at) VALUES (1, 'Everyone has a mentor', 2, :false, '', 1, :now, :now)",
    "INSERT INTO statement_theme (statement_id, theme_id) VALUES (1, 1)",
    "INSERT INTO vote (id, workshop_id, statement_id, participant_id, slot, created_at)"
    " VALUES (1, 1, 1, 1, 1, :now)",
    "INSERT INTO design_element (id, statement_id, kind, text, who_involved, hidden, source,"
    " workshop_id, created_at, updated_at) VALUES (1, 1, 'practice', 'Peer mentors',"
    " 'Third sector', :false, '', 1, :now, :now)",
    "INSERT INTO action_point (id, design_id, action, owner, first_step, status, hidden, source,"
    " workshop_id, created_at, updated_at) VALUES (1, 1, 'Pilot peer mentoring', 'Fiona',"
    " 'Call the charity', 'agreed', :false, '', 1, :now, :now)",
]

CHECKS = {
    "SELECT title, description, phase, revision FROM workshop": [
        ("Desistance, Glasgow", "Día uno ✓", "dream", 7)
    ],
    "SELECT email FROM facilitator": [("fiona@example.org",)],
    "SELECT display_name, token FROM participant": [("Morag", "tok-1")],
    "SELECT title, author_participant_id FROM example": [("A mentor listened", 1)],
    "SELECT example_id, theme_id FROM example_theme": [(1, 1)],
    "SELECT text, seed_votes FROM mission_statement": [("Everyone has a mentor", 2)],
    "SELECT participant_id, slot FROM vote": [(1, 1)],
    "SELECT text, statement_id FROM design_element": [("Peer mentors", 1)],
    "SELECT action, status, design_id FROM action_point": [("Pilot peer mentoring", "agreed", 1)],
    "SELECT role FROM workshop_role": [("facilitator",)],
}


@pytest.fixture
def empty_database(tmp_path):
    with fresh_database(tmp_path, "migrate") as url:
        yield url


def test_upgrade_from_the_first_revision_keeps_the_data(app_config, empty_database):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        first = script.get_base()
        head = script.get_current_head()
        assert head is not None, "migrations have more than one head: merge them"
        upgrade(directory=str(MIGRATIONS), revision=first)
        params = {"now": NOW, "true": True, "false": False}
        with db.engine.begin() as conn:
            for statement in SEED:
                conn.execute(text(statement), params)

        upgrade(directory=str(MIGRATIONS), revision="head")

        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            assert current == head
            for query, expected in CHECKS.items():
                assert [tuple(r) for r in conn.execute(text(query))] == expected, query
            # Head matches the models: nothing was changed without a migration.
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        # The app works on the upgraded database.
        client = app.test_client()
        from facilitator.auth.operations import start_login
        from facilitator.models import Facilitator

        token = start_login(db.session.get(Facilitator, 1))
        with client.session_transaction() as session:
            session["_user_id"] = token  # the login's token, as auth.views sets it
        page = client.get("/w/1/dream/")
        assert page.status_code == 200
        assert "Everyone has a mentor" in page.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
    assert diff == [], f"models and migrations differ: run flask db migrate ({diff[:3]})"

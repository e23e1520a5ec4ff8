"""``flask db upgrade`` builds, from nothing, exactly the schema the models describe."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from facilitator import create_app
from facilitator.extensions import db
from facilitator.models import Base


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database on the backend under test."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        yield "sqlite:///" + str(tmp_path / "fresh.sqlite3")
        return
    url = make_url(pg).set(drivername="postgresql+psycopg")
    name = f"facilitator_schema_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_db_upgrade_builds_the_models_schema(empty_database_url):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, (result.output, repr(result.exception))
    with app.app_context():
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(Base.metadata.tables) <= tables
            assert "alembic_version" in tables
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations disagree; run 'flask db migrate': {diff}"
    # A second upgrade is a no-op.
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()


def test_seed_after_upgrade(empty_database_url):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Desistance Knowledge Exchange" in page
    with app.app_context():
        db.engine.dispose()

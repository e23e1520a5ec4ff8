"""``flask db upgrade`` builds, from nothing, exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from facilitator import create_app
from facilitator.extensions import db
from facilitator.models import Base
from tests.support.databases import fresh_database


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database on the backend under test."""
    with fresh_database(tmp_path, prefix="facilitator_schema") as url:
        yield url


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

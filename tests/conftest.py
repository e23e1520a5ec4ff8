"""Fixtures: an app on a fresh database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), a client, a CLI runner, and factory fixtures."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import create_engine

from facilitator import create_app
from facilitator.extensions import db
from facilitator.models import Base, Facilitator, Group, Participant, Role, Workshop, WorkshopRole
from tests.support.databases import fresh_database

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """One database per test process; tables are created once and emptied per test."""
    with fresh_database(tmp_path_factory.mktemp("db"), "test") as url:
        yield url


@pytest.fixture(scope="session")
def _schema(database_url):
    engine = create_engine(database_url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    engine.dispose()
    return database_url


def _empty_tables() -> None:
    # DELETE beats TRUNCATE on tables this small (TRUNCATE rewrites files and
    # takes exclusive locks); tests never rely on ids starting at 1.
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config(_schema, tmp_path):
    """Configuration for the app under test; tests may update it before ``app`` is used."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _schema,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # The default store (a SQLite file the workers share), one per test.
        "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}",
        "SERVER_NAME": "localhost",
        # scrypt is deliberately slow; tests/test_auth.py checks the real default.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Polls see every change at once (tests/test_live_shortcut.py tests the TTL).
        "LIVE_REVISION_TTL": 0,
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with app.app_context():
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for tests that talk to the database directly."""
    with app.app_context():
        yield


_counter = itertools.count(1)


@pytest.fixture
def create_facilitator(app):
    """Factory: ``create_facilitator(email=..., admin=False)`` returns the account's id."""

    def make(email: str | None = None, *, admin: bool = False, name: str = "") -> int:
        with app.app_context():
            person = Facilitator(
                email=email or f"fac{next(_counter)}@example.org", name=name, is_admin=admin
            )
            person.set_password(PASSWORD)
            db.session.add(person)
            db.session.commit()
            return person.id

    return make


@pytest.fixture
def create_workshop(app, create_facilitator):
    """Factory: ``create_workshop(groups=[...], facilitator_id=..., **columns)`` returns the id.

    A facilitator is created for it unless ``facilitator_id`` is given
    (``facilitator_id=None`` explicitly: no facilitator at all).
    """

    def make(
        groups=("Table 1", "Table 2", "Table 3"),
        facilitator_id=...,
        role=Role.FACILITATOR,
        **columns,
    ) -> int:
        if facilitator_id is ...:
            facilitator_id = create_facilitator()
        columns.setdefault("title", f"Workshop {next(_counter)}")
        columns.setdefault("topic", "What helps people stop offending?")
        columns.setdefault("starts_on", date(2026, 5, 16))
        with app.app_context():
            workshop = Workshop(**columns)
            db.session.add(workshop)
            for i, name in enumerate(groups):
                workshop.groups.append(Group(name=name, position=i))
            if facilitator_id is not None:
                workshop.roles.append(WorkshopRole(facilitator_id=facilitator_id, role=role))
            db.session.commit()
            return workshop.id

    return make


@pytest.fixture
def login(app):
    """``login(client, facilitator_id)`` logs the client in as that facilitator."""

    def do(client, facilitator_id: int):
        with app.app_context():
            email = db.session.get(Facilitator, facilitator_id).email
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do


@pytest.fixture
def join(app):
    """``join(client, workshop_id, name=..., group=index)`` joins as a participant; returns its id."""

    def do(client, workshop_id: int, name: str = "Sam", group: int = 0) -> int:
        with app.app_context():
            workshop = db.session.get(Workshop, workshop_id)
            code = workshop.join_code
            group_id = workshop.groups[group].id if workshop.groups else None
        data = {"name": name}
        if group_id is not None:
            data["group"] = str(group_id)
        response = client.post(f"/j/{code}", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
        with app.app_context():
            participant = (
                db.session.execute(
                    db.select(Participant)
                    .filter_by(workshop_id=workshop_id)
                    .order_by(Participant.id.desc())
                )
                .scalars()
                .first()
            )
            return participant.id

    return do


@pytest.fixture
def facilitator_client(app, client, create_workshop, create_facilitator, login):
    """A client logged in as the facilitator of a fresh three-table workshop: (client, workshop_id, facilitator_id)."""
    fid = create_facilitator()
    wid = create_workshop(facilitator_id=fid)
    login(client, fid)
    return client, wid, fid

"""Connections to a database server: a pooled connection that died while it sat
idle (server restart, failover) is replaced before a request uses it, and one in
steady use is not pinged on every checkout."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from facilitator import create_app, db_setup
from facilitator.extensions import db
from tests.support.databases import postgres_database

#: The server the test command starts (scripts/services.sh) when none is named.
SERVER = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def server_url():
    # Always PostgreSQL, in the SQLite pass too: this is about server connections.
    with postgres_database(SERVER, "facilitator_ping") as url:
        yield url


@pytest.fixture
def pings(app_config, server_url, monkeypatch):
    """The app's engine on a server, and the list of the pings it sends."""
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": server_url})
    sent: list[int] = []
    with app.app_context():
        dialect = db.engine.dialect
        real_ping = dialect.do_ping

        def counted(dbapi_connection):
            sent.append(1)
            return real_ping(dbapi_connection)

        monkeypatch.setattr(dialect, "do_ping", counted)
        yield db.engine, sent
        db.engine.dispose()


def backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_killed_while_idle_is_replaced_unseen(pings, server_url, monkeypatch):
    engine, sent = pings
    first = backend_pid(engine)
    assert backend_pid(engine) == first  # the pool hands the same one back
    admin = create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        conn.commit()
    admin.dispose()
    # As if the pooled one (now dead) had been idle for a while.
    later = db_setup.time.monotonic() + 10 * db_setup.PING_AFTER_IDLE
    monkeypatch.setattr(db_setup.time, "monotonic", lambda: later)
    sent.clear()
    assert backend_pid(engine) != first  # no error: replaced on checkout
    assert sent  # found dead by the ping


def test_a_connection_in_steady_use_is_not_pinged(pings):
    engine, sent = pings
    backend_pid(engine)
    sent.clear()
    for _ in range(3):
        backend_pid(engine)
    assert sent == []  # back in use within PING_AFTER_IDLE: alive, not asked

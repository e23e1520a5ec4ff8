"""Connections to a database server: a pooled connection that died while it sat
idle (server restart, failover) is replaced before a request uses it, and one in
steady use is not pinged on every checkout."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from facilitator import create_app
from facilitator.core import db as db_setup
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


def test_sqlite_writers_queue_on_one_lock_across_threads_and_processes(tmp_path):
    """Posts on SQLite queue on db_setup.WriteLock (a waiter wakes when the
    writer ahead commits) instead of sleeping in SQLite's busy handler."""
    import subprocess
    import sys
    import threading

    engine = create_engine(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    order: list[str] = []
    inside, release = threading.Event(), threading.Event()

    def first():
        with db_setup.write_lock(engine):
            order.append("first in")
            inside.set()
            release.wait(10)
            order.append("first out")

    def second():
        inside.wait(10)
        with db_setup.write_lock(engine):
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inside.wait(10)
    # Another process (another gunicorn worker) is kept out while it is held.
    probe = (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
        "try: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except BlockingIOError: sys.exit(3)\n"
    )
    lock_file = str(tmp_path / "w.sqlite3-writer.lock")
    held = subprocess.run([sys.executable, "-c", probe, lock_file], check=False)
    release.set()
    for thread in threads:
        thread.join(10)
    assert held.returncode == 3
    assert order == ["first in", "first out", "second in"]
    free = subprocess.run([sys.executable, "-c", probe, lock_file], check=False)
    assert free.returncode == 0
    # A server database, or SQLite in memory, needs no such lock.
    for url in ("sqlite://", "postgresql+psycopg://x@127.0.0.1/y"):
        with db_setup.write_lock(create_engine(url)) as nothing:
            assert nothing is None
    engine.dispose()


def test_a_forked_worker_opens_its_own_lock_file(tmp_path, monkeypatch):
    """flock belongs to the open file, so a descriptor inherited through
    gunicorn's fork would not keep two workers apart: each process opens its own."""
    lock = db_setup.WriteLock(str(tmp_path / "x.sqlite3"))
    with lock():
        parent_fd = lock._fd
    with lock():
        assert lock._fd == parent_fd  # same process: the same file
    monkeypatch.setattr(db_setup.os, "getpid", lambda: -12345)  # as seen in a child
    with lock():
        assert lock._fd != parent_fd and lock._pid == -12345

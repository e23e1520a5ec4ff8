"""Engine tuning that has to happen per connection."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

#: A pooled server connection idle longer than this (seconds) is tested before use.
PING_AFTER_IDLE = 1.0


def configure_engine(engine: Engine) -> None:
    """Put SQLite in WAL mode with a busy timeout so readers never block writers;
    test a server's connections before use when they have been idle."""
    if engine.dialect.name != "sqlite":
        ping_idle_connections(engine)
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def ping_idle_connections(engine: Engine, idle: float = PING_AFTER_IDLE) -> None:
    """Pessimistic disconnect handling, but only for connections that sat idle.

    ``pool_pre_ping`` pings on *every* checkout: in a busy room that is a second
    round trip to PostgreSQL for each live poll (the shortcut's poll runs one
    query). A connection that was in use a moment ago is alive; one that sat in
    the pool (quiet hours, a server restart or failover meanwhile) is tested with
    the dialect's ping, and a dead one is replaced before the request sees it
    (DisconnectionError makes the pool connect afresh: SQLAlchemy's documented
    checkout-event recipe).
    """

    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_connection, record):
        if record is not None:
            record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy):
        since = record.info.get("checked_in")
        if since is not None and time.monotonic() - since < idle:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)  # what pool_pre_ping runs
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(f"stale pooled connection: {error}") from error


class WriteLock:
    """One writer at a time on a SQLite file, across this machine's processes.

    SQLite lets one connection write at a time; the others wait in its busy
    handler, which polls by sleeping 1, 2, 5, 10... ms, so a lock held for a
    fraction of a millisecond sits free while its waiters sleep, and a burst
    of posts is served at a fraction of what one core could do
    (docs/benchmarks.md, fourth pass). Queued here instead, on a thread lock
    and an ``flock`` of ``<database>-writer.lock``, a waiter is woken the moment
    the writer ahead of it commits. Only the hot write paths take it (posting);
    any other write still works, through the busy handler.
    """

    def __init__(self, database: str) -> None:
        self.path = f"{database}-writer.lock"
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None

    def _file(self) -> int:
        # flock belongs to the open file: a descriptor inherited through fork
        # (gunicorn's preload) would be shared with the parent, not exclusive.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._threads:
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits with the GIL released
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


_write_locks: dict[str, WriteLock] = {}
_write_locks_guard = threading.Lock()


def write_lock(engine: Engine) -> contextlib.AbstractContextManager:
    """What serialises a write transaction on ``engine``: a :class:`WriteLock`
    for a SQLite file, nothing for a server (PostgreSQL queues row locks and
    wakes each waiter itself) or an in-memory database."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return contextlib.nullcontext()
    with _write_locks_guard:
        lock = _write_locks.get(database)
        if lock is None:
            lock = _write_locks[database] = WriteLock(database)
    return lock()

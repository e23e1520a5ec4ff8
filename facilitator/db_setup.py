"""Engine tuning that has to happen per connection."""

from __future__ import annotations

import time

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

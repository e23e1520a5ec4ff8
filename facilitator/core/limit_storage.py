"""Rate-limit stores: counters in a SQLite file shared by the workers (the
default), and an in-process store that does not start a thread per hit."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from limits.storage import MemoryStorage, Storage

#: How often (seconds) expired counters are swept out of memory.
SWEEP_EVERY = 1.0
#: How often (seconds) each process deletes expired rows from the shared file.
FILE_SWEEP_EVERY = 30.0


class SweptMemoryStorage(MemoryStorage):
    """limits' ``memory://`` store, swept by the requests themselves.

    ``MemoryStorage`` frees expired counters from a ``threading.Timer`` that it
    starts anew, 10 ms after a hit, whenever the last one has finished: under a
    room's posts that is a new OS thread every 10 ms in every worker, and each
    ``Thread.start`` stalls its request until the new thread first gets the GIL
    (py-spy: 8% of a post's time, docs/benchmarks.md). Counters already expire
    when they are read (``get``), so the sweep only frees memory: here it runs
    in whichever hit finds it due, at most once every :data:`SWEEP_EVERY` s.

    Per process, like ``memory://``: with N workers each limit is N times
    looser. The default is :class:`SQLiteStorage`, which the workers share;
    ``redis://`` for several machines (docs/deploy.md).
    """

    STORAGE_SCHEME = ["swept-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._sweep_lock = threading.Lock()
        self._next_sweep = time.monotonic() + SWEEP_EVERY

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the timer thread
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_EVERY
            self._MemoryStorage__expire_events()
        finally:
            self._sweep_lock.release()


class SQLiteStorage(Storage):
    """Rate-limit counters in a small SQLite file that every worker on the machine shares.

    ``gunicorn.conf.py`` runs several worker processes: counters kept in each
    process's memory made every limit that many times looser. One file,
    ``instance/ratelimits.sqlite3`` by default (``sqlite:////path/to/file``),
    holds them for all of them; several machines share limits through
    ``redis://`` instead (docs/deploy.md).

    Each counter is one row (key, count, expiry as Unix time): a hit is a
    single upsert that starts a fresh window when the old one has expired, so
    workers racing on one key never lose a count. The counters are worth
    nothing after a crash, so the file is written without fsync (WAL,
    ``synchronous=OFF``): a hit costs tens of microseconds. Expired rows are
    swept by the hits themselves, at most once every :data:`FILE_SWEEP_EVERY` s per process.
    """

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        path = (uri or "").split("://", 1)[-1]
        # sqlite:////abs/file (as SQLAlchemy spells it) or sqlite:///relative/file
        self.path = path[1:] if path.startswith("/") else path
        if not self.path or self.path == ":memory:":
            raise ValueError("sqlite:// rate-limit storage needs a file: sqlite:////path/to/file")
        self._local = threading.local()
        self._next_sweep = 0.0

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened anew in a forked worker (gunicorn)."""
        known = getattr(self._local, "connection", None)
        if known is not None and known[0] == os.getpid():
            return known[1]
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS counter ("
            " key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL"
            ") WITHOUT ROWID"
        )
        self._local.connection = (os.getpid(), connection)
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        (count,) = connection.execute(
            "INSERT INTO counter (key, count, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET "
            " count = CASE WHEN expires <= ? THEN excluded.count ELSE count + excluded.count END,"
            " expires = CASE WHEN expires <= ? THEN excluded.expires ELSE expires END "
            "RETURNING count",
            (key, amount, now + expiry, now, now),
        ).fetchone()
        if now >= self._next_sweep:
            self._next_sweep = now + FILE_SWEEP_EVERY
            connection.execute("DELETE FROM counter WHERE expires <= ?", (now,))
        return count

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute("SELECT count FROM counter WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = (
            self._connection()
            .execute(
                "SELECT expires FROM counter WHERE key = ? AND expires > ?", (key, time.time())
            )
            .fetchone()
        )
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counter WHERE key = ?", (key,))

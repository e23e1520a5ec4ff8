"""Throwaway databases for tests and benchmarks: a SQLite file, or a fresh
PostgreSQL database created on the server TEST_DATABASE_URL names and dropped
afterwards."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextlib.contextmanager
def postgres_database(base_url: str, prefix: str = "facilitator_test") -> Iterator[str]:
    """Create a database on the server named by ``base_url``; yield its URL; drop it."""
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # A throwaway database need not survive a crash: skip waiting for fsync.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def fresh_database(
    folder: Path, name: str = "fresh", prefix: str = "facilitator_test"
) -> Iterator[str]:
    """An empty database on the backend under test (PostgreSQL when TEST_DATABASE_URL is set)."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        with postgres_database(pg, prefix) as url:
            yield url
    else:
        yield "sqlite:///" + str(Path(folder) / f"{name}.sqlite3")

"""``flask --app facilitator backup FILE``: a consistent copy of the SQLite database.

SQLite's online backup API copies the database page by page while the app keeps
running (WAL readers and writers are not stopped), and the copy is a single
self-contained file. PostgreSQL has its own tool for that: pg_dump.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """Raised with a message fit to show the operator."""


def sqlite_path(database_uri: str) -> Path:
    """The file behind a SQLite URL; other databases raise :class:`BackupError`."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"The database is {url.get_backend_name()}, not SQLite: back it up with its own "
            f"tool, e.g. pg_dump --format=custom --file=facilitator.dump "
            f"'{url.set(drivername='postgresql').render_as_string(hide_password=True)}'"
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory; there is no file to back up.")
    return Path(url.database)


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy ``source`` into ``target`` with the online backup API; return the page count.

    :param source: the live database file.
    :param target: where the copy goes; an existing file is replaced atomically.
    """
    if not source.exists():
        raise BackupError(f"There is no database file at {source}.")
    target = target.resolve()
    if target == source.resolve():
        raise BackupError("The backup must go to another file than the database itself.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=1024)
        # The copy stands alone: no -wal file beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {check}")
    partial.replace(target)
    return pages


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent copy of the SQLite database to TARGET (safe while the app runs)."""
    try:
        source = sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
        pages = backup_sqlite(source, target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up {source} to {target} ({pages} pages).")

"""Configuration read from the environment, with safe defaults for one machine."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def database_url(instance_path: str) -> str:
    """``DATABASE_URL`` if set (postgres URLs are pointed at psycopg 3), else SQLite in instance/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "facilitator.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: str) -> str:
    """``SECRET_KEY`` if set, else a random key generated once and kept in instance/.

    Keeping it on disk means sessions and joined phones survive a restart; it is
    never a constant in the code.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        # O_EXCL: if two workers start at once, one writes and both read the same key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


def engine_options(url: str, explicit: dict | None = None) -> dict:
    """Engine options suited to ``url``'s backend, under any ``explicit`` ones.

    Applied once the configuration is final (tests and FACILITATOR_* variables
    may point the app at another backend than DATABASE_URL did).
    """
    options: dict = {}
    if url.startswith("sqlite"):
        # Several gunicorn workers share the file: wait for a writer instead of
        # failing at once with "database is locked". A file never drops the
        # connection, so no pre-ping (it was a sixth of a 304 poll's cost).
        options["connect_args"] = {"timeout": 30}
    else:
        # A server connection can die (restart, failover): core.db tests the
        # ones that sat idle on checkout (pool_pre_ping would test every one, a
        # second round trip for each live poll).
        # Stay well inside PostgreSQL's default max_connections (100) with
        # several workers on several instances (gunicorn.conf.py sizes the pool
        # to its threads).
        options.update(pool_size=5, max_overflow=5, pool_recycle=1800)
    return {**options, **(explicit or {})}


def defaults(instance_path: str) -> dict:
    """The configuration every instance starts from."""
    https = os.environ.get("FACILITATOR_HTTPS", "").lower() in {"1", "true", "yes"}
    url = database_url(instance_path)
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": url,
        # Filled in by create_app from the final URL (see engine_options).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # Workshops outlast Flask-WTF's one-hour default; the token stays tied
        # to the session, which is what protects against CSRF.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken", "X-CSRF-Token"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # "Keep me logged in" lasts as long as a login itself (auth.operations.LOGIN_DAYS,
        # enforced on the server): a fortnight, not Flask-Login's default year.
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 14,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 14,
        # Not re-signed and re-sent on every answer: a phone polls every 2 s, and
        # serialising its cookie each time was a tenth of a busy room's CPU. The
        # fortnight then runs from joining (or logging in), which outlasts a workshop.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # Each process may reuse a workshop's revision this long (seconds) when
        # answering polls before Flask (facilitator.live.shortcut): a busy room
        # then costs the database one read per workshop per half second instead
        # of one per poll, for at most half a second more before a change shows.
        "LIVE_REVISION_TTL": 0.5,
        # Shared by every worker on this machine (core.limit_storage.SQLiteStorage):
        # per-process counters made each limit as many times looser as there are
        # workers. redis://host:6379/0 when several machines serve one room.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or f"sqlite:///{Path(instance_path, 'ratelimits.sqlite3').resolve()}",
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
    }

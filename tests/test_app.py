"""The app factory, configuration, health check and the public pages."""

from __future__ import annotations

import pytest

from facilitator import create_app
from facilitator.config import database_url


def test_config_overrides_environment(app_config):
    assert not create_app({**app_config, "TESTING": False}).testing
    assert create_app(app_config).testing


def test_secret_key_generated_once_and_kept(tmp_path, monkeypatch):
    from facilitator.config import secret_key

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(str(tmp_path))
    assert len(first) == 64
    assert secret_key(str(tmp_path)) == first
    assert (tmp_path / "secret_key").read_text().strip() == first
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert secret_key(str(tmp_path)) == "from-env"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ("", "sqlite:////inst/facilitator.sqlite3"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url(monkeypatch, env, expected):
    monkeypatch.setenv("DATABASE_URL", env)
    assert database_url("/inst") == expected


def test_engine_is_tuned_for_its_backend(app):
    """SQLite: WAL, a busy timeout and foreign keys; PostgreSQL: psycopg 3 with a bounded pool."""
    from facilitator.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            assert engine.dialect.name == "postgresql"
            assert engine.dialect.driver == "psycopg"
            assert engine.pool.size() <= 10


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/", 200, "Run a live Appreciative Inquiry workshop"),
        ("/login", 200, "Facilitator login"),
        ("/join", 200, "Join a workshop"),
        ("/no-such-page", 404, "We could not find that page"),
        ("/w/999/discovery/", 404, "We could not find that page"),
        ("/w/", 302, ""),
        ("/w/new", 302, ""),
    ],
)
def test_public_pages(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)


def test_landing_lists_open_public_demos(client, create_workshop):
    create_workshop(title="Open day", listed=True)
    create_workshop(title="Closed day", is_open=False, listed=True)
    page = client.get("/").get_data(as_text=True)
    assert "Open day" in page
    assert "Closed day" not in page


def test_every_view_has_a_docstring(app):
    missing = [
        name
        for name, view in app.view_functions.items()
        if name != "static" and not (view.__doc__ or "").strip()
    ]
    assert missing == []


def test_nl2p_escapes_then_breaks_lines(app):
    nl2p = app.jinja_env.filters["nl2p"]
    html = str(nl2p('Line <b>one</b>\nline "two"\n\n<script>alert(1)</script>'))
    assert html == (
        "<p>Line &lt;b&gt;one&lt;/b&gt;<br>line &#34;two&#34;</p>"
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    assert nl2p("") == ""

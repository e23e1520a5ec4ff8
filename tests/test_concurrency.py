"""200 participants join and post at once through gunicorn (several workers):
every accepted post is in the database, nothing reported failed was stored,
and nobody ever sees "database is locked". SQLite (WAL, busy timeout, retry)
in the plain run; PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import http.cookiejar
import re
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError

from facilitator.extensions import db
from facilitator.models import Base, Example, Group, Participant, Workshop
from facilitator.phases.operations import add_contribution
from tests.support.databases import fresh_database

from .support.server import gunicorn_server

PARTICIPANTS = 200
POSTS_EACH = 2
POOL = 50
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def server_database(tmp_path):
    with fresh_database(tmp_path, "concurrency") as url:
        yield url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Phone:
    """One participant's browser: its own cookie jar."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")


@dataclass
class Outcome:
    titles_ok: list[str] = field(default_factory=list)
    titles_failed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)


def participant(base: str, code: str, wid: int, n: int) -> Outcome:
    out = Outcome()
    phone = Phone(base)
    status, html = phone.request(f"/j/{code}")
    if status != 200:
        out.problems.append(f"p{n} join page {status}")
        out.bodies.append(html)
        return out
    token = TOKEN.search(html).group(1)
    status, html = phone.request(f"/j/{code}", {"csrf_token": token, "name": f"Person {n}"})
    if status != 302:
        out.problems.append(f"p{n} join {status}")
        out.bodies.append(html)
        return out
    for k in range(POSTS_EACH):
        title = f"story {n}-{k}"
        status, html = phone.request(
            f"/w/{wid}/discovery/new", {"csrf_token": token, "title": title, "group": "0"}
        )
        if status == 302:
            out.titles_ok.append(title)
        else:
            out.titles_failed.append(title)
            out.problems.append(f"{title}: {status}")
            out.bodies.append(html)
    return out


@pytest.mark.slow
def test_two_hundred_participants_post_at_once(server_database):
    engine = create_engine(server_database)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        wid = conn.execute(
            Workshop.__table__.insert().values(
                title="Busy room",
                topic="",
                description="",
                venue="",
                join_code="BZY234",
                phase="discovery",
                group_assignment="round_robin",
                settings={},
            )
        ).inserted_primary_key[0]
        conn.execute(
            Group.__table__.insert(),
            [
                {"workshop_id": wid, "name": f"Table {i}", "focus": "", "position": i}
                for i in range(8)
            ],
        )

    with gunicorn_server(
        server_database, workers=3, threads=4, env={"RATELIMIT_STORAGE_URI": "memory://"}
    ) as base:
        with ThreadPoolExecutor(POOL) as pool:
            outcomes = list(
                pool.map(lambda n: participant(base, "BZY234", wid, n), range(PARTICIPANTS))
            )

    ok = [t for o in outcomes for t in o.titles_ok]
    failed = [t for o in outcomes for t in o.titles_failed]
    problems = [p for o in outcomes for p in o.problems]
    bodies = [b for o in outcomes for b in o.bodies]
    with engine.connect() as conn:
        stored = set(
            conn.execute(select(Example.title).where(Example.workshop_id == wid)).scalars()
        )
        joined = conn.execute(select(Participant.id).where(Participant.workshop_id == wid)).all()
        revision = conn.execute(select(Workshop.revision).where(Workshop.id == wid)).scalar_one()
    engine.dispose()

    assert not any("database is locked" in b for b in bodies), "a user saw 'database is locked'"
    assert set(ok) <= stored, f"accepted but lost: {sorted(set(ok) - stored)[:5]}"
    assert not (set(failed) & stored), (
        f"reported failed but stored: {sorted(set(failed) & stored)[:5]}"
    )
    assert problems == [], f"{len(problems)} requests failed, e.g. {problems[:5]}"
    assert len(joined) == PARTICIPANTS
    assert len(stored) == PARTICIPANTS * POSTS_EACH
    # Every post bumped the revision once, none lost to a race (joining shows on
    # no live screen, so it does not bump).
    assert revision == 1 + PARTICIPANTS * POSTS_EACH


# ----------------------------------------------------- retry on "database is locked"


def _locked() -> OperationalError:
    return OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))


def test_a_locked_commit_is_retried_and_saved_once(app, create_workshop, monkeypatch):
    wid = create_workshop()
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    with app.app_context():
        real_commit = db.session.commit
        calls = []

        def flaky_commit():
            calls.append(1)
            if len(calls) < 3:
                db.session.flush()  # the write happened, the commit is refused
                raise _locked()
            real_commit()

        monkeypatch.setattr(db.session, "commit", flaky_commit)
        workshop = db.session.get(Workshop, wid)
        add_contribution(workshop, Example(workshop_id=wid, title="Saved once"))
        monkeypatch.undo()
        assert len(calls) == 3
        titles = db.session.execute(select(Example.title)).scalars().all()
        assert titles == ["Saved once"]
        assert db.session.get(Workshop, wid).revision == 2  # bumped once, not three times


def test_other_database_errors_are_not_retried(app, create_workshop, monkeypatch):
    wid = create_workshop()
    with app.app_context():
        calls = []

        def broken_commit():
            calls.append(1)
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

        monkeypatch.setattr(db.session, "commit", broken_commit)
        with pytest.raises(OperationalError):
            add_contribution(db.session.get(Workshop, wid), Example(workshop_id=wid, title="x"))
        assert len(calls) == 1


def test_nobody_sees_database_is_locked(app, create_workshop, join, monkeypatch):
    wid = create_workshop()
    phone = app.test_client()
    join(phone, wid)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)

    def always_locked():
        raise _locked()

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", always_locked)
        response = phone.post(
            f"/w/{wid}/discovery/new",
            data={"title": "My story", "group": "0"},
            headers={"HX-Request": "true"},
        )
    monkeypatch.undo()
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "press the button again" in html
    assert "locked" not in html.lower()
    with app.app_context():
        assert db.session.execute(select(Example)).first() is None

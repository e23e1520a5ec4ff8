"""Rate limits: failed logins and wrong join codes are stopped, a whole room can
join from one address, posting is limited per participant; one run on Redis."""

from __future__ import annotations

import re
import uuid

import pytest
import redis

from facilitator import create_app
from facilitator.core.limits import TOO_FAST
from facilitator.extensions import db
from facilitator.models import Example, Workshop

from .conftest import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def app_config(app_config):
    # The default store (facilitator.core.limit_storage), as production has it.
    return {**app_config, "RATELIMIT_ENABLED": True}


def _code(app, wid) -> str:
    with app.app_context():
        return db.session.get(Workshop, wid).join_code


def test_login_limit_counts_only_failures(app, create_facilitator):
    fid = create_facilitator(email="kim@example.org")
    assert fid
    # More successful logins than the limit allows failures: all fine.
    for _ in range(12):
        ok = app.test_client().post(
            "/login", data={"email": "kim@example.org", "password": PASSWORD}
        )
        assert ok.status_code == 302
    client = app.test_client()
    for _ in range(10):
        wrong = client.post("/login", data={"email": "kim@example.org", "password": "wrong pass"})
        assert wrong.status_code == 422
    stopped = client.post("/login", data={"email": "kim@example.org", "password": "wrong pass"})
    assert stopped.status_code == 429
    html = stopped.get_data(as_text=True)
    assert "Too many failed logins" in html
    assert 'value="kim@example.org"' in html  # what they typed is kept
    assert "Retry-After" in stopped.headers or "X-RateLimit-Reset" in stopped.headers


def test_a_room_joins_from_one_address_but_guessing_codes_is_stopped(app, create_workshop):
    wid = create_workshop(group_assignment="round_robin")
    code = _code(app, wid)
    for i in range(300):
        phone = app.test_client()
        found = phone.post("/join", data={"code": code.lower()})
        assert found.status_code == 302, i
        joined = phone.post(found.headers["Location"], data={"name": f"P{i}"})
        assert joined.status_code == 302, (i, joined.get_data(as_text=True)[:300])
    with app.app_context():
        assert len(db.session.get(Workshop, wid).participants) == 300

    guesser = app.test_client()
    wrong = "ABCDEF" if code != "ABCDEF" else "BCDEFG"
    for _ in range(10):
        assert guesser.post("/join", data={"code": wrong}).status_code == 404
    stopped = guesser.post("/join", data={"code": wrong})
    assert stopped.status_code == 429
    assert stopped.headers["Retry-After"] == "60"
    html = stopped.get_data(as_text=True)
    assert "Too many wrong codes were tried from this phone" in html
    assert f'value="{wrong}"' in html
    # A stopped browser learns nothing more: the right code, the QR link too.
    assert guesser.post("/join", data={"code": code}).status_code == 429
    assert guesser.get(f"/j/{code}").status_code == 429
    # Everyone else at the same address still joins, by code and by QR link.
    assert app.test_client().post("/join", data={"code": code}).status_code == 302
    assert app.test_client().get(f"/j/{code}").status_code == 200


def test_one_guesser_never_locks_the_venue_out(app, create_workshop):
    """A script that throws its cookie away after every guess: past the address's
    (high) count its wrong codes get 429, but right codes and QR links from that
    address still get in."""
    from facilitator.core.limits import ADDRESS_GUESS_LIMIT

    per_minute = int(ADDRESS_GUESS_LIMIT.split()[0])
    wid = create_workshop()
    code = _code(app, wid)
    wrong = "ABCDEF" if code != "ABCDEF" else "BCDEFG"
    for i in range(per_minute):
        assert app.test_client().post("/join", data={"code": wrong}).status_code == 404, i
    refused = app.test_client().post("/join", data={"code": wrong})
    assert refused.status_code == 429
    assert "very many wrong codes were tried from this network" in refused.get_data(as_text=True)
    assert app.test_client().get(f"/j/{wrong}").status_code == 429
    phone = app.test_client()
    assert phone.post("/join", data={"code": code}).status_code == 302
    assert phone.get(f"/j/{code}").status_code == 200
    assert (
        phone.post(f"/j/{code}", data={"name": "Ali", "group": _first_group(app, wid)}).status_code
        == 302
    )
    # Another address is not touched by this one's count.
    other = app.test_client()
    elsewhere = {"REMOTE_ADDR": "10.9.8.7"}
    assert other.post("/join", data={"code": wrong}, environ_base=elsewhere).status_code == 404


def _first_group(app, wid) -> str:
    with app.app_context():
        return str(db.session.get(Workshop, wid).groups[0].id)


def _post(client, wid, title, **headers):
    return client.post(
        f"/w/{wid}/discovery/new", data={"title": title, "group": 0}, headers=headers
    )


def test_posting_is_limited_per_participant_and_keeps_the_text(app, create_workshop, join):
    wid = create_workshop()
    first, second = app.test_client(), app.test_client()
    join(first, wid, name="Fast")
    join(second, wid, name="Steady")
    # A form sent back for fixing does not count.
    for _ in range(5):
        assert _post(first, wid, "").status_code == 422
    for i in range(20):
        assert _post(first, wid, f"Story {i}").status_code == 302, i
    refused = _post(first, wid, "The one that <b>waits</b>", **{"HX-Request": "true"})
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert TOO_FAST in html
    assert 'value="The one that &lt;b&gt;waits&lt;/b&gt;"' in html
    assert re.search(r'<div id="compose"', html)  # the htmx fragment, swapped in place
    page = _post(first, wid, "Full page post")
    assert page.status_code == 429
    assert 'value="Full page post"' in page.get_data(as_text=True)
    # Same address, another participant: not affected.
    assert _post(second, wid, "My own story").status_code == 302
    with app.app_context():
        titles = db.session.execute(db.select(Example.title)).scalars().all()
    assert len(titles) == 21
    assert "The one that <b>waits</b>" not in titles


def test_limits_are_shared_through_redis(app_config, create_workshop):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError as exc:  # pragma: no cover - setup problem
        pytest.fail(
            f"Redis is not running at {REDIS_URL} ({exc}); start it: bash scripts/services.sh"
        )
    prefix = f"test-{uuid.uuid4().hex}"
    config = {**app_config, "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    # Two instances behind a load balancer share one Redis.
    one, two = create_app(config), create_app(config)
    server = redis.Redis.from_url(REDIS_URL)
    try:
        # One phone whose polls and posts reach either instance: its wrong codes add up.
        guesser_one, guesser_two = one.test_client(), two.test_client()
        for i in range(10):
            client = guesser_one if i % 2 else guesser_two
            assert client.post("/join", data={"code": "QQQQQQ"}).status_code == 404
            cookie = client.get_cookie("session")
            for other in (guesser_one, guesser_two):
                other.set_cookie("session", cookie.value, domain="localhost")
        assert guesser_one.post("/join", data={"code": "QQQQQQ"}).status_code == 429
        assert guesser_two.post("/join", data={"code": "QQQQQQ"}).status_code == 429
        assert server.keys(f"*{prefix}*"), "the limiter stored nothing in Redis"
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        server.close()
        for instance in (one, two):
            with instance.app_context():
                db.engine.dispose()


def test_the_memory_store_starts_no_thread_per_hit_and_sweeps_itself(monkeypatch):
    """limits' memory store starts a Timer thread 10 ms after a hit; ours sweeps
    expired counters from the hits themselves, at most once a second."""
    import threading

    from limits.storage import storage_from_string

    from facilitator.core import limit_storage as ratelimit_storage

    storage = storage_from_string("swept-memory://")
    assert isinstance(storage, ratelimit_storage.SweptMemoryStorage)
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    clock = [1000.0]
    monkeypatch.setattr(ratelimit_storage.time, "monotonic", lambda: clock[0])
    storage._next_sweep = clock[0] + 1
    for i in range(200):
        storage.incr(f"k{i}", expiry=1)
    assert started == [] and len(storage.storage) == 200
    assert storage.incr("k0", expiry=1) == 2  # counting as before
    storage.expirations.update({f"k{i}": 0 for i in range(100)})  # half have expired
    storage.incr("k150", expiry=1)
    assert len(storage.storage) == 200  # not due yet: nothing swept
    clock[0] += 1.5
    storage.incr("k150", expiry=1)
    assert len(storage.storage) == 100 and "k0" not in storage.storage
    assert storage.get("k150") == 3 and started == []


# --------------------------------------------------- limits hold across rejoins


def test_posting_limit_holds_across_rejoins_and_workshops(app, create_workshop, join, login):
    """The count belongs to the browser: removed and joining again, or joining a
    second workshop, it goes on from where it was."""
    from facilitator.live.operations import remove_participant
    from facilitator.models import Participant

    first, second = create_workshop(), create_workshop()
    phone = app.test_client()
    pid = join(phone, first, name="Fast")
    for i in range(12):
        assert _post(phone, first, f"Story {i}").status_code == 302, i
    with app.app_context():
        remove_participant(
            db.session.get(Workshop, first),
            db.session.get(Participant, pid),
            with_contributions=False,
        )
    assert _post(phone, first, "Removed").status_code == 403
    join(phone, first, name="Fast again")  # a new participant, the same browser
    for i in range(4):
        assert _post(phone, first, f"Again {i}").status_code == 302, i
    join(phone, second, name="Elsewhere")
    for i in range(4):
        assert _post(phone, second, f"There {i}").status_code == 302, i
    refused = _post(phone, second, "One too many")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert _post(phone, first, "Back here").status_code == 429
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Example.id))).scalar_one() == 20


def test_refused_posts_do_not_count(app, create_workshop, join):
    """A post refused for another reason (a closed room, a fix-this message) gives
    its place back."""
    wid = create_workshop()
    phone = app.test_client()
    join(phone, wid)
    with app.app_context():
        db.session.get(Workshop, wid).locked = True
        db.session.commit()
    for _ in range(25):
        assert _post(phone, wid, "Paused").status_code == 409
    with app.app_context():
        db.session.get(Workshop, wid).locked = False
        db.session.commit()
    for i in range(20):
        assert _post(phone, wid, f"Story {i}").status_code == 302, i
    assert _post(phone, wid, "Twenty-first").status_code == 429


# ------------------------------------------- the store the workers share


def _sqlite_store(path):
    from limits.storage import storage_from_string

    return storage_from_string(f"sqlite:///{path}")


def test_the_default_store_is_a_file_the_workers_share(app, tmp_path):
    from facilitator.config import defaults
    from facilitator.core.limit_storage import SQLiteStorage

    assert defaults(str(tmp_path))["RATELIMIT_STORAGE_URI"] == (
        f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}"
    )
    one, two = _sqlite_store(tmp_path / "l.sqlite3"), _sqlite_store(tmp_path / "l.sqlite3")
    assert isinstance(one, SQLiteStorage) and one.check()
    assert one.incr("k", expiry=60) == 1
    assert two.incr("k", expiry=60) == 2  # another worker sees the same count
    assert one.get("k") == 2 and two.get("k") == 2
    assert 58 < one.get_expiry("k") - __import__("time").time() <= 60
    assert one.incr("k", expiry=60, amount=-1) == 1
    two.clear("k")
    assert one.get("k") == 0
    assert one.incr("short", expiry=1) == 1
    assert two.get("short") == 1


def test_an_expired_window_starts_again(tmp_path, monkeypatch):
    from facilitator.core import limit_storage

    store = _sqlite_store(tmp_path / "l.sqlite3")
    clock = [1_000_000.0]
    monkeypatch.setattr(limit_storage.time, "time", lambda: clock[0])
    for _ in range(5):
        store.incr("k", expiry=60)
    assert store.get("k") == 5
    clock[0] += 61
    assert store.get("k") == 0
    assert store.incr("k", expiry=60) == 1  # a fresh window, not 6
    assert store.get_expiry("k") == clock[0] + 60
    store.incr("other", expiry=10)
    clock[0] += 61  # both expired, and a sweep is due (FILE_SWEEP_EVERY)
    assert limit_storage.FILE_SWEEP_EVERY < 61
    store.incr("k2", expiry=60)  # sweeps what expired
    rows = store._connection().execute("SELECT key FROM counter").fetchall()
    assert rows == [("k2",)]


COUNT_IN_A_PROCESS = """
import sys
from limits.storage import storage_from_string
import facilitator.core.limit_storage  # registers sqlite://
store = storage_from_string("sqlite:///" + sys.argv[1])
for _ in range(int(sys.argv[2])):
    store.incr("shared", expiry=60)
"""


def test_processes_count_together_without_losing_a_hit(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "l.sqlite3"
    processes = [
        subprocess.Popen([sys.executable, "-c", COUNT_IN_A_PROCESS, str(path), "150"])
        for _ in range(4)
    ]
    assert [p.wait(timeout=60) for p in processes] == [0, 0, 0, 0]
    assert _sqlite_store(path).get("shared") == 600


@pytest.mark.slow
def test_the_posting_limit_holds_under_the_shipped_gunicorn_conf(tmp_path):
    """Four workers, as gunicorn.conf.py runs them: one phone firing 40 posts at
    once gets exactly the 20 a minute it is allowed, not 20 per worker."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import create_engine, select

    from facilitator.models import Base, Group

    from .support.databases import fresh_database
    from .support.server import gunicorn_server
    from .test_concurrency import TOKEN, Phone

    with fresh_database(tmp_path, "limits") as url:
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            wid = conn.execute(
                Workshop.__table__.insert().values(
                    title="Limits",
                    topic="",
                    description="",
                    venue="",
                    join_code="LMT234",
                    phase="discovery",
                    group_assignment="round_robin",
                    settings={},
                )
            ).inserted_primary_key[0]
            conn.execute(
                Group.__table__.insert().values(workshop_id=wid, name="T", focus="", position=0)
            )
        env = {
            "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}",
            "FACILITATOR_RATELIMIT_ENABLED": "true",
        }
        with gunicorn_server(
            url, workers=4, threads=2, env=env, extra_args=["--config", "gunicorn.conf.py"]
        ) as base:
            phone = Phone(base)
            status, html = phone.request("/j/LMT234")
            assert status == 200
            token = TOKEN.search(html).group(1)
            assert phone.request("/j/LMT234", {"csrf_token": token, "name": "Fast"})[0] == 302

            def post(n):
                data = {"csrf_token": token, "title": f"story {n}", "group": "0"}
                return phone.request(f"/w/{wid}/discovery/new", data)[0]

            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(post, range(40)))
        with engine.connect() as conn:
            stored = conn.execute(
                select(db.func.count()).select_from(Example).where(Example.workshop_id == wid)
            ).scalar_one()
        engine.dispose()
    assert sorted(set(statuses)) == [302, 429], statuses
    assert statuses.count(302) == 20 and stored == 20

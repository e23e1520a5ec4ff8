"""gunicorn.conf.py: the worker model and the connection budget it documents."""

from __future__ import annotations

import multiprocessing
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
POOL_KEYS = (
    "FACILITATOR_SQLALCHEMY_ENGINE_OPTIONS__pool_size",
    "FACILITATOR_SQLALCHEMY_ENGINE_OPTIONS__max_overflow",
)


def load(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "DATABASE_POOL_SIZE", *POOL_KEYS):
        # Set, then removed: monkeypatch then restores each as it was, so what
        # the file sets (the pool options) does not leak into later tests' apps.
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_two_threaded_workers_per_core_and_a_pool_per_thread(monkeypatch):
    """The defaults: 2 workers a core, 2 threads, one pooled connection a thread."""
    import os

    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 2)  # the 2-core box it documents
    conf = load(monkeypatch)
    assert conf["worker_class"] == "gthread"
    assert conf["workers"] == 4 and conf["threads"] == 2
    pool, overflow = (int(os.environ[key]) for key in POOL_KEYS)
    assert pool == conf["threads"]  # a thread holds at most one connection
    # docs/deploy.md's budget: 16 connections an instance, so 6 instances fit in
    # PostgreSQL's default max_connections = 100 (97 usable), with room to spare.
    per_instance = conf["workers"] * (pool + overflow)
    assert per_instance == 16 and 6 * per_instance <= 97 - 1


@pytest.mark.parametrize(
    ("env", "workers", "threads", "pool"),
    [
        ({"WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "5"}, 3, 5, "5"),
        ({"GUNICORN_THREADS": "3", "DATABASE_POOL_SIZE": "8"}, None, 3, "8"),
    ],
)
def test_the_environment_overrides_it(monkeypatch, env, workers, threads, pool):
    """Each knob docs/deploy.md lists is read from the environment."""
    import os

    conf = load(monkeypatch, **env)
    assert conf["workers"] == (workers or 2 * multiprocessing.cpu_count())
    assert conf["threads"] == threads and os.environ[POOL_KEYS[0]] == pool


def test_loading_it_leaves_the_environment_as_it_was(monkeypatch):
    """What the file sets for its workers (the pool options) does not leak into
    later tests' apps once the test that loaded it is done."""
    import os

    before = {key: os.environ.get(key) for key in POOL_KEYS}
    with monkeypatch.context() as patch:
        load(patch)
        assert all(key in os.environ for key in POOL_KEYS)
    assert {key: os.environ.get(key) for key in POOL_KEYS} == before

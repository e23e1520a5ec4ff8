"""Nothing a request can name grows a process's memory without bound.

Every unknown ``/static/<random>`` path used to be remembered (about 3 KB a
request; one worker grew 104 MB over 40,000 of them), and the live-poll
shortcut kept a revision for every workshop id it was asked about.
"""

from __future__ import annotations

import gc
import secrets
import tracemalloc

import pytest

from facilitator.core.bounded import LRU


def test_lru_keeps_the_most_recently_used():
    cache = LRU(3)
    for n in range(3):
        cache.put(n, str(n))
    assert cache.get(0) == "0"  # used: now the newest
    cache.put(3, "3")
    cache.put(4, "4")
    assert len(cache) == 3
    assert 0 in cache and 3 in cache and 4 in cache
    assert cache.get(1) is None and cache.get(2, "gone") == "gone"
    with pytest.raises(ValueError):
        LRU(0)


def test_unknown_static_paths_are_not_remembered(app, client):
    files = app.extensions["static_files"]
    client.get("/static/css/app.css")
    client.get("/static/no-such-file.css")  # the 404 page links the real files
    known = len(files._entries)
    assert known >= 1
    for _ in range(300):
        response = client.get(f"/static/{secrets.token_hex(16)}.css")
        assert response.status_code == 404
    assert len(files._entries) == known
    # A real file is still served from memory, fingerprinted.
    again = client.get("/static/css/app.css")
    assert again.status_code == 200 and again.headers["ETag"]


def test_random_static_paths_do_not_grow_memory(app, client):
    """The symptom itself: thousands of random paths, measured with tracemalloc."""

    def flood(n: int) -> None:
        for _ in range(n):
            assert client.get(f"/static/{secrets.token_hex(24)}").status_code == 404

    flood(300)  # warm up Flask's and Werkzeug's own one-off allocations
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        flood(3000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # Before the bound: about 3 KB per path (9 MB here).
    assert grown < 300_000, f"grew {grown:,} bytes over 3,000 unknown paths"


def test_the_static_entries_are_bounded(app, monkeypatch):
    import facilitator.core.static_files as module

    monkeypatch.setattr(module, "MAX_ENTRIES", 2)
    files = module.StaticFiles(app)
    for name in ("css/app.css", "js/live.js", "js/timer.js", "js/app.js"):
        assert files.entry(name) is not None, name
    assert len(files._entries) == 2


def test_the_shortcuts_revisions_are_bounded(app, create_workshop, monkeypatch):
    import facilitator.live.shortcut as module

    monkeypatch.setattr(module, "MAX_WORKSHOPS", 3)
    shortcut = module.LivePollShortcut(app, app.wsgi_app)
    real = create_workshop()
    for wid in range(real + 1, real + 50):
        assert shortcut.state(wid) is None
    assert shortcut.state(real) == (1, 1, "discovery")
    assert len(shortcut._revisions) == 3


def test_strangers_polls_of_random_workshops_remember_nothing(app, client):
    shortcut = app.extensions["live_shortcut"]
    for wid in range(1, 200):
        response = client.get(
            f"/w/{wid}/live/discovery?room=discovery",
            headers={"HX-Request": "true", "If-None-Match": "*"},
        )
        assert response.status_code in (403, 404)
    assert len(shortcut._revisions) == 0


def test_the_feeds_are_bounded(monkeypatch):
    import facilitator.live.feed as module

    monkeypatch.setattr(module, "MAX_FEEDS", 4)
    feeds = module.Feeds(lambda phase, params: [])
    for wid in range(20):
        assert feeds.rows(wid, "discovery", 1, 5, 5, None, 1) is None  # starts a feed
        assert len(feeds) <= 4
    # A feed just started answers the next poll from it.
    assert feeds.rows(19, "discovery", 1, 6, 5, None, 1) == []

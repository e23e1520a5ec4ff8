"""The per-process feed of recent changes (facilitator.live.feed): it answers a
phone's delta exactly as the phone's own query would, or says it cannot."""

from __future__ import annotations

import threading

import pytest

from facilitator.live.feed import Feeds

PHASE = "discovery"
WID = 7
LAYOUT = 3


class Room:
    """The database as the feed's query sees it: rows of changed_since."""

    def __init__(self) -> None:
        self.items: dict[int, tuple] = {}  # id -> (revision, group, author, created, html)
        self.queries: list[dict] = []

    def change(self, item_id, revision, group=1, author=None, html="<x>"):
        created = self.items.get(item_id, (0, 0, 0, item_id))[3]
        self.items[item_id] = (revision, group, author, created, html)

    def query(self, phase, params):
        assert phase == PHASE and params["workshop_id"] == WID
        self.queries.append(params)
        rows = [
            (rev, item_id, group, author, created, html)
            for item_id, (rev, group, author, created, html) in self.items.items()
            if rev > params["since"]
        ]
        return sorted(rows)


@pytest.fixture
def room():
    return Room()


@pytest.fixture
def feeds(room):
    return Feeds(room.query)


def rows(feeds, revision, since, group=1, me=99, layout=LAYOUT):
    return feeds.rows(WID, PHASE, layout, revision, since, group, me)


def test_a_feed_starts_where_the_room_is_and_serves_screens_from_there(feeds, room):
    # The first poll starts it: that phone's own query answers this once.
    assert rows(feeds, revision=10, since=8) is None
    assert room.queries == []
    # Screens at or above its start are answered from it.
    room.change(1, revision=11, html="<one>")
    room.change(2, revision=12, group=2, html="<two>")
    assert rows(feeds, revision=12, since=10) == [(1, 11, None, "<one>")]
    assert rows(feeds, revision=12, since=10, group=2) == [(2, 12, None, "<two>")]
    assert rows(feeds, revision=12, since=11) == []
    # One read for every phone, until the room moves on again.
    assert len(room.queries) == 1 and room.queries[0]["since"] == 10
    # Older than the feed: only the phone's query knows.
    assert rows(feeds, revision=12, since=9) is None


def test_a_later_edit_replaces_the_earlier_copy_and_keeps_its_place(feeds, room):
    rows(feeds, revision=10, since=10)
    room.change(1, revision=11, html="<first>")
    room.change(2, revision=12, html="<second>")
    assert [r[0] for r in rows(feeds, revision=12, since=10)] == [1, 2]
    room.change(1, revision=13, html="<first, edited>")
    assert rows(feeds, revision=13, since=10) == [
        (1, 13, None, "<first, edited>"),
        (2, 12, None, "<second>"),
    ]
    assert rows(feeds, revision=13, since=12) == [(1, 13, None, "<first, edited>")]


def test_whole_room_items_reach_every_table_and_unseated_phones_see_no_table(feeds, room):
    rows(feeds, revision=10, since=10)
    room.change(1, revision=11, group=None, html="<room>")
    room.change(2, revision=12, group=2, html="<table 2>")
    assert [r[0] for r in rows(feeds, revision=12, since=10, group=1)] == [1]
    # Unseated (waiting to be seated, or their table removed): the whole room's alone.
    assert [r[0] for r in rows(feeds, revision=12, since=10, group=None)] == [1]


def test_a_phones_own_item_is_left_to_its_query(feeds, room):
    rows(feeds, revision=10, since=10)
    room.change(1, revision=11, author=5)
    assert rows(feeds, revision=11, since=10, me=5) is None  # their copy has their controls
    assert rows(feeds, revision=11, since=10, me=6) == [(1, 11, 5, "<x>")]


def test_a_copy_stored_after_the_feed_read_its_item_is_learnt(feeds, room):
    rows(feeds, revision=10, since=10)
    room.change(1, revision=11, author=5, html=None)  # saved, copies not stored yet
    assert rows(feeds, revision=11, since=10, me=6) == [(1, 11, 5, None)]
    # The author's own query brings their copy: never learnt as everyone's.
    feeds.learn(WID, PHASE, 5, [(1, 11, 5, "<with her controls>")])
    assert rows(feeds, revision=11, since=10, me=6) == [(1, 11, 5, None)]
    # Another phone's query brings everyone's copy: kept for the next phones.
    feeds.learn(WID, PHASE, 6, [(1, 11, 5, "<for everyone>")])
    assert rows(feeds, revision=11, since=10, me=7) == [(1, 11, 5, "<for everyone>")]
    # A copy of another revision is never taken for this one.
    room.change(1, revision=12, author=5, html=None)
    rows(feeds, revision=12, since=10, me=7)
    feeds.learn(WID, PHASE, 6, [(1, 11, 5, "<stale>")])
    assert rows(feeds, revision=12, since=11, me=7) == [(1, 12, 5, None)]


def test_a_layout_change_starts_a_new_feed(feeds, room):
    rows(feeds, revision=10, since=10)
    room.change(1, revision=11)
    assert rows(feeds, revision=11, since=10) == [(1, 11, None, "<x>")]
    # A hide, a move...: the screens get whole boards, then poll from the new layout.
    assert rows(feeds, revision=12, since=12, layout=12) is None
    room.change(2, revision=13)
    assert rows(feeds, revision=13, since=12, layout=12) == [(2, 13, None, "<x>")]
    assert room.queries[-1]["layout"] == 12


def test_a_long_feed_drops_its_older_half_and_says_so(room):
    feeds = Feeds(room.query, limit=4)
    rows(feeds, revision=0, since=0)
    for i in range(1, 6):
        room.change(i, revision=i)
    # Five entries: the oldest two go, and screens that old are sent to their
    # query, the one that asked included.
    assert rows(feeds, revision=5, since=0) is None
    assert [r[0] for r in rows(feeds, revision=5, since=2)] == [3, 4, 5]
    for i in range(6, 8):
        room.change(i, revision=i)
    assert [r[0] for r in rows(feeds, revision=7, since=4)] == [5, 6, 7]
    assert rows(feeds, revision=7, since=3) is None


def test_one_thread_reads_while_the_others_fall_back(room):
    started, release = threading.Event(), threading.Event()

    def slow_query(phase, params):
        started.set()
        release.wait(5)
        return room.query(phase, params)

    feeds = Feeds(slow_query)
    rows(feeds, revision=10, since=10)
    room.change(1, revision=11)
    answers = []
    reader = threading.Thread(target=lambda: answers.append(rows(feeds, revision=11, since=10)))
    reader.start()
    assert started.wait(5)
    assert rows(feeds, revision=11, since=10) is None  # not waiting behind the read
    release.set()
    reader.join(5)
    assert answers == [[(1, 11, None, "<x>")]]
    assert rows(feeds, revision=11, since=10) == [(1, 11, None, "<x>")]
    assert len(room.queries) == 1


def test_a_refresh_never_puts_an_older_layouts_feed_back(feeds, room):
    rows(feeds, revision=10, since=10)
    old = feeds._feeds[(WID, PHASE)]
    # Meanwhile another thread saw a layout change and started a new feed.
    rows(feeds, revision=12, since=12, layout=12)
    room.change(1, revision=13)
    assert feeds._refresh((WID, PHASE), old, 13) is None
    assert feeds._feeds[(WID, PHASE)].layout == 12 and room.queries == []

"""What changed lately in a workshop's phase, kept per process for phones' deltas.

A phone's delta (facilitator.live.shortcut) is the visible items at its table
with a revision above the one its screen shows. Asking the database that for
every poll is one query per phone every 2 s, a third of what a busy room costs
PostgreSQL and the app. Yet every phone asks about the same few seconds of the
same workshop: so each process keeps one list of the items changed since some
revision (the *feed*), brought up to date by one query when a poll finds the
workshop's revision past it, and answers each phone from the tail of that list.

Why the list can be trusted: revisions are handed out in commit order (the
bump's row lock on PostgreSQL, the one writer on SQLite), so a query that sees
the workshop at revision *r* sees every item stamped *r* or lower. A feed that
has read up to *r* therefore holds every change above its ``base`` up to *r*,
and a phone whose screen shows a revision at or above ``base`` gets from it
exactly what its own query would have returned. Anything else falls back to
that query: a screen older than the feed, an item whose stored copy was not
there yet when the feed read it, a phone's own item (its author's copy carries
their controls), a refresh already running in another thread.

Only changes in place ever reach a feed: hides, deletions, moves and the like
are layout changes (facilitator.services.live), which start a new feed.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, literal_column, select

from ..models import RenderedItem
from ..services import fragments

#: Entries a feed keeps before it drops its older half: two minutes of the
#: benchmark's room (33 stories a second), where a screen lags by seconds.
MAX_ENTRIES = 4096

#: Workshop phases a process keeps feeds for (a few rooms at a time in practice).
MAX_FEEDS = 512


def with_stored_copy(model, columns, viewer):
    """``columns`` of the phase's visible items changed after ``since``, each with
    ``viewer``'s stored copy when it is of the item's revision and the room's
    layout (else NULL). The shortcut's per-phone query is built on it too."""
    kept = RenderedItem.__table__
    return (
        select(*columns, kept.c.html)
        .outerjoin(
            kept,
            and_(
                kept.c.phase == bindparam("phase"),
                kept.c.item_id == model.id,
                kept.c.viewer == viewer,
                kept.c.workshop_id == model.workshop_id,
                kept.c.revision == model.revision,
                kept.c.layout_revision == bindparam("layout"),
            ),
        )
        .where(
            model.workshop_id == bindparam("workshop_id"),
            model.revision > bindparam("since"),
            model.hidden.is_(False),
        )
    )


def changed_since(model):
    """Every visible item of the phase changed after ``since``, in revision order,
    with the copy stored for everyone (NULL when none is current)."""
    columns = (
        model.revision,
        model.id,
        model.group_id,
        model.author_participant_id,
        model.created_at,
    )
    everyone = literal_column(str(fragments.NOBODY.id))
    return with_stored_copy(model, columns, everyone).order_by(model.revision, model.id)


@dataclass(slots=True)
class Entry:
    """One item as of one revision (a later edit adds another entry)."""

    revision: int
    item_id: int
    group_id: int | None
    author_id: int | None
    order: tuple
    #: Everyone's copy; filled in later when the feed read the item before it
    #: was stored (see Feeds.learn).
    html: str | None


def _revision(entry: Entry) -> int:
    return entry.revision


@dataclass(slots=True, frozen=True)
class Feed:
    """A workshop phase's changes above ``base``, complete up to ``upto``, for one layout.

    Never changed once published (but for entries' html): a refresh publishes a
    new Feed, so a reader never sees a base that does not match its entries.
    """

    layout: int
    base: int
    upto: int
    entries: list[Entry] = field(default_factory=list)
    latest: dict[int, Entry] = field(default_factory=dict)


class Feeds:
    """The feeds of one process, keyed by (workshop id, phase)."""

    def __init__(self, query, limit: int = MAX_ENTRIES) -> None:
        #: ``query(phase, params) -> rows`` of :func:`changed_since`.
        self._query = query
        self.limit = limit
        self._feeds: dict[tuple[int, str], Feed] = {}
        self._locks: dict[tuple[int, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self.refreshes = 0

    def rows(
        self,
        workshop_id: int,
        phase: str,
        layout: int,
        revision: int,
        since: int,
        group_id: int | None,
        participant_id: int,
    ) -> list[tuple] | None:
        """The rows the phone's own query would return (id, revision, author,
        html), or None when only that query can say."""
        key = (workshop_id, phase)
        feed = self._feeds.get(key)
        if feed is None or feed.layout != layout or since < feed.base:
            if feed is None or feed.layout != layout:
                if feed is None and len(self._feeds) >= MAX_FEEDS:
                    # Bounded: more rooms at once than that is not one process's
                    # load; starting afresh costs each a query, as here.
                    self._forget_all()
                # Start one here: the screens that poll next are at or above it.
                self._feeds[key] = Feed(layout=layout, base=revision, upto=revision)
            return None
        if feed.upto < revision:
            feed = self._refresh(key, feed, revision)
            if feed is None or since < feed.base:  # busy, or it just dropped that far
                return None
        start = bisect.bisect_right(feed.entries, since, key=_revision)
        chosen: dict[int, Entry] = {}
        for entry in feed.entries[start:]:
            # Another table's item (an unseated phone, group None, sees none).
            if entry.group_id not in (group_id, None):
                continue
            if entry.author_id == participant_id:
                return None  # their own copy, with their controls: the query finds it
            chosen[entry.item_id] = entry  # a later edit replaces the earlier one
        ordered = sorted(chosen.values(), key=lambda e: e.order)
        return [(e.item_id, e.revision, e.author_id, e.html) for e in ordered]

    def _forget_all(self) -> None:
        with self._guard:
            self._feeds.clear()
            # A refresh holding one of these locks finishes and publishes to
            # the new map; at worst two threads refresh a feed at once once.
            self._locks.clear()

    def __len__(self) -> int:
        return len(self._feeds)

    def learn(self, workshop_id: int, phase: str, participant_id: int, rows) -> None:
        """Fill in copies the feed lacked from the rows of phone ``participant_id``'s
        own query (everyone's copies only: its own items come as its author's)."""
        feed = self._feeds.get((workshop_id, phase))
        if feed is None:
            return
        for item_id, revision, author_id, html in rows:
            entry = feed.latest.get(item_id)
            if (
                html is not None
                and author_id != participant_id
                and entry is not None
                and entry.html is None
                and entry.revision == revision
            ):
                entry.html = html

    def _refresh(self, key, feed: Feed, revision: int) -> Feed | None:
        """Read the changes above ``feed.upto`` and publish the longer feed; None
        if another thread is at it (its poll falls back rather than wait)."""
        lock = self._locks.get(key)
        if lock is None:
            with self._guard:
                lock = self._locks.setdefault(key, threading.Lock())
        if not lock.acquire(blocking=False):
            return None
        try:
            current = self._feeds.get(key)
            if current is not None and current is not feed:
                if current.layout != feed.layout:
                    return None  # a new layout's feed took its place: leave it be
                if current.upto >= revision:
                    return current
                feed = current
            rows = self._query(
                key[1],
                {"workshop_id": key[0], "since": feed.upto, "layout": feed.layout, "phase": key[1]},
            )
            self.refreshes += 1
            entries = list(feed.entries)
            latest = dict(feed.latest)
            for item_revision, item_id, group_id, author_id, created_at, html in rows:
                entry = Entry(
                    item_revision, item_id, group_id, author_id, (created_at, item_id), html
                )
                entries.append(entry)
                latest[item_id] = entry
            base = feed.base
            if len(entries) > self.limit:
                dropped, entries = entries[: len(entries) // 2], entries[len(entries) // 2 :]
                base = dropped[-1].revision
                latest = {e.item_id: e for e in entries}
            # Seeing ``revision`` (read before this query) means seeing all below
            # it; anything newer that came along is in the entries too.
            upto = max(revision, feed.upto, entries[-1].revision if entries else 0)
            fresh = Feed(layout=feed.layout, base=base, upto=upto, entries=entries, latest=latest)
            self._feeds[key] = fresh
            return fresh
        finally:
            lock.release()

"""Locust users for bench/load.py (run it, not this file: it seeds the database,
starts the servers and passes the scenario in ``BENCH_CONFIG``).

Scenarios (user classes, picked on locust's command line):

* ``CeilingUser``: the bare Flask app's constant endpoint, back to back.
* ``PollUser``: the live poll answering "nothing new" (``If-None-Match`` ->
  304), each user as a different joined participant.
* ``PostUser``: posting a story (CSRF token, validation, insert, the compose
  box rendered back), rotating over 1,000 participants so no one person's rate
  is high. The story itself reaches the poster's board through the delta poll
  the answer triggers (``HX-Trigger: live-refresh``); the room measures that.
* ``FloorPostUser``: the same story posted to bench/post_floor_app.py, the
  least such a post costs on this stack (session, CSRF, WTForms, ORM insert,
  commit, render), for how much of the gap to the ceiling is the stack's own.
* ``CeilingRoomUser``: the room's ceiling, the bare endpoint polled at the
  phones' pacing by as many users as the room has.
* The room: ``PhoneUser`` (joins through the real join form, polls every 2 s,
  posts every 30 s), ``ConsoleUser`` x5 and ``ProjectorUser`` x1 (log in,
  poll every 2 s). The projector records how long each posted story takes
  to appear on it.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import threading
import time
from urllib.parse import urlencode

import gevent
from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

CONFIG: dict = (
    json.loads(open(os.environ["BENCH_CONFIG"]).read()) if "BENCH_CONFIG" in os.environ else {}
)
RUN = CONFIG.get("run", "0")
MARKER = re.compile(rf"bm{RUN}x\d+")
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PAGE_POLLER = re.compile(r'id="live-items"[^>]*hx-get="([^"]+)" data-etag="([^"]+)"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

_identity = itertools.count()
_marker = itertools.count(1)
_lock = threading.Lock()
# Stories that got a 200, and when each was sent (for the projector's delay).
POSTED: dict[str, float] = {}
SEEN: dict[str, float] = {}
STATUS: dict[str, int] = {}


def _count(key: str) -> None:
    STATUS[key] = STATUS.get(key, 0) + 1


def next_participant() -> dict:
    people = CONFIG["participants"]
    return people[next(_identity) % len(people)]


def story(marker: str) -> str:
    return urlencode(
        {
            "title": f"{marker} the night shelter kept a bed",
            "story": "A caseworker phoned ahead and the shelter kept a bed until midnight. " * 3,
            "what_worked": "Someone who knew the person by name, and a phone call.",
            "place": "Glasgow",
        }
    )


class CeilingUser(FastHttpUser):
    """The bare Flask endpoint, as fast as it answers."""

    wait_time = constant(0)

    @task
    def hit(self):
        self.client.get("/", name="ceiling")


class PollUser(FastHttpUser):
    """A phone's poll when nothing changed: If-None-Match -> 304."""

    wait_time = constant(0)

    def on_start(self):
        person = next_participant()
        self.headers = {"Cookie": person["cookie"], "HX-Request": "true"}
        self.client.cookiejar.clear()
        first = self.client.get(CONFIG["poll_path"], headers=self.headers, name="poll (first)")
        self.headers["If-None-Match"] = first.headers.get("ETag", "")

    @task
    def poll(self):
        with self.client.get(
            CONFIG["poll_path"], headers=self.headers, name="poll (unchanged)", catch_response=True
        ) as response:
            if response.status_code == 304:
                response.success()
            else:
                response.failure(f"expected 304, got {response.status_code}")


class PostUser(FastHttpUser):
    """Post a story as the next of 1,000 participants; the compose box comes back."""

    wait_time = constant(0)

    @task
    def post(self):
        person = next_participant()
        marker = f"bm{RUN}x{next(_marker)}"
        self.client.cookiejar.clear()
        headers = {**FORM, "Cookie": person["cookie"], "HX-Request": "true"}
        body = story(marker) + "&" + urlencode({"csrf_token": person["csrf"]})
        with self.client.post(
            CONFIG["post_path"], data=body, headers=headers, name="post", catch_response=True
        ) as response:
            saved = "is on the board" in (response.text or "")
            if response.status_code == 200 and saved and response.headers.get("HX-Trigger"):
                POSTED[marker] = time.monotonic()
                response.success()
            else:
                response.failure(f"post answered {response.status_code}")


class FloorPostUser(FastHttpUser):
    """The same story posted to bench/post_floor_app.py, the stack's floor for a post."""

    wait_time = constant(0)

    def on_start(self):
        page = self.client.get("/form", name="setup: floor form").text or ""
        self.csrf = CSRF_INPUT.search(page).group(1)  # the session cookie stays in the jar

    @task
    def post(self):
        marker = f"bm{RUN}x{next(_marker)}"
        body = story(marker) + "&" + urlencode({"csrf_token": self.csrf})
        with self.client.post(
            "/post", data=body, headers=FORM, name="floor post", catch_response=True
        ) as response:
            if response.status_code == 200 and "on the board" in (response.text or ""):
                response.success()
            else:
                response.failure(f"floor post answered {response.status_code}")


def every(seconds: float):
    """A wait_time: one task every ``seconds`` on the user's own clock, starting
    at a random point of the first interval.

    That is how a room of phones polls: each page's htmx ``every 2s`` counts
    from when that page loaded, and people open it at random moments. locust's
    ``constant_pacing`` keeps the phase a user was *spawned* at, and locust
    spawns ``-r`` users in one instant each second, so its phones poll in
    lockstep groups of 20, forever: 20 requests in the same millisecond, every
    second, which no room does. Against the bare Flask endpoint, 1,000 such
    users saw p50 21 ms and p99 130 ms; with their phases spread, p50 2 ms and
    p99 36 ms (docs/benchmarks.md, "Fifth pass").
    """

    def wait(user) -> float:
        now = time.monotonic()
        due = getattr(user, "_due", None)
        due = now + random.uniform(0, seconds) if due is None else due + seconds
        user._due = due
        return max(0.0, due - now)

    return wait


class _Poller(FastHttpUser):
    """Polls ``self.poll_path`` every 2 s, keeping the last ETag like static/js/live.js."""

    abstract = True
    wait_time = every(2)
    poll_name = "poll"
    etag = ""

    def poll(self, path: str, name: str):
        headers = {"HX-Request": "true"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            _count(f"{name} {response.status_code}")
            if response.status_code == 200:
                self.etag = response.headers.get("ETag", "")
                response.success()
                return response.text or ""
            if response.status_code == 304:
                response.success()
                return ""
            response.failure(f"{name} answered {response.status_code}")
            return ""

    def login(self):
        page = self.client.get("/login", name="setup: login form").text or ""
        token = CSRF_INPUT.search(page).group(1)
        data = urlencode({**CONFIG["facilitator"], "csrf_token": token})
        response = self.client.post(
            "/login", data=data, headers=FORM, name="setup: login", allow_redirects=False
        )
        if response.status_code != 302:
            raise RuntimeError(f"login failed: {response.status_code}")


class PhoneUser(_Poller):
    """One phone: joins through the form, polls every 2 s, posts a story every 30 s."""

    weight = 1

    def on_start(self):
        code_path = f"/j/{CONFIG['code']}"
        page = self.client.get(code_path, name="setup: join form").text or ""
        token = CSRF_INPUT.search(page).group(1)
        data = urlencode(
            {
                "name": f"Phone {id(self) % 100000}",
                "group": random.choice(CONFIG["groups"]),
                "csrf_token": token,
            }
        )
        board = self.client.post(code_path, data=data, headers=FORM, name="setup: join")
        self.csrf = CSRF_META.search(board.text or "").group(1)
        # As live.js does: poll the page's own poll URL, starting from the tag of
        # the page (so the first poll is a 304 or a delta, not the board again).
        poller = PAGE_POLLER.search(board.text or "")
        self.poll_path = html.unescape(poller.group(1))
        self.etag = html.unescape(poller.group(2))
        self.next_post = time.monotonic() + random.uniform(0, 30)
        ready(self.environment)

    @task
    def tick(self):
        self.poll(self.poll_path, "room: phone poll")
        if time.monotonic() >= self.next_post:
            self.next_post += 30
            self.post()

    def post(self):
        marker = f"bm{RUN}x{next(_marker)}"
        body = story(marker) + "&" + urlencode({"csrf_token": self.csrf})
        sent = time.monotonic()
        with self.client.post(
            CONFIG["post_path"],
            data=body,
            headers={**FORM, "HX-Request": "true"},
            name="room: phone post",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                POSTED[marker] = sent
                response.success()
            else:
                response.failure(f"post answered {response.status_code}")
                return
        # As static/js/live.js does on HX-Trigger: live-refresh, the phone's board
        # polls at once and gets its new story (a delta).
        self.poll(self.poll_path, "room: phone poll")


class ConsoleUser(_Poller):
    """A facilitator's console polling every group's board."""

    fixed_count = 5

    def on_start(self):
        self.login()
        ready(self.environment)

    @task
    def tick(self):
        self.poll(CONFIG["console_path"], "room: console poll")


class CeilingRoomUser(FastHttpUser):
    """The room's ceiling: as many users at the phones' pacing, on the bare endpoint."""

    wait_time = every(2)

    def on_start(self):
        ready(self.environment)

    @task
    def tick(self):
        self.client.get("/", name="room: ceiling")


class ProjectorUser(_Poller):
    """The projector: polls the wall and notes when each posted story shows up."""

    fixed_count = 1
    # As its page does (templates/projector/_live.html): the wall polls every second.
    wait_time = every(1)

    def on_start(self):
        self.login()
        ready(self.environment)

    @task
    def tick(self):
        body = self.poll(CONFIG["projector_path"], "room: projector poll")
        now = time.monotonic()
        WALL["answered"] = now  # 200 or 304: the wall as the server had it now
        if body:
            for marker in set(MARKER.findall(body)):
                # Not only markers already acknowledged: the wall can show a
                # story before its post's answer has reached the phone, and a
                # delta never sends it again.
                SEEN.setdefault(marker, now)


#: When the projector's last poll was answered (time.monotonic()).
WALL: dict[str, float] = {}

# The room's own latencies, from the moment every user has been started: the
# stats table's "Aggregated" row would also hold the last joins and logins.
ROOM: dict = {"measuring": False, "times": [], "errors": 0, "start": 0.0, "ready": 0}


def ready(environment) -> None:
    """A room user finished joining or logging in; once all have, measure from now."""
    ROOM["ready"] += 1
    if not ROOM["measuring"] and ROOM["ready"] >= environment.runner.target_user_count:
        ROOM.update(measuring=True, times=[], errors=0, start=time.monotonic(), epoch=time.time())
        environment.runner.stats.reset_all()  # the stats table starts here too
        if CONFIG.get("measure_seconds"):
            # Measure exactly that long once everyone is in, however slow the joins were.
            gevent.spawn_later(CONFIG["measure_seconds"], environment.runner.quit)


@events.request.add_listener
def record_room(name, response_time, exception, start_time=0.0, **_kwargs):
    # Only requests sent once everyone is in (not ones queued during the ramp).
    if ROOM["measuring"] and name.startswith("room:") and start_time >= ROOM["epoch"]:
        ROOM["times"].append(response_time)
        if exception is not None:
            ROOM["errors"] += 1


@events.test_stop.add_listener
def write_results(environment, **_kwargs):
    """Hand bench/load.py what the stats cannot: which posts succeeded, and visibility."""
    path = CONFIG.get("results")
    if not path:
        return
    now = time.monotonic()
    delays = [SEEN[m] - POSTED[m] for m in SEEN if m in POSTED]
    # A post is overdue when a projector poll answered 3 s or more after it was
    # sent did not show it. (Counting from the end of the run instead blamed
    # the app for stories whose next projector poll locust's stop cut off.)
    answered = WALL.get("answered", 0.0)
    overdue = [m for m, sent in POSTED.items() if m not in SEEN and answered - sent >= 3]
    with open(path, "w") as fh:
        json.dump(
            {
                "posted": sorted(POSTED),
                "seen_delays": delays,
                "overdue": len(overdue),
                "status": STATUS,
                "room_times": ROOM["times"],
                "room_errors": ROOM["errors"],
                "room_seconds": now - ROOM["start"] if ROOM["measuring"] else 0,
            },
            fh,
        )

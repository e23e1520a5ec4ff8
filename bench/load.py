"""Load benchmark: the app against the framework's own ceiling, in one run.

    .venv/bin/python bench/load.py [--postgres] [--duration 60] [--no-write]

1. Creates a fresh database (SQLite in a temporary folder, or a scratch
   PostgreSQL database with ``--postgres``), runs the migrations and seeds a
   workshop with 10 groups and 1,000 participants.
2. Serves the app with gunicorn.conf.py, and a bare Flask app
   (bench/ceiling_app.py) with the very same gunicorn.conf.py: the ceiling.
   Beside them, bench/post_floor_app.py: the least a validated, stored,
   rendered post costs on this stack, nothing of the app around it.
3. Drives them with locust (headless; users in bench/locustfile.py):
   ceiling, unchanged poll (304), posting, the stack's floor for a post
   (the same story to the floor app), the room's ceiling (the bare
   endpoint polled by 1,006 users at the room's pacing) and the room (1,000
   phones polling every 2 s and posting every 30 s, 5 consoles and a projector).
4. Prints requests/s, p50/p95/p99 and errors per scenario with the ratio to
   the ceiling, checks the posted rows (none lost, none doubled), and writes
   the figures, the machine and the command into docs/benchmarks.md
   (section "Load", between its markers; other sections are left alone).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (a locust dependency)

from tests.support.server import free_port, wait_for  # noqa: E402

PYTHON = sys.executable
DOC = ROOT / "docs" / "benchmarks.md"
MARKERS = "<!-- load-{0}:start -->", "<!-- load-{0}:end -->"
PASSWORD = "bench password 1234"
SECRET = "bench-" + uuid.uuid4().hex
PHASE = "discovery"
GROUPS = 10
PARTICIPANTS = 1000
TARGETS = {"poll": 0.70, "post": 0.35}


# --- database ---------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(postgres: bool, workdir: Path):
    """Yield the URL of an empty database, dropped (PostgreSQL) afterwards."""
    if not postgres:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(
        os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    ).set(drivername="postgresql+psycopg")
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    subprocess.run(
        [PYTHON, "-m", "flask", "--app", "facilitator", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def paths(wid: int) -> dict:
    return {
        "workshop_id": wid,
        "poll_path": f"/w/{wid}/live/{PHASE}?mode=page&room={PHASE}",
        "console_path": f"/w/{wid}/live/{PHASE}?mode=console&room={PHASE}",
        "projector_path": f"/w/{wid}/projector/live",
        "post_path": f"/w/{wid}/{PHASE}/new",
    }


def seed(url: str) -> tuple[dict, dict]:
    """Two workshops of 10 groups and their facilitator: one with 1,000 joined
    participants (signed cookies ready) for the throughput runs, and an empty
    one for the room, whose phones join through the form. Returns their configs."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from facilitator import create_app
    from facilitator.extensions import db
    from facilitator.models import Facilitator, Group, Participant, Role, Workshop, WorkshopRole

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        person = Facilitator(email="bench@example.org", name="Bench")
        person.set_password(PASSWORD)
        workshops = []
        for title in ("Benchmark throughput", "Benchmark room"):
            workshop = Workshop(title=title, topic="What helps people stop offending?")
            workshop.groups = [Group(name=f"Table {i + 1}", position=i) for i in range(GROUPS)]
            workshop.roles = [WorkshopRole(facilitator=person, role=Role.FACILITATOR)]
            db.session.add(workshop)
            workshops.append(workshop)
        db.session.flush()
        throughput, room = workshops
        people = [
            Participant(
                workshop_id=throughput.id,
                display_name=f"Bench {i}",
                group_id=throughput.groups[i % GROUPS].id,
            )
            for i in range(PARTICIPANTS)
        ]
        db.session.add_all(people)
        db.session.commit()
        configs = [
            {**paths(w.id), "code": w.join_code, "groups": [g.id for g in w.groups]}
            for w in workshops
        ]
        wid = throughput.id
        tokens = [p.token for p in people]
    serializer = app.session_interface.get_signing_serializer(app)
    participants = []
    for token in tokens:
        # The cookie a phone holds once it has joined: its token, a CSRF secret,
        # permanent, and the "_fresh" mark Flask-Login's session protection
        # writes on its first request. (Without that mark every post had to
        # sign and send the session again, which no real phone does.)
        with app.test_request_context():
            session["joined"] = {str(wid): token}
            session.permanent = True
            session["_fresh"] = False
            csrf = generate_csrf()
            cookie = serializer.dumps(dict(session))
        participants.append({"cookie": f"session={cookie}", "csrf": csrf})
    with app.app_context():
        db.engine.dispose()
    login = {"facilitator": {"email": "bench@example.org", "password": PASSWORD}}
    return (
        {**configs[0], **login, "participants": participants},
        {**configs[1], **login, "participants": []},
    )


def posted_rows(url: str, run: str) -> tuple[int, set[str]]:
    """(rows, distinct markers) of the stories this run posted."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        titles = conn.execute(
            text("SELECT title FROM example WHERE title LIKE :p"), {"p": f"bm{run}x%"}
        ).scalars()
        markers = [title.split()[0] for title in titles]
    engine.dispose()
    return len(markers), set(markers)


# --- servers ------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str], health: str):
    """Serve ``app_spec`` with gunicorn.conf.py on a free port; yield (base URL, process)."""
    port = free_port()
    environ = {**os.environ, **env, "BIND": f"127.0.0.1:{port}", "GUNICORN_LOGLEVEL": "warning"}
    environ.pop("PORT", None)
    proc = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app_spec],
        cwd=ROOT,
        env=environ,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + health, proc=proc, timeout=60)
        yield base, proc
    finally:
        # gunicorn lets workers finish queued requests for graceful_timeout (20 s);
        # only then may the database go.
        proc.terminate()
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(proc: subprocess.Popen) -> float:
    """CPU time used so far by a gunicorn master and its workers."""
    total = 0.0
    try:
        parent = psutil.Process(proc.pid)
        for p in [parent, *parent.children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system
    except psutil.NoSuchProcess:
        pass
    return total


# --- locust -------------------------------------------------------------------


def locust(
    host: str,
    users: list[str],
    *,
    count: int,
    rate: float,
    seconds: int,
    config: dict,
    workdir: Path,
    label: str,
    server: subprocess.Popen,
) -> dict:
    """Run one scenario headless; return its stats rows, server CPU and extra results."""
    results = workdir / f"{label}-results.json"
    cfg = workdir / f"{label}-config.json"
    cfg.write_text(json.dumps({**config, "results": str(results)}))
    prefix = workdir / label
    cmd = [
        PYTHON,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--reset-stats",
        "-u",
        str(count),
        "-r",
        str(rate),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
        *users,
    ]
    before = cpu_seconds(server)
    own_before = psutil.Process().cpu_times()
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, "BENCH_CONFIG": str(cfg)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, stderr = proc.communicate()
    wall = time.monotonic() - started
    server_cpu = cpu_seconds(server) - before
    usage = psutil.Process().cpu_times()  # children's time lands here once reaped
    locust_cpu = (usage.children_user + usage.children_system) - (
        own_before.children_user + own_before.children_system
    )
    rows = {}
    with open(f"{prefix}_stats.csv") as fh:
        for row in csv.DictReader(fh):
            rows[row["Name"]] = row
    extra = json.loads(results.read_text()) if results.exists() else {}
    if proc.returncode not in (0, 1):
        print(stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"locust failed for {label} ({proc.returncode})")
    return {
        "rows": rows,
        "server_cpu": server_cpu,
        "wall": wall,
        "locust_cpu": locust_cpu,
        "extra": extra,
    }


def cpu_ms(result: dict) -> float:
    """Server CPU milliseconds per request over a locust run (its setup requests too)."""
    total = sum(int(r["Request Count"]) for n, r in result["rows"].items() if n != "Aggregated")
    return 1000 * result["server_cpu"] / max(1, total)


def room_aggregate(room: dict) -> dict:
    """Requests/s and exact percentiles over the room's own requests (not setup)."""
    extra = room["extra"]
    times = sorted(extra.get("room_times", []))
    if not times:
        return figures(room["rows"]["Aggregated"])

    def pct(q: float) -> float:
        return times[min(len(times) - 1, int(q * len(times)))]

    return {
        "requests": len(times),
        "errors": extra.get("room_errors", 0),
        "rps": len(times) / max(1e-9, extra.get("room_seconds", 0)),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": times[-1],
    }


def figures(row: dict) -> dict:
    return {
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "max": float(row["100%"]),
    }


# --- report -------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    from importlib.metadata import version

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "python": platform.python_version(),
        "versions": ", ".join(
            f"{name} {version(name)}"
            for name in ("gunicorn", "Flask", "SQLAlchemy", "locust", "psycopg")
        ),
        "os": platform.platform(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def gunicorn_model() -> str:
    out = subprocess.run(
        [
            PYTHON,
            "-c",
            "import runpy; c = runpy.run_path('gunicorn.conf.py'); "
            "print(c['worker_class'], c['workers'], c['threads'], c['preload_app'])",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return f"{out[0]}, {out[1]} workers x {out[2]} threads, preload_app={out[3]}"


def table(results: list[tuple[str, dict, float | None, float]]) -> str:
    lines = [
        "| Scenario | Requests | Errors | Req/s | p50 ms | p95 ms | p99 ms | max ms | vs ceiling | server CPU ms/req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, f, ratio, cpu_each in results:
        shown = f"{ratio:.0%}" if ratio is not None else ""
        cpu = f"{cpu_each:.2f}" if cpu_each is not None else ""
        lines.append(
            f"| {name} | {f['requests']:,} | {f['errors']} | {f['rps']:,.0f} | {f['p50']:.0f} "
            f"| {f['p95']:.0f} | {f['p99']:.0f} | {f['max']:.0f} | {shown} | {cpu} |"
        )
    return "\n".join(lines)


def write_doc(section: str, backend: str) -> None:
    """Replace only this backend's results (between its markers) in docs/benchmarks.md.

    The rest of the file (the Load section's text, other engineers' sections)
    is left as it is; without markers the block is appended at the end.
    """
    start, end = (m.format(backend) for m in MARKERS)
    DOC.parent.mkdir(exist_ok=True)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    block = f"{start}\n{section.strip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)


def run_room(args, app_url: str, app_proc, common: dict) -> dict:
    """The room: phones join at --join-rate per second, then --duration seconds measured."""
    print("room...", flush=True)
    ramp = max(1, args.phones // args.join_rate)
    common = {**common, "config": {**common["config"], "measure_seconds": args.duration}}
    # locust stops itself --duration seconds after the last phone joined; -t
    # is only a cap in case joining never completes.
    return locust(
        app_url,
        ["PhoneUser", "ConsoleUser", "ProjectorUser"],
        count=args.phones + 6,
        rate=args.join_rate,
        seconds=args.duration + 3 * ramp + 120,
        label="room",
        server=app_proc,
        **common,
    )


def run_room_ceiling(args, ceiling_url: str, ceiling_proc, common: dict) -> dict:
    """The room's own ceiling: the bare endpoint polled by as many users at the
    phones' pacing, measured as long: what the harness and the host cost alone."""
    print("room ceiling...", flush=True)
    users = args.phones + 6
    rate = 100  # nothing to join: ramp fast
    common = {**common, "config": {**common["config"], "measure_seconds": args.duration}}
    return locust(
        ceiling_url,
        ["CeilingRoomUser"],
        count=users,
        rate=rate,
        seconds=args.duration + 3 * max(1, users // rate) + 60,
        label="room-ceiling",
        server=ceiling_proc,
        **common,
    )


def projector_verdict(room: dict) -> str:
    """How soon the projector showed each posted story, against the 3 s target."""
    delays = sorted(room["extra"].get("seen_delays", []))
    overdue = room["extra"].get("overdue", 0)
    max_delay = delays[-1] if delays else float("nan")
    p99_delay = delays[int(0.99 * (len(delays) - 1))] if delays else float("nan")
    return (
        f"- Projector: {len(delays):,} stories seen, slowest after {max_delay:.2f} s "
        f"(p99 {p99_delay:.2f} s); {sum(1 for d in delays if d > 3):,} seen later than 3 s "
        f"and {overdue} not shown by a projector poll answered 3 s or more after the post "
        "(target: all within 3 s): "
        + ("met." if delays and max_delay <= 3 and overdue == 0 else "**missed**.")
    )


def room_figures(room: dict) -> list:
    names = ("room: phone poll", "room: phone post", "room: console poll", "room: projector poll")
    return [
        (f"Room: {name.removeprefix('room: ')}", figures(room["rows"][name]), None, None)
        for name in names
        if name in room["rows"]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--duration", type=int, default=60, help="room scenario seconds (>= 60)")
    parser.add_argument("--burst", type=int, default=20, help="seconds per throughput scenario")
    parser.add_argument("--users", type=int, default=24, help="concurrent users, throughput runs")
    parser.add_argument("--phones", type=int, default=PARTICIPANTS, help="phones in the room")
    parser.add_argument(
        "--join-rate", type=int, default=20, help="phones joining per second (room ramp-up)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only, leave the doc")
    parser.add_argument(
        "--room-only", action="store_true", help="only the room (capacity probes); prints only"
    )
    parser.add_argument(
        "--post-only", action="store_true", help="only the posting scenario (A/B runs); prints only"
    )
    parser.add_argument("--notes", default="", help="a sentence for the doc (e.g. machine quiet)")
    args = parser.parse_args()
    command = "python bench/load.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    run = uuid.uuid4().hex[:6]
    info = machine()
    print(f"machine: {info}", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        with fresh_database(args.postgres, workdir) as url:
            migrate(url)
            throughput, room_workshop = seed(url)
            config = {**throughput, "run": run}
            room_config = {**room_workshop, "run": run}
            app_env = {"DATABASE_URL": url, "SECRET_KEY": SECRET}
            with (
                gunicorn("facilitator:create_app()", app_env, "/healthz") as (app_url, app_proc),
                gunicorn("bench.ceiling_app:app", {}, "/") as (ceiling_url, ceiling_proc),
                gunicorn("bench.post_floor_app:app", app_env, "/form") as (floor_url, floor_proc),
            ):
                common = dict(config=config, workdir=workdir)
                room_common = dict(config=room_config, workdir=workdir)
                burst = dict(count=args.users, rate=args.users, seconds=args.burst)

                def scenario(url: str, proc, user: str, label: str) -> dict:
                    """One throughput scenario: ``user`` back to back against ``url``."""
                    return locust(url, [user], label=label, server=proc, **burst, **common)

                if args.room_only:
                    room_ceiling = run_room_ceiling(args, ceiling_url, ceiling_proc, common)
                    room = run_room(args, app_url, app_proc, room_common)
                    print(
                        table(
                            [
                                ("Room ceiling", room_aggregate(room_ceiling), None, None),
                                ("Room: all requests", room_aggregate(room), None, None),
                            ]
                            + room_figures(room)
                        )
                    )
                    print(projector_verdict(room))
                    return
                if args.post_only:
                    post = scenario(app_url, app_proc, "PostUser", "post")
                    rows, distinct = posted_rows(url, run)
                    floor = scenario(floor_url, floor_proc, "FloorPostUser", "floor")
                    s, f = figures(post["rows"]["post"]), figures(floor["rows"]["floor post"])
                    print(
                        table(
                            [
                                ("Posting a story", s, s["rps"] / f["rps"], cpu_ms(post)),
                                ("The stack's floor for a post", f, None, cpu_ms(floor)),
                            ]
                        )
                    )
                    print(f"{rows:,} rows, {len(distinct):,} distinct; ratio = app / floor")
                    return
                print("ceiling...", flush=True)
                ceiling = scenario(ceiling_url, ceiling_proc, "CeilingUser", "ceiling")
                print("unchanged poll...", flush=True)
                poll = scenario(app_url, app_proc, "PollUser", "poll")
                # The ceiling again: other load on the machine drifts, so the
                # ratios use the mean of a ceiling run before and after.
                print("ceiling again...", flush=True)
                ceiling2 = scenario(ceiling_url, ceiling_proc, "CeilingUser", "ceiling2")
                print("posting...", flush=True)
                post = scenario(app_url, app_proc, "PostUser", "post")
                rows, distinct = posted_rows(url, run)
                print("the stack's floor for a post...", flush=True)
                floor = scenario(floor_url, floor_proc, "FloorPostUser", "floor")
                room_ceiling = run_room_ceiling(args, ceiling_url, ceiling_proc, common)
                room = run_room(args, app_url, app_proc, room_common)
                model = gunicorn_model()

    c1 = figures(ceiling["rows"]["ceiling"])
    c2 = figures(ceiling2["rows"]["ceiling"])
    c = {"rps": (c1["rps"] + c2["rps"]) / 2}
    ceiling_cpu = (cpu_ms(ceiling) + cpu_ms(ceiling2)) / 2
    p = figures(poll["rows"]["poll (unchanged)"])
    s = figures(post["rows"]["post"])
    r = room_aggregate(room)
    f = figures(floor["rows"]["floor post"])
    poll_cpu, post_cpu, floor_cpu = cpu_ms(poll), cpu_ms(post), cpu_ms(floor)
    results = [
        ("Ceiling: bare Flask, constant string (before)", c1, None, cpu_ms(ceiling)),
        ("Ceiling again (after the poll run)", c2, None, cpu_ms(ceiling2)),
        ("Unchanged poll (304)", p, p["rps"] / c["rps"], poll_cpu),
        ("Posting a story (htmx compose box back)", s, s["rps"] / c["rps"], post_cpu),
        (
            "The stack's floor for a post (bench/post_floor_app.py)",
            f,
            f["rps"] / c["rps"],
            floor_cpu,
        ),
    ]
    rc = room_aggregate(room_ceiling)
    room_table = table(
        [
            (
                f"Ceiling: bare Flask, {args.phones + 6:,} users at the room's pacing",
                rc,
                None,
                cpu_ms(room_ceiling),
            ),
            ("Room: all requests", r, None, cpu_ms(room)),
        ]
        + room_figures(room)
    )
    acknowledged = len(post["extra"].get("posted", []))

    lost = set(post["extra"].get("posted", [])) - distinct
    verdicts = [
        f"- Unchanged poll: {p['rps'] / c['rps']:.0%} of the ceiling's requests/s (target >= 70%): "
        + ("met" if p["rps"] / c["rps"] >= TARGETS["poll"] else "**missed**")
        + f"; by CPU per request {ceiling_cpu / poll_cpu:.0%} of the ceiling.",
        f"- Posting: {s['rps'] / c['rps']:.0%} of the ceiling's requests/s (target >= 35%): "
        + ("met" if s["rps"] / c["rps"] >= TARGETS["post"] else "**missed**")
        + f"; by CPU per request {ceiling_cpu / post_cpu:.0%} of the ceiling. "
        f"The stack's own floor for a post (session, CSRF, WTForms, ORM insert, commit, "
        f"render; nothing of the app) reaches {f['rps'] / c['rps']:.0%} of the ceiling "
        f"({floor_cpu:.2f} ms CPU per post); the app's post runs at "
        f"{s['rps'] / f['rps']:.0%} of that floor.",
        f"- Posted rows: {acknowledged:,} posts acknowledged (200, saying it is on the "
        f"board), {rows:,} rows in the database, {len(distinct):,} distinct, "
        f"{len(lost)} acknowledged but missing: "
        + (
            "none lost, none duplicated." if rows == len(distinct) and not lost else "**MISMATCH**."
        ),
        f"- Room: p99 {r['p99']:.0f} ms (target < 200 ms), {r['errors']} errors (target 0): "
        + ("met" if r["p99"] < 200 and r["errors"] == 0 else "**missed**")
        + f"; the bare endpoint at the same pacing: p99 {rc['p99']:.0f} ms.",
        projector_verdict(room),
    ]
    status = room["extra"].get("status", {})
    section = f"""### Results on {"PostgreSQL" if args.postgres else "SQLite"}

Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with:

```
{command}
```

Machine: {info["nproc"]} CPUs ({info["cpu"]}), {info["memory"]} RAM, {info["os"]};
Python {info["python"]}; {info["versions"]}. Load average when it started: {info["load"]}.
Database: {"PostgreSQL" if args.postgres else "SQLite (WAL)"}, fresh, one workshop of {GROUPS} groups.
Serving: gunicorn.conf.py ({model}) for both the app and the ceiling; locust (FastHttpUser)
on the same machine, so it competes with the servers for the same cores (locust used
{"/".join(f"{r['locust_cpu']:.0f}" for r in (ceiling, poll, ceiling2, post, floor, room_ceiling, room))} CPU-seconds in the seven runs).
Load average when it ended: {" ".join(f"{x:.2f}" for x in os.getloadavg())}.
{args.notes}

#### Throughput ({args.users} concurrent users, {args.burst} s each, after ramp-up)

{table(results)}

#### The room ({args.phones:,} phones polling every 2 s and posting every 30 s, 5 consoles, 1 projector; measured for {room["extra"].get("room_seconds", 0):.0f} s once all had joined)

{room_table}

Poll answers in the room: {", ".join(f"{k}: {v:,}" for k, v in sorted(status.items()))}.

#### Against the targets

{chr(10).join(verdicts)}
"""
    print(section)
    if not args.no_write:
        write_doc(section, "postgresql" if args.postgres else "sqlite")
        print(f"written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

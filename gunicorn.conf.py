"""Production serving: ``gunicorn -c gunicorn.conf.py 'facilitator:create_app()'``.

Worker model
------------
``gthread`` workers: a few processes (two per core, so Python runs on every
core despite the GIL), each with two threads.

* ``sync`` workers handle one request per *process* at a time: one slow phone on
  a congested venue Wi-Fi uploading its story, or a keep-alive connection,
  holds a whole process. With 1,000 phones polling every 2 s that is fatal.
  ``sync`` also ignores keep-alive, so every poll would pay a new TCP handshake.
* ``gthread`` parks idle keep-alive connections in a selector (no thread held)
  and gives a thread only to a request that has arrived. Threads overlap the
  database round-trips (psycopg and sqlite3 release the GIL while waiting).
* ``gevent``/``eventlet`` would need monkey-patching of psycopg and an extra
  dependency for no gain here: the work per request is CPU (templates), not
  waiting, so more concurrency than threads x processes would only queue.

Behind nginx (docs/deploy.md) request and response buffering absorbs truly slow
clients, so threads only ever wait on the database.

Everything is overridable from the environment: ``WEB_CONCURRENCY`` (workers),
``GUNICORN_THREADS``, ``BIND`` or ``PORT``, ``GUNICORN_ACCESSLOG``.
"""

from __future__ import annotations

import multiprocessing
import os


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# --- where to listen ---------------------------------------------------------
# BIND wins (e.g. "unix:/run/facilitator.sock" behind nginx); else PORT (what
# PaaS hosts set) on all interfaces; else loopback only, safe by default.
if os.environ.get("BIND"):
    bind = [b.strip() for b in os.environ["BIND"].split(",") if b.strip()]
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]
else:
    bind = ["127.0.0.1:8000"]

# --- workers and threads -----------------------------------------------------
worker_class = "gthread"
# Two processes per core with two threads each, rather than one process per
# core with four: the request work is CPU-bound Python (routing, session,
# Jinja; docs/benchmarks.md has the profile), so threads of one process queue
# for its GIL. A post waiting there while it holds the workshop's write lock
# (PostgreSQL's row lock, SQLite's database lock) makes every other post wait
# too; the kernel shares cores between processes more finely. Measured on 2
# cores (docs/benchmarks.md, "Sixth pass"): a room of 500 phones on PostgreSQL
# had p99 706 and 883 ms with 2 x 4, 265 and 154 ms with 4 x 2; 700 phones on
# SQLite 152 ms, then 63 ms.
workers = _int_env("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count())
# Threads cover the time a request waits on the database or the network; two
# are enough because that wait is short next to the rendering, and each one
# may hold a database connection (see the pool below).
threads = _int_env("GUNICORN_THREADS", 2)
# Open connections (mostly idle keep-alive phones) a worker may hold.
worker_connections = 1000
# Phones poll every 2 s: keep their connection open between polls so a poll is
# one round-trip, not a TCP (and, behind the proxy, TLS) handshake.
keepalive = 5
backlog = 2048
timeout = 30
graceful_timeout = 20

# Load the app once in the master: workers start fast, share the code pages
# copy-on-write, and a broken configuration fails at start, not per worker.
# The master must not keep database connections: see post_fork below.
preload_app = True

# The heartbeat file lives in RAM, not on a disk that may stall under load.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# gunicorn >= 25 opens a control socket at one fixed per-user path; several
# instances on one host (tests, the benchmark, blue/green deploys) would fight
# over it. Scale with WEB_CONCURRENCY and restarts instead.
control_socket_disable = True

# --- database connection pool ------------------------------------------------
# A thread uses at most one connection at a time, so a pool of ``threads``
# connections per process is exactly enough; two overflow connections cover
# the odd background task. One instance therefore opens at most
# workers * (threads + 2) connections: 4 * 4 = 16 on a 2-core box, so 6
# instances fit in PostgreSQL's default max_connections = 100 (97 usable) with
# room for migrations and psql. Set DATABASE_POOL_SIZE to size it yourself.
_pool_size = _int_env("DATABASE_POOL_SIZE", threads)
# Flask's from_prefixed_env turns FACILITATOR_A__b into config["A"]["b"].
os.environ.setdefault("FACILITATOR_SQLALCHEMY_ENGINE_OPTIONS__pool_size", str(_pool_size))
os.environ.setdefault("FACILITATOR_SQLALCHEMY_ENGINE_OPTIONS__max_overflow", "2")

# --- logging -----------------------------------------------------------------
# Access logs cost a formatted line and a write per request (several per phone
# per minute); the reverse proxy logs requests already. GUNICORN_ACCESSLOG=-
# turns them on (to stdout).
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# Trust X-Forwarded-* only from the proxy (FORWARDED_ALLOW_IPS, default loopback).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def post_fork(server, worker):
    """Give each worker its own database connections.

    With ``preload_app`` the engine (and its pool) was built in the master; a
    connection shared across fork would interleave two processes' traffic on
    one socket. ``dispose(close=False)`` drops the inherited pool without
    closing the parent's sockets, so the worker opens fresh connections on
    first use (SQLAlchemy's documented recipe for multiprocessing).
    """
    app = server.app.wsgi()
    extension = getattr(app, "extensions", {}).get("sqlalchemy")
    if extension is None:  # e.g. the benchmark's bare ceiling app
        return
    with app.app_context():
        for engine in extension.engines.values():
            engine.dispose(close=False)

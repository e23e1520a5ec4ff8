"""CPU per unchanged phone poll answered by the WSGI shortcut, in process.

A joined phone polls its phase with its current tag; the shortcut answers 304
before Flask. This times that answer alone (no HTTP server, no network), so an
A/B of two checkouts on a busy machine is steadier than a room under locust.

    PYTHONPATH=. .venv/bin/python bench/shortcut_304.py [--polls 20000] [--ttl 0.5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ttl", type=float, default=0.5, help="LIVE_REVISION_TTL")
    args = parser.parse_args()

    from facilitator import create_app
    from facilitator.extensions import db
    from facilitator.models import Base, Group, Workshop

    folder = Path(tempfile.mkdtemp(prefix="shortcut-304-"))
    url = f"sqlite:///{folder}/bench.sqlite3"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "localhost",
            "LIVE_REVISION_TTL": args.ttl,
        }
    )
    with app.app_context():
        workshop = Workshop(title="Bench", join_code="BENCH2")
        workshop.groups.append(Group(name="Table 1", position=0))
        db.session.add(workshop)
        db.session.commit()
        wid, gid = workshop.id, workshop.groups[0].id
    phone = app.test_client()
    assert phone.post("/j/BENCH2", data={"name": "Bench", "group": str(gid)}).status_code == 302
    path = f"/w/{wid}/live/discovery?room=discovery"
    first = phone.get(path, headers={"HX-Request": "true"})
    headers = {"HX-Request": "true", "If-None-Match": first.headers["ETag"]}
    assert phone.get(path, headers=headers).status_code == 304

    from werkzeug.test import EnvironBuilder

    cookie = phone.get_cookie("session").value
    base = EnvironBuilder(
        path=f"/w/{wid}/live/discovery",
        query_string="room=discovery",
        headers={**headers, "Cookie": f"session={cookie}"},
    ).get_environ()
    shortcut = app.extensions["live_shortcut"]

    def start_response(status, _headers):
        assert status.startswith("304"), status

    per_poll = []
    for _ in range(args.rounds):
        started = time.process_time()
        for _ in range(args.polls):
            shortcut(dict(base), start_response)
        per_poll.append((time.process_time() - started) / args.polls * 1e6)
    print(
        f"shortcut 304, CPU per poll over {args.rounds} x {args.polls:,} (TTL {args.ttl} s): "
        f"median {statistics.median(per_poll):.1f} us, best {min(per_poll):.1f} us"
    )


if __name__ == "__main__":
    main()

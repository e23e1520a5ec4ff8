"""Benchmark: the PDF report of a generated 500-contribution workshop, against a floor.

    .venv/bin/python bench/pdf_report.py [--contributions 500] [--repeat 3]

The report is a tagged PDF (PDF/UA-1, as served); "untagged" renders the same
HTML without the structure tree, so the two differ by the cost of tagging only.
It also renders the seeded Desistance Knowledge Exchange (seed/desistance.yaml):
each workshop's report and the inquiry report covering both, tagged.

The floor is WeasyPrint rendering the *same text* (every text node of the
report's HTML, in order) as one plain HTML page: no stylesheet, no tables, no
charts, no links, no running headers or page counters. The ratio
report / floor is what the report's layout costs on top of typesetting its words.

Both are measured in this one process, interleaved, best of ``--repeat`` runs
(so another process briefly using a core does not decide the result). Peak
Python memory is tracemalloc's peak during one render of each (run separately
from the timings, because tracing slows Python down); maxrss is the process's
resident peak at the end (includes Pango/HarfBuzz, which tracemalloc cannot see).

The workshop lives in a scratch SQLite file that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from html import escape
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BLOCKS = {"p", "h1", "h2", "h3", "li", "td", "th", "dt", "dd", "title", "figcaption", "text"}


class _Text(HTMLParser):
    """Collect the text a reader sees, one paragraph per block element."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("head", "style", "script"):
            self.skip += 1
        if tag in BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in ("head", "style", "script"):
            self.skip -= 1
        if tag in BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)

    def flush(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.paragraphs.append(text)
        self.current = []


def floor_html(report_html: str) -> str:
    parser = _Text()
    parser.feed(report_html)
    parser.flush()
    body = "".join(f"<p>{escape(p)}</p>" for p in parser.paragraphs)
    return f"<!doctype html><html><head><meta charset=utf-8><title>floor</title></head><body>{body}</body></html>"


def seeded(app, repeat: int) -> None:
    """The seeded exchange: each workshop's report and the inquiry report, tagged,
    best of ``repeat`` (query, template and render, as the routes do)."""
    from flask import render_template

    from facilitator.extensions import db
    from facilitator.models import Workshop
    from facilitator.reports.data import build_inquiry, build_report
    from facilitator.services import pdf
    from facilitator.services.seed import load_seed

    with app.app_context():
        load_seed(ROOT / "seed" / "desistance.yaml")
        ids = list(
            db.session.execute(
                db.select(Workshop.id).where(Workshop.seed_key.isnot(None)).order_by(Workshop.id)
            ).scalars()
        )
    jobs = [(f"seeded report, workshop {n}", build_report, wid) for n, wid in enumerate(ids, 1)]
    jobs.append(("seeded inquiry report", build_inquiry, ids[-1]))
    for name, build, wid in jobs:
        walls, cpus = [], []
        for _ in range(repeat):
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            with app.test_request_context():
                report = build(db.session.get(Workshop, wid))
                html = render_template("report/report.html", report=report, preview=False, links={})
                body = pdf.render_pdf(html, static_folder=app.static_folder, size="A4")
                db.session.remove()
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - start_cpu)
        pages = len(__import__("pypdf").PdfReader(__import__("io").BytesIO(body)).pages)
        print(
            f"{name}: best {min(walls):.2f} s wall, {min(cpus):.2f} s CPU "
            f"(wall runs: {', '.join(f'{t:.2f}' for t in walls)}); {pages} pages"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", help="write the report PDF here")
    args = parser.parse_args()

    from flask import render_template
    from weasyprint import HTML

    from facilitator import create_app
    from facilitator.extensions import db
    from facilitator.models import Base, Group, Workshop
    from facilitator.reports.data import build_report
    from facilitator.services import pdf
    from tests.support.report_data import generate_workshop

    tmp = tempfile.mkdtemp(prefix="bench-pdf-")
    db_path = os.path.join(tmp, "bench.sqlite3")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SECRET_KEY": "bench",
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        workshop = Workshop(title="Benchmark workshop", topic="What works?", venue="Glasgow")
        for i in range(6):
            workshop.groups.append(Group(name=f"Table {i + 1}", position=i))
        db.session.add(workshop)
        db.session.commit()
        generate_workshop(workshop.id, args.contributions)
        wid = workshop.id

    def report_html() -> str:
        with app.test_request_context():
            workshop = db.session.get(Workshop, wid)
            html = render_template(
                "report/report.html", report=build_report(workshop), preview=False, links={}
            )
            db.session.remove()
            return html

    def render_report() -> bytes:
        """What GET /w/<id>/report.pdf does: query, template, WeasyPrint (tagged)."""
        with app.test_request_context():
            html = report_html()
            return pdf.render_pdf(html, static_folder=app.static_folder, size="A4")

    def render_untagged() -> bytes:
        """The same, without the structure tree: what tagging costs."""
        with app.test_request_context():
            html = report_html()
            return pdf.render_pdf(html, static_folder=app.static_folder, size="A4", tagged=False)

    load_before = f"{os.getloadavg()[0]:.2f}"
    sample = report_html()
    floor_doc = floor_html(sample)

    def render_floor() -> bytes:
        return HTML(string=floor_doc).write_pdf()

    def render_floorgc_paused() -> bytes:
        """The same floor with the collector paused as render_pdf pauses it.

        Only for the fairness check printed last: the ratio above keeps the
        floor as defined (plain WeasyPrint, default collector).
        """
        with pdf.gc_paused():
            return HTML(string=floor_doc).write_pdf()

    # Warm-up: font loading and imports happen once per process, for both.
    render_floor()
    report_pdf = render_report()

    runs = (
        ("report", render_report),
        ("untagged", render_untagged),
        ("floor", render_floor),
        ("floor_gc", render_floorgc_paused),
    )
    times = {name: [] for name, _ in runs}
    cpu = {name: [] for name, _ in runs}
    for _ in range(args.repeat):
        for name, fn in runs:
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)

    peaks = {}
    for name, fn in (("report", render_report), ("floor", render_floor)):
        gc.collect()
        tracemalloc.start()
        fn()
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    from io import BytesIO

    from pypdf import PdfReader

    report_pages = len(PdfReader(BytesIO(report_pdf)).pages)
    floor_pages = len(PdfReader(BytesIO(render_floor())).pages)
    if args.keep:
        Path(args.keep).write_bytes(report_pdf)

    best = {k: min(v) for k, v in times.items()}
    best_cpu = {k: min(v) for k, v in cpu.items()}
    print(f"contributions: {args.contributions}; text paragraphs: {floor_doc.count('<p>')}")
    print(
        f"load average before/after: {load_before} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    for name in ("report", "untagged", "floor"):
        runs = ", ".join(f"{t:.2f}" for t in times[name])
        pages = floor_pages if name == "floor" else report_pages
        print(
            f"{name:>6}: best {best[name]:.2f} s wall, {best_cpu[name]:.2f} s CPU (wall runs: {runs}); "
            f"{pages} pages"
            + (f"; tracemalloc peak {peaks[name] / 1e6:.0f} MB" if name in peaks else "")
        )
    print(
        f" ratio: {best['report'] / best['floor']:.2f}x the floor (wall), "
        f"{best_cpu['report'] / best_cpu['floor']:.2f}x (CPU)"
    )
    print(
        f"fairness: floor with the collector paused as render_pdf does: best "
        f"{best['floor_gc']:.2f} s wall, {best_cpu['floor_gc']:.2f} s CPU; ratio "
        f"{best['report'] / best['floor_gc']:.2f}x (wall), "
        f"{best_cpu['report'] / best_cpu['floor_gc']:.2f}x (CPU)"
    )
    print(
        f"tagging: {best['report'] / best['untagged']:.2f}x the untagged report (wall), "
        f"{best_cpu['report'] / best_cpu['untagged']:.2f}x (CPU); untagged report "
        f"{best['untagged'] / best['floor']:.2f}x the floor (wall)"
    )
    print(f"maxrss: {maxrss_mb:.0f} MB (whole process)")
    seeded(app, args.repeat)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

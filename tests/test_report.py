"""The PDF report and its HTML preview, read back with pypdf."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from facilitator.extensions import db
from facilitator.models import Workshop
from facilitator.services import pdf
from tests.support.report_data import fill_workshop


def _text(reader: PdfReader) -> str:
    # Whitespace normalised: table cells wrap their text over several lines.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _outline_titles(outline) -> list[str]:
    titles = []
    for entry in outline:
        if isinstance(entry, list):
            titles += _outline_titles(entry)
        else:
            titles.append(entry.title)
    return titles


@pytest.fixture
def app_config(app_config, tmp_path):
    """Rendered PDFs are cached per test, not in the instance folder."""
    return {**app_config, "REPORT_CACHE_DIR": str(tmp_path / "report-cache")}


@pytest.fixture
def filled(app, facilitator_client):
    client, wid, fid = facilitator_client
    with app.app_context():
        data = fill_workshop(wid)
    return client, data


def test_pdf_report_contents(app, filled):
    client, data = filled
    response = client.get(f"/w/{data.workshop_id}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    reader = PdfReader(io.BytesIO(response.data))
    text = _text(reader)

    # The action plan lists every visible action, the one whose design is hidden included.
    for action in data.visible_actions:
        assert action in text
    assert "Ask the third sector forum" in text  # a first step
    assert "2026-09-30" in text
    # Hidden items never appear, wherever they were linked from.
    for hidden in data.hidden_texts:
        assert hidden not in text
    # User text is printed as text, not interpreted.
    assert 'src="file:///etc/passwd"' in text
    # Non-Latin and accented names come through (DejaVu covers them).
    assert "Ана Ђорђевић" in text
    # Cover, contents, five chapters and an appendix: a sane page count.
    assert 7 <= len(reader.pages) <= 20
    titles = _outline_titles(reader.outline)
    for section in ("Contents", "Discovery", "Dream", "Design", "Destiny", "Traceability"):
        assert any(t.startswith(section) for t in titles), titles
    assert "Table 1" in titles  # a group appendix
    meta = reader.metadata
    assert meta.title.endswith("workshop report")
    assert meta.subject.startswith("Appreciative Inquiry workshop report")
    assert meta.author  # the facilitators
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    assert "page 2 of" in reader.pages[1].extract_text()


def test_pdf_internal_links_and_letter_size(app, filled):
    client, data = filled
    reader = PdfReader(io.BytesIO(client.get(f"/w/{data.workshop_id}/report.pdf?size=letter").data))
    assert reader.pages[0].mediabox.width == pytest.approx(612, abs=0.5)  # 8.5 in
    internal = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if annot.get("/Dest") is not None or (action and action.get("/S") == "/GoTo"):
                internal += 1
            assert not (action and action.get("/S") == "/URI"), "no external links"
    # Contents, action -> trace -> design -> statement -> theme -> story, appendix.
    assert internal >= 20


def test_trace_follows_action_back_to_stories(app, filled):
    client, data = filled
    html = client.get(f"/w/{data.workshop_id}/report").get_data(as_text=True)
    # The gate action's trace links its design, statement, theme and story anchors.
    with app.app_context():
        from facilitator.models import ActionPoint

        gate = db.session.execute(
            db.select(ActionPoint).filter_by(action="Recruit ten peer mentors")
        ).scalar_one()
        design_id, statement_id = gate.design_id, gate.design.statement_id
        theme_id = next(t.id for t in gate.design.statement.themes if not t.hidden)
        story_id = next(e.id for e in gate.design.statement.themes[0].examples if not e.hidden)
    start = html.index(f'id="trace-{gate.id}"')
    trace = html[start : html.index("</section>", start)]
    trace = trace[: trace.find('id="trace-', 20) % len(trace)]  # up to the next action
    for anchor in (
        f"#design-{design_id}",
        f"#statement-{statement_id}",
        f"#theme-{theme_id}",
        f"#story-{story_id}",
    ):
        assert f'href="{anchor}"' in trace
        assert f'id="{anchor[1:]}"' in html


def test_html_preview_escapes_and_uses_same_template(app, filled):
    client, data = filled
    response = client.get(f"/w/{data.workshop_id}/report.html")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "<img" not in html
    assert "<style" not in html  # the CSS attack stays text; the stylesheet is a <link>
    assert "css/report.css" in html
    assert 'class="report-toolbar"' in html
    for hidden in data.hidden_texts:
        assert hidden not in html
    assert client.get(f"/w/{data.workshop_id}/report").status_code == 200


def test_empty_workshop_report_says_what_is_missing(app, facilitator_client):
    client, wid, _ = facilitator_client
    response = client.get(f"/w/{wid}/report.pdf")
    assert response.status_code == 200
    text = _text(PdfReader(io.BytesIO(response.data)))
    assert "Not in this report yet" in text
    assert "No Destiny action points have been agreed yet." in text
    assert "No Discovery stories have been shared yet." in text


def test_fetcher_serves_static_and_refuses_the_rest(app, filled):
    """Render the report with hostile contributions through a recording fetcher."""
    _, data = filled
    from flask import render_template

    from facilitator.reports.data import build_report

    with app.test_request_context():
        workshop = db.session.get(Workshop, data.workshop_id)
        html = render_template(
            "report/report.html", report=build_report(workshop), preview=False, links={}
        )
        fetcher = pdf.StaticOnlyFetcher(app.static_folder)
        body = pdf.render_pdf(html, static_folder=app.static_folder, fetcher=fetcher)
    assert body.startswith(b"%PDF")
    assert len(fetcher.served) == 1 and "/static/css/report.css" in fetcher.served[0]
    assert fetcher.refused == []  # user text never became a URL to fetch


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd">',
        '<img src="http://127.0.0.1:9/x.png">',
        "<style>@import url(http://127.0.0.1:9/a.css);</style>",
        '<link rel="stylesheet" href="file:///etc/hostname">',
        '<img src="/static/../facilitator/config.py">',
        '<img src="https://report.invalid/static/../../etc/passwd">',
    ],
)
def test_fetcher_refuses_even_raw_markup(app, markup):
    """Defence in depth: if markup ever slipped through, nothing outside static/ loads."""
    fetcher = pdf.StaticOnlyFetcher(app.static_folder)
    html = f"<!doctype html><html><body><p>x</p>{markup}</body></html>"
    pdf.render_pdf(html, static_folder=app.static_folder, fetcher=fetcher)
    assert fetcher.served == []
    assert len(fetcher.refused) == 1


def test_page_size_choice():
    assert pdf.page_size(None) == "A4"
    assert pdf.page_size("Letter") == "letter"
    assert pdf.page_size("tabloid; } body { color: red") == "A4"
    with pytest.raises(ValueError):
        pdf.render_pdf("<p>x</p>", static_folder=".", size="A3")


def test_pdf_cache_follows_content(app, filled):
    """Same content: the cached file; a moderation change: a new render without the item."""
    client, data = filled
    url = f"/w/{data.workshop_id}/report.pdf"
    first = client.get(url).data
    assert client.get(url).data == first
    with app.app_context():
        from facilitator.models import ActionPoint

        gate = db.session.execute(
            db.select(ActionPoint).filter_by(action="Recruit ten peer mentors")
        ).scalar_one()
        gate_id = gate.id
    assert client.post(f"/w/{data.workshop_id}/destiny/{gate_id}/hide").status_code in (302, 200)
    changed = client.get(url).data
    assert changed != first
    assert "Recruit ten peer mentors" not in _text(PdfReader(io.BytesIO(changed)))
    # Letter and A4 are cached side by side.
    letter = client.get(url + "?size=letter").data
    assert client.get(url).data == changed and client.get(url + "?size=letter").data == letter


def test_big_reports_render_in_a_child_process(app, app_config, filled):
    """Above the size threshold the PDF comes from ``python -m facilitator.services.pdf``."""
    client, data = filled
    app.config["REPORT_SUBPROCESS_MIN_BYTES"] = 0
    response = client.get(f"/w/{data.workshop_id}/report.pdf")
    assert response.status_code == 200
    text = _text(PdfReader(io.BytesIO(response.data)))
    assert "Recruit ten peer mentors" in text
    assert "HIDDEN-ACTION-DELTA" not in text


def test_big_report_references_resolve_and_chart_fits(app, facilitator_client):
    """A generated workshop: S/D reference numbers in print order, every in-document
    link has its target, the vote chart is one compact SVG, and the PDF prints them."""
    import re

    from flask import render_template

    from facilitator.reports.data import build_report
    from tests.support.report_data import generate_workshop

    _, wid, _ = facilitator_client
    with app.app_context():
        generate_workshop(wid, 120)  # 18 statements: more than the chart quotes in full
    with app.test_request_context():
        workshop = db.session.get(Workshop, wid)
        report = build_report(workshop)
        html = render_template("report/report.html", report=report, preview=False, links={})
        body = pdf.render_pdf(html, static_folder=app.static_folder)

    assert sorted(report.story_number.values()) == list(range(1, report.story_count + 1))
    assert sorted(report.design_number.values()) == list(range(1, report.design_count + 1))
    # Numbers follow the order the stories are printed in.
    printed = [int(n) for n in re.findall(r"<h3[^>]*>S(\d+) · ", html)]
    assert printed == list(range(1, report.story_count + 1))

    # Anchors sit on headings and other leaves, never on a repeated container:
    # WeasyPrint shares one computed style between like elements unless one has
    # an id, and an id on a story or a table row would unshare all it contains.
    assert not re.findall(
        r'<(?:article|tr|section class="(?:theme|design-group|group-appendix)")[^>]* id=', html
    )
    ids = set(re.findall(r'id="([^"]+)"', html))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets and targets <= ids, sorted(targets - ids)[:5]

    dream = html[html.index('id="dream"') : html.index('id="design"')]
    assert dream.count("<svg") == 1 and dream.count("<rect") == len(report.statements)
    assert "<text" in dream and "#1<" in dream

    text = _text(PdfReader(io.BytesIO(body)))
    first_action = report.actions[0]
    assert f"A1 · {first_action.action.action[:30]}" in text  # its trace entry
    assert "S1 · " in text and "D1 · " in text


def test_the_collector_is_paused_during_a_render_and_restored_after(monkeypatch):
    """WeasyPrint's garbage is nearly all freed by reference counting; the cyclic
    collector only walks the growing heap (docs/benchmarks.md, PDF report)."""
    import gc

    seen = []

    def fake_write_pdf(self, *args, **kwargs):
        seen.append(gc.isenabled())
        with pdf.gc_paused():  # a second render at once (another thread)
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())  # ...does not turn it back on under this one
        raise RuntimeError("layout failed")

    monkeypatch.setattr(pdf.HTML, "write_pdf", fake_write_pdf)
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        pdf.render_pdf("<p>hi</p>", static_folder=".", static_url_path="/static")
    assert seen == [False, False, False]
    assert gc.isenabled()  # back on, even though the render failed


def test_the_html_parser_regex_cache_hits_and_parses_the_same():
    """tinyhtml5 2.1.0 files its chars_until patterns under the wrong key, so the
    report's HTML rebuilt one per text run and attribute; pdf installs a cache
    that is looked up the way it is filled (docs/benchmarks.md, PDF report)."""
    import re
    import xml.etree.ElementTree as ET

    import tinyhtml5
    from tinyhtml5 import inputstream

    cache = inputstream.characters_until_regex
    assert isinstance(cache, pdf._CharsUntilRegexes)
    html = (
        "<p class=\"a b\" id=x data-n='1'>one &amp; two\n\n three</p>"
        '<a href="#x">link</a><!-- note --><svg width="10"><text x="1">S</text></svg>'
    )
    tree = ET.tostring(tinyhtml5.parse(html, namespace_html_elements=False))
    assert b'<p class="a b" id="x" data-n="1">one &amp; two\n\n three</p>' in tree
    assert b'<a href="#x">link</a>' in tree and b">S</" in tree
    # Every key is what chars_until looks up (characters, opposite), never a pattern.
    assert cache and not any(isinstance(key[0], re.Pattern) for key in cache)
    size = len(cache)
    assert ET.tostring(tinyhtml5.parse(html, namespace_html_elements=False)) == tree
    assert len(cache) == size

"""The PDF report and its HTML preview, read back with pypdf."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from html import unescape

import pytest
from pypdf import PdfReader

import facilitator
from facilitator.extensions import db
from facilitator.models import ActionPoint, Example, Role, ShareLink, Theme, Workshop, WorkshopRole
from facilitator.services import pdf
from facilitator.services.seed import load_seed
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
    # The five empty chapters are one short section, not five blank pages.
    assert "Not reached in this workshop" in text
    assert "Discovery, Dream, Design, Destiny and Traceability: nothing was recorded" in text
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


# ---------------------------------------------------------------- the inquiry and the organiser's PDF


SEED_FILE = facilitator.ROOT / "seed" / "desistance.yaml"
FIRST = "desistance-2012-discovery-dream"
SECOND = "desistance-2012-design-destiny"
#: The report's @page margins (static/css/report.css), in points.
MM = 72 / 25.4
MARGINS = {"top": 20 * MM, "right": 16 * MM, "bottom": 18 * MM, "left": 16 * MM}


@pytest.fixture
def seeded(app, client, create_facilitator, login):
    """The seeded Desistance Knowledge Exchange (two workshops, one inquiry), with
    a facilitator of both logged in: (client, first id, second id)."""
    fid = create_facilitator()
    with app.app_context():
        load_seed(SEED_FILE)
        ids = []
        for key in (FIRST, SECOND):
            w = db.session.execute(db.select(Workshop).filter_by(seed_key=key)).scalar_one()
            db.session.add(
                WorkshopRole(workshop_id=w.id, facilitator_id=fid, role=Role.FACILITATOR)
            )
            ids.append(w.id)
        db.session.commit()
    login(client, fid)
    return client, ids[0], ids[1]


def _pdf_text(body: bytes) -> str:
    return _text(PdfReader(io.BytesIO(body)))


def _words(
    body: bytes, tmp_path
) -> list[tuple[int, float, float, float, float, float, float, str]]:
    """Every word pdftotext -bbox finds: (page, page width, height, xmin, ymin, xmax, ymax, word)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(body)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    words, page, size = [], 0, (0.0, 0.0)
    for line in out.splitlines():
        if m := re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line):
            page, size = page + 1, (float(m[1]), float(m[2]))
        elif m := re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>',
            line,
        ):
            box = tuple(float(m[i]) for i in range(1, 5))
            words.append((page, *size, *box, unescape(m[5])))
    return words


def test_inquiry_report_covers_the_whole_seeded_chain(app, seeded):
    """Discovery from the first workshop, the action plan from the second, every
    carried-forward theme and statement printed once, from either workshop's URL."""
    client, first, second = seeded
    with app.app_context():
        stories = (
            db.session.execute(
                db.select(Example.title).where(
                    Example.workshop_id == first, Example.hidden.is_(False)
                )
            )
            .scalars()
            .all()
        )
        actions = (
            db.session.execute(db.select(ActionPoint).where(ActionPoint.workshop_id == second))
            .scalars()
            .all()
        )
        owners = {}
        for a in actions:
            owners.setdefault(a.owner, []).append(a.action)
    assert stories and actions
    response = client.get(f"/w/{second}/inquiry.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.data))
    text = _text(reader)
    for title in stories:
        assert " ".join(title.split()) in text, title
    for a in actions:
        assert " ".join(a.action.split()) in text, a.action
    assert "Summary: who does what, by when" in text and "About this record" in text
    assert "Desistance Knowledge Exchange: Discovery and Dream" in text  # both workshops named
    assert "Desistance Knowledge Exchange: Design and Destiny" in text

    # The summary (the pages from its heading to the contents) lists each owner's actions.
    # Words hyphenated at a line end come back as "co- production": join them.
    pages = [re.sub(r"- ", "-", " ".join(p.extract_text().split())) for p in reader.pages]
    start = next(i for i, p in enumerate(pages) if "Summary: who does what" in p)
    end = next(i for i, p in enumerate(pages) if p.startswith("Contents") or " Contents " in p)
    summary = " ".join(pages[start:end])
    assert end - start == 1, "the summary is one page"
    letter = [
        p.extract_text()
        for p in PdfReader(
            io.BytesIO(client.get(f"/w/{second}/inquiry.pdf?size=letter").data)
        ).pages
    ]
    start = next(i for i, p in enumerate(letter) if "Summary: who does what" in p)
    assert "Contents" in letter[start + 1][:120], "one page on Letter too"
    assert "What happens next" in letter[start] and "more action" not in letter[start]
    for owner, texts in owners.items():
        assert owner in summary
        for action in texts:
            assert re.sub(r"- ", "-", " ".join(action.split())) in summary, action
    assert "No next check-in date or convener has been set." in summary

    # The same document from the first workshop's address; carried copies printed once.
    html = client.get(f"/w/{first}/inquiry").get_data(as_text=True)
    with app.app_context():
        first_themes = db.session.execute(
            db.select(db.func.count()).select_from(Theme).where(Theme.workshop_id == first)
        ).scalar_one()
    assert html.count('<h2 id="theme-') == first_themes
    assert html.count('class="statement-text"') == 6
    assert "Workshop 1" in html and "Workshop 2" in html


def test_single_report_names_its_neighbours_and_merges_empty_chapters(app, seeded):
    client, first, second = seeded
    first_text = _pdf_text(client.get(f"/w/{first}/report.pdf").data)
    assert "Continued in Desistance Knowledge Exchange: Design and Destiny" in first_text
    # Design, Destiny and the trace are one short paragraph, not three chapter pages.
    assert "Not reached in this workshop" in first_text
    assert "Design, Destiny and Traceability: nothing was recorded in this workshop" in first_text
    assert (
        "Design: how it could work" not in first_text.split("Not reached")[0].split("Contents")[0]
    )
    html = client.get(f"/w/{second}/report").get_data(as_text=True)
    assert "Continues" in html and "Desistance Knowledge Exchange: Discovery and Dream" in html
    assert html.count("No stories are linked to this theme") == 0
    assert f'href="/w/{second}/inquiry"' in html  # the preview links the whole inquiry


def test_inquiry_through_a_share_link(app, seeded):
    client, first, second = seeded
    with app.app_context():
        link = ShareLink(workshop_id=second, label="board")
        db.session.add(link)
        db.session.commit()
        token = link.token
    anonymous = app.test_client()
    page = anonymous.get(f"/s/{token}/inquiry")
    assert page.status_code == 200 and "Desistance Knowledge Exchange" in page.get_data(
        as_text=True
    )
    assert f"/s/{token}/inquiry.pdf" in page.get_data(as_text=True)
    body = anonymous.get(f"/s/{token}/inquiry.pdf")
    assert body.status_code == 200 and body.data.startswith(b"%PDF")
    assert body.headers["Referrer-Policy"] == "no-referrer"


def test_inquiry_report_needs_a_reader(app, seeded, create_facilitator, login):
    _, first, _ = seeded
    stranger = app.test_client()
    login(stranger, create_facilitator())
    assert stranger.get(f"/w/{first}/inquiry").status_code == 403
    assert stranger.get(f"/w/{first}/inquiry.pdf").status_code == 403


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
@pytest.mark.parametrize("size", ["a4", "letter"])
def test_every_word_whole_and_inside_the_margins(app, seeded, tmp_path, size):
    """No text is cut with an ellipsis, and every word's box lies inside the page
    minus its margins (the running header inside the top margin), on A4 and Letter."""
    client, first, second = seeded
    with app.app_context():
        # A word longer than any column, and an owner heavy enough for the owner chart.
        db.session.add_all(
            ActionPoint(
                workshop_id=second,
                action="Publish " + "https://example.org/" + "x" * 120,
                owner="Knowledge exchange organisers and everyone else who said they would help",
            )
            for _ in range(2)
        )
        db.session.commit()
    for url in (f"/w/{first}/report.pdf", f"/w/{second}/report.pdf", f"/w/{second}/inquiry.pdf"):
        body = client.get(f"{url}?size={size}").data
        words = _words(body, tmp_path)
        html_url = url.replace(".pdf", "")
        html = client.get(html_url).get_data(as_text=True)
        assert words
        # The template adds no ellipsis: any in the PDF is in a text someone wrote.
        assert sum("…" in w[-1] for w in words) <= html.count("…"), url
        for page, width, height, x0, y0, x1, y1, word in words:
            assert x0 >= MARGINS["left"] - 1 and x1 <= width - MARGINS["right"] + 1, (
                url,
                page,
                word,
            )
            assert y1 <= height - MARGINS["bottom"] + 1, (url, page, word)
            if y0 < MARGINS["top"] - 1:  # only the running header lives up there
                assert y1 < MARGINS["top"], (url, page, word)  # wholly inside it
        assert words[0][1] == pytest.approx(595.28 if size == "a4" else 612, abs=1)


def test_historical_record_says_not_recorded_and_marks_suggestions(app, seeded):
    client, first, second = seeded
    with app.app_context():
        actions = (
            db.session.execute(
                db.select(ActionPoint)
                .where(ActionPoint.workshop_id == second)
                .order_by(ActionPoint.id)
            )
            .scalars()
            .all()
        )
        # The seed flags every owner and first step as a suggestion.
        assert actions and all(a.owner_suggested and a.first_step_suggested for a in actions)
        owner = actions[0].owner
        actions[0].provenance = "suggested"
        db.session.commit()
    text = _pdf_text(client.get(f"/w/{second}/report.pdf").data)
    assert "0 joined" not in text and "Facilitators" not in text.split("About this record")[0]
    assert "was not recorded: this is a historical record, reconstructed from a transcript" in text
    assert "About this record" in text
    assert "This workshop is a historical record, reconstructed from a transcript" in text
    assert (
        f"The owners and first steps of all {len(actions)} actions are suggestions made when "
        "this record was written up, not decisions of the room" in text
    )
    assert f"{owner} (suggested)" in re.sub(r"- ", "-", text)
    assert "(suggested afterwards)" in text  # the action's own provenance, beside it


def test_about_this_record_counts_suggestions_when_only_some_are(app, seeded):
    client, _, second = seeded
    with app.app_context():
        actions = (
            db.session.execute(db.select(ActionPoint).where(ActionPoint.workshop_id == second))
            .scalars()
            .all()
        )
        for a in actions[1:]:
            a.owner_suggested = False
        for a in actions[2:]:
            a.first_step_suggested = False
        db.session.commit()
    html = unescape(client.get(f"/w/{second}/report").get_data(as_text=True))
    assert (
        "The owners of 1 action and the first steps of 2 actions are suggestions made when "
        "this record was written up, not decisions of the room" in html
    )


def test_signups_in_pdf_csv_and_calendar(app, filled):
    client, data = filled
    wid = data.workshop_id
    text = _pdf_text(client.get(f"/w/{wid}/report.pdf").data)
    assert "Helping: Zoë Ødegård" in text
    csv_text = client.get(f"/w/{wid}/actions.csv").data.decode("utf-8-sig")
    header, *rows = csv_text.splitlines()
    assert "Helpers (signed up)" in header.split(",")
    column = header.split(",").index("Helpers (signed up)")
    gate = next(r for r in rows if "Recruit ten peer mentors" in r)
    assert gate.split(",")[column] == "Zoë Ødegård"
    ics = client.get(f"/w/{wid}/actions.ics").get_data(as_text=True)
    unfolded = ics.replace("\r\n ", "")
    assert "Helping: Zoë Ødegård" in unfolded


def test_charts_only_when_their_data_says_something(app, facilitator_client):
    """No ranking of zero votes, no owner chart when nobody owns two actions, no
    status chart when every action has the same status."""
    client, wid, _ = facilitator_client
    with app.app_context():
        from facilitator.models import MissionStatement

        db.session.add_all(
            [MissionStatement(workshop_id=wid, text=f"Statement {i}") for i in range(3)]
            + [
                ActionPoint(workshop_id=wid, action=f"Do {i}", owner=f"Person {i}")
                for i in range(3)
            ]
        )
        db.session.commit()
    html = client.get(f"/w/{wid}/report").get_data(as_text=True)
    assert "<svg" not in html
    assert "no votes were recorded" in html
    assert "All 3 action points are proposed." in html
    with app.app_context():
        a = db.session.execute(db.select(ActionPoint).filter_by(action="Do 0")).scalar_one()
        a.owner = "Person 1"
        a.status = "agreed"
        db.session.commit()
    html = client.get(f"/w/{wid}/report").get_data(as_text=True)
    assert html.count("<svg") == 2
    assert "<title>Actions by owner. Person 1: 2 actions; Person 2: 1 action.</title>" in html
    assert "<title>Actions by status. Proposed: 2 actions; Agreed: 1 action;" in html


def test_owner_chart_labels_are_wrapped_whole():
    from facilitator.reports.summary import wrap_label

    label = "Knowledge exchange organisers and everyone who said they would help"
    lines = wrap_label(label, 26)
    assert " ".join(lines) == label and all(len(line) <= 26 for line in lines)
    assert "".join(wrap_label("x" * 60, 26)) == "x" * 60  # broken across lines, not cut


# ---------------------------------------------------------------- tagged PDF (issue 20)


def _struct(reader: PdfReader):
    """Depth-first (tag, element) pairs of the structure tree, in document order."""
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    out = []

    def walk(node):
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        tag = node.get("/S")
        if tag is not None:
            out.append((str(tag), node))
        kids = node.get("/K")
        if kids is None:
            return
        kids = kids.get_object()
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and not isinstance(kid, int):
                walk(kid)

    walk(root)
    return out


def test_pdf_is_tagged_with_headings_tables_lists_and_chart_alternatives(app, seeded):
    client, first, second = seeded
    with app.app_context():
        # Two actions for one owner: the owner chart is drawn.
        a = (
            db.session.execute(
                db.select(ActionPoint)
                .where(ActionPoint.workshop_id == second)
                .order_by(ActionPoint.id)
            )
            .scalars()
            .all()
        )
        a[1].owner = a[0].owner
        db.session.commit()
    html = client.get(f"/w/{second}/report").get_data(as_text=True)
    reader = PdfReader(io.BytesIO(client.get(f"/w/{second}/report.pdf").data))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert root["/Lang"] == "en"
    assert reader.metadata.title.endswith("workshop report")
    elements = _struct(reader)
    tags = [t for t, _ in elements]

    # Headings follow the outline: the same levels, in the same order, as the HTML.
    html_body = html.split("<main>", 1)[1]
    expected = [f"/H{n}" for n in re.findall(r"<h([1-6])[ >]", html_body)]
    assert [t for t in tags if re.fullmatch(r"/H\d", t)] == expected
    assert set(expected) == {"/H1", "/H2", "/H3"}

    # The action plan is a table whose first row is header cells.
    table = [e for t, e in elements if t == "/Table"][-1]  # after the summary's owner table
    rows = [e for t, e in _struct_under(table) if t == "/TR"]
    header = [str(k.get_object()["/S"]) for k in rows[0]["/K"]]
    assert header == ["/TH"] * 7
    assert all(str(k.get_object()["/S"]) == "/TD" for k in rows[1]["/K"])
    # Lists are lists.
    assert "/L" in tags and "/LI" in tags
    # Every chart is a figure whose alternative text states its data.
    alts = [str(e["/Alt"]) for t, e in elements if t == "/Figure"]
    assert any(alt.startswith("Actions by owner. ") and ": 2 actions" in alt for alt in alts), alts
    assert all(e.get("/Alt") for t, e in elements if t == "/Figure")

    # Running headers and page numbers are artifacts, outside the tree.
    content = reader.pages[1].get_contents().get_data()
    # Two margin boxes a page (the title and "page N of M"), each drawn as one artifact.
    assert len(re.findall(rb"/Artifact\s+BMC", content)) >= 2
    page_text = reader.pages[1].extract_text()
    assert "page 2 of" in page_text
    parents = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    in_tree = {id(e) for _, e in elements}
    reachable = {e.indirect_reference.idnum for _, e in elements if e.indirect_reference}
    for i in range(1, len(parents), 2):
        entry = parents[i].get_object()
        refs = entry if isinstance(entry, list) else [entry]
        for ref in refs:
            if ref is None or not hasattr(ref, "idnum"):
                continue
            assert ref.idnum in reachable, "content mapped to an element outside the tree"
    assert in_tree


def _struct_under(node):
    out = []

    def walk(n):
        n = n.get_object()
        if not hasattr(n, "get"):
            return
        if n.get("/S") is not None:
            out.append((str(n["/S"]), n))
        kids = n.get("/K")
        if kids is None:
            return
        kids = kids.get_object()
        for kid in kids if isinstance(kids, list) else [kids]:
            if not isinstance(kid, int):
                walk(kid)

    walk(node)
    return out


def test_pdf_language_follows_the_workshop(app, filled):
    client, data = filled
    with app.app_context():
        w = db.session.get(Workshop, data.workshop_id)
        w.settings = {**(w.settings or {}), "language": "de"}
        db.session.commit()
    reader = PdfReader(io.BytesIO(client.get(f"/w/{data.workshop_id}/report.pdf").data))
    assert reader.trailer["/Root"]["/Lang"] == "de"


def test_margin_box_artifact_patch_matches_the_installed_weasyprint():
    """The artifact patch is written against WeasyPrint 70's internals: if a new
    version is installed, this fails so the patch is checked (or dropped if
    WeasyPrint now does it itself)."""
    import weasyprint
    from weasyprint import draw

    assert weasyprint.__version__.startswith("70.")
    assert getattr(draw, "_facilitator_artifacts", False)


def test_what_happens_next_is_set_on_the_overview_and_printed(app, facilitator_client):
    client, wid, _ = facilitator_client
    page = client.get(f"/w/{wid}/").get_data(as_text=True)
    assert "Save what happens next" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = {"check_in": "2026-10-01", "convener": "Claire (Iriss)"}
    if token:
        data["csrf_token"] = token[1]
    response = client.post(f"/w/{wid}/next-steps", data=data)
    assert response.status_code == 302
    text = _pdf_text(client.get(f"/w/{wid}/report.pdf").data)
    assert "Next check-in: 01 October 2026." in text
    assert "Convener (who calls people together next): Claire (Iriss)." in text
    assert "No next check-in date or convener has been set." not in text
    # A date that cannot be read is refused with a message, and nothing changes.
    data["check_in"] = "next Tuesday"
    response = client.post(f"/w/{wid}/next-steps", data=data, follow_redirects=True)
    assert "Use a date like 2026-12-31." in response.get_data(as_text=True)
    with app.app_context():
        steps = db.session.get(Workshop, wid).settings["next_steps"]
    assert steps == {"check_in": "2026-10-01", "convener": "Claire (Iriss)"}


def test_a_theme_whose_stories_print_under_another_is_not_called_storyless(app, seeded):
    """Only a theme with no story at all in the document is called storyless: in the
    first workshop that is the one whose story was told at the second (16 May)."""
    client, first, second = seeded
    html = unescape(client.get(f"/w/{first}/report").get_data(as_text=True))
    assert "Also behind this theme" in html
    assert html.count("no story linked") == 1
    assert (
        "The theme “Strengths in society whose voices are not heard” has no story linked in "
        "this workshop; the inquiry report also has the stories told in later workshops."
    ) in html
    # The second workshop carries the first's stories with their theme links, and
    # tells one for that theme: no theme is storyless there, nor in the inquiry.
    for url in (f"/w/{second}/report", f"/w/{second}/inquiry"):
        assert "no story linked" not in client.get(url).get_data(as_text=True), url


@pytest.mark.parametrize("size", ["a4", "letter"])
def test_a_big_summary_counts_what_it_leaves_off_instead_of_spilling(app, facilitator_client, size):
    """More actions and themes than a page holds: the summary stays one page and
    says how many more there are and on which page they are printed."""
    from tests.support.report_data import generate_workshop

    client, wid, _ = facilitator_client
    with app.app_context():
        generate_workshop(wid, 300)  # 15 themes, 60 actions
        actions = (
            db.session.execute(db.select(ActionPoint.action).where(ActionPoint.workshop_id == wid))
            .scalars()
            .all()
        )
    body = client.get(f"/w/{wid}/report.pdf?size={size}").data
    reader = PdfReader(io.BytesIO(body))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    start = next(i for i, p in enumerate(pages) if "Summary: who does what" in p)
    summary = pages[start]
    assert "Contents" in pages[start + 1][:80], "the summary is one page"
    assert "What happens next" in summary
    listed = sum(1 for a in actions if " ".join(a.split()) in re.sub(r"- ", "-", summary))
    more = re.search(r"And (\d+) more actions in the action plan on page (\d+)\.", summary)
    assert more, summary[-400:]
    assert 10 <= listed and listed + int(more[1]) == len(actions)
    plan = int(more[2]) - 1
    assert plan > start + 1 and "Destiny: the action plan" in pages[plan]
    assert "And 3 more themes in Discovery on page" in summary


def test_blog_stories_are_marked_from_outside_wherever_printed(app, seeded):
    """The blog's stories say "from outside the event" in their heading and in the
    appendix, not only in the small print; a transcript source is not labelled twice."""
    client, first, _ = seeded
    html = unescape(client.get(f"/w/{first}/report").get_data(as_text=True))
    with app.app_context():
        external = (
            db.session.execute(
                db.select(Example.title).where(
                    Example.workshop_id == first, Example.provenance == "external"
                )
            )
            .scalars()
            .all()
        )
    assert len(external) == 3
    for title in external:
        heading = re.search(rf"<h3 class=\"story\"[^>]*>S\d+ · {re.escape(title)}(.*?)</h3>", html)
        assert heading and "(from outside the event)" in heading[1], title
        entry = re.search(rf'<a class="entry"[^>]*>S\d+ {re.escape(title)}(.*?)</a>', html)
        assert entry and "(from outside the event)" in entry[1], title
    assert "Reconstructed from a transcript: Transcript:" not in html
    assert "Reconstructed from a transcript: Beth:" in html
    assert (
        "Strengths in society whose voices are not heard</strong> (no story in this workshop)"
        in html
    )

"""A whole workshop in real browsers: a facilitator at a laptop, three phones."""

from __future__ import annotations

import io
import re
import time
from datetime import date, timedelta

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from .conftest import assert_accessible, save_screenshot

GROUPS = ["Table 1", "Table 2", "Table 3"]
NAMES = ["Amira", "Ben", "Chloe"]
THEME = "Someone believed in them"
STATEMENTS = [
    "Everyone leaving prison is met at the gate by someone who believes in them.",
    "Employers judge people on who they are now, not on their record.",
    "Every town has a team, a club or a choir that welcomes people back.",
]
DESIGNS = [
    "A rota of trained gate mentors",
    "A fair-chance hiring pledge for local employers",
    "A directory of welcoming clubs, kept by probation",
]
ACTIONS = [
    ("Recruit ten gate mentors", "Mentoring network"),
    ("Sign up five employers to the pledge", "Chamber of commerce"),
    ("Publish the clubs directory", "Probation service"),
]
# Polls run every 2 s; the spec is 3 s. Generous here so a busy CI box cannot flake.
LIVE_TIMEOUT_MS = 10_000
STORIES = [
    ("Met at the gate", "A mentor met him at the gate with a bus pass and a coffee."),
    ("A job that trusted her", "An employer looked past the record and gave her a trial shift."),
    ("The football team", "Joining a five-a-side team gave him Tuesdays to look forward to."),
]


def create_workshop(page: Page, title: str = "Desistance day") -> tuple[int, str]:
    """Through the form; returns (workshop id, join code)."""
    page.goto("/w/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Affirmative topic").fill("What helps people stop offending?")
    page.get_by_label("Groups (tables), one per line").fill("\n".join(GROUPS))
    page.get_by_role("button", name="Create workshop").click()
    page.wait_for_url(re.compile(r"/w/\d+/$"))
    workshop_id = int(re.search(r"/w/(\d+)/", page.url).group(1))
    code = page.locator(".join-code code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code), code
    return workshop_id, code


def join_by_code(page: Page, code: str, name: str, table: str) -> None:
    """Type the code like someone reading it off the screen (lower case, a space)."""
    page.goto("/join")
    page.get_by_label("Workshop code").fill(f"{code[:3].lower()} {code[3:]}")
    page.get_by_role("button", name="Join").click()
    finish_join(page, name, table)


def join_by_link(page: Page, code: str, name: str, table: str) -> None:
    """Open the QR code's link."""
    page.goto(f"/j/{code}")
    finish_join(page, name, table)


def finish_join(page: Page, name: str, table: str) -> None:
    page.get_by_label("Your name (optional)").fill(name)
    page.get_by_label(table, exact=True).check()
    page.get_by_role("button", name="Join the workshop").click()
    page.wait_for_url(re.compile(r"/discovery/$"))
    expect(page.locator(".flash-success")).to_contain_text(f"Welcome, {name}! You are at {table}.")


def post_story(page: Page, title: str, story: str) -> None:
    page.get_by_label("In a few words, what worked?").fill(title)
    page.get_by_label("What happened?").fill(story)
    page.get_by_role("button", name="Add", exact=True).click()
    # htmx swaps the board in place: the story shows, the form is empty again.
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_label("In a few words, what worked?")).to_have_value("")


def assert_readable_from_the_back(projector: Page) -> None:
    """Large type on a 1080p room screen: body text at least 24 px, the join code at least 64 px
    (about 1/45 and 1/17 of the screen's height)."""
    sizes = projector.evaluate(
        """() => Object.fromEntries(
             [".wall-item", ".prompt", ".projector-code", ".projector-head h1"].map(
               sel => [sel, parseFloat(getComputedStyle(document.querySelector(sel)).fontSize)]))"""
    )
    assert sizes[".wall-item"] >= 24, sizes
    assert sizes[".prompt"] >= 24, sizes
    assert sizes[".projector-head h1"] >= 48, sizes
    assert sizes[".projector-code"] >= 64, sizes


def move_on(console: Page, phase: str) -> None:
    """Press the console's "Move on to <Phase>" button; the console comes back in that phase."""
    console.get_by_role("button", name=f"Move on to {phase}").click()
    expect(console.locator(".phase-intro h2")).to_have_text(phase)


def seen_live(page: Page, locator, what: str) -> float:
    """Wait (no reload) until ``locator`` shows on ``page``; return how long it took.

    The spec is "within 3 s" (polls run every 2 s). The figure is printed for
    the report, not asserted: a loaded 2-core CI box must not make this flaky.
    """
    if not page.evaluate("() => window.__e2eNoReload === true"):
        page.evaluate("() => { window.__e2eNoReload = true; }")
    started = time.monotonic()
    expect(locator).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    took = time.monotonic() - started
    # The same document all along: it was updated in place, not reloaded.
    assert page.evaluate("() => window.__e2eNoReload === true"), f"{what}: the page reloaded"
    print(f"live update: {what} after {took:.2f}s")
    return took


def test_whole_workshop(open_context, login_as, make_facilitator, seed_app):
    laptop_context = open_context("desktop")
    laptop = laptop_context.new_page()
    login_as(laptop)
    workshop_id, code = create_workshop(laptop)
    save_screenshot(laptop, "overview-desktop")

    # The console on the laptop, the projector on the room screen, both left alone.
    console = laptop
    console.goto(f"/w/{workshop_id}/console")
    projector = laptop_context.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(f"/w/{workshop_id}/projector")
    expect(projector.locator(".projector-code")).to_have_text(code)
    for page in (console, projector):
        page.evaluate("() => { window.__e2eNoReload = true; }")
    assert projector.locator(".qr-figure svg").count() == 1

    phones = [open_context("phone").new_page() for _ in range(3)]
    join_by_code(phones[0], code, NAMES[0], GROUPS[0])
    join_by_link(phones[1], code, NAMES[1], GROUPS[1])
    join_by_link(phones[2], code, NAMES[2], GROUPS[2])

    # --- Discovery: a story from each table, live on the console and the wall.
    for phone, (title, story) in zip(phones, STORIES, strict=True):
        post_story(phone, title, story)
        seen_live(console, console.get_by_role("heading", name=title), "story on the console")
        seen_live(projector, projector.locator(".wall-item", has_text=title), "story on the wall")
    # Each phone sees its own table's stories only.
    expect(phones[1].locator("article.item")).to_have_count(1)
    save_screenshot(phones[0], "phone-discovery", at=".compose")
    save_screenshot(console, "console-discovery", full_page=True)
    save_screenshot(projector, "projector-discovery")
    assert_accessible(console, "the console")
    assert_accessible(projector, "the projector")
    assert_readable_from_the_back(projector)

    # The facilitator clusters the three stories into one theme.
    console.goto(f"/w/{workshop_id}/discovery/themes")
    console.get_by_role("textbox", name="Theme", exact=True).fill(THEME)
    console.get_by_role("button", name="Add theme").click()
    for title, _ in STORIES:
        card = console.locator(
            "article.cluster-card", has=console.get_by_role("heading", name=title)
        )
        card.get_by_label(THEME).check()
        card.get_by_role("button", name="Save themes").click()
        expect(
            console.locator(
                "article.cluster-card", has=console.get_by_role("heading", name=title)
            ).get_by_label(THEME)
        ).to_be_checked()
    theme = console.locator("article.theme-drop", has_text=THEME)
    expect(theme.locator(".theme-stories li")).to_have_count(3)
    save_screenshot(console, "console-clustering", full_page=True)

    # --- Dream: the facilitator moves on; the phones follow by themselves.
    console.goto(f"/w/{workshop_id}/console")
    move_on(console, "Dream")
    for phone in phones:
        phone.wait_for_url(re.compile(r"/dream/$"))
        expect(phone.locator(".phase-intro h2")).to_have_text("Dream")
    for phone, statement in zip(phones, STATEMENTS, strict=True):
        phone.get_by_label("Our mission statement").fill(statement)
        phone.get_by_role("button", name="Add", exact=True).click()
        expect(phone.locator("article.item", has_text=statement)).to_be_visible()
    # Dots: Amira puts all three on her statement, Ben two on his, Chloe one.
    for phone, statement, dots in zip(phones, STATEMENTS, (3, 2, 1), strict=True):
        ballot = phone.locator(".ballot-item", has_text=statement)
        for spent in range(1, dots + 1):
            ballot.get_by_role("button", name="Add a dot").click()
            expect(phone.locator(".dots-left strong")).to_have_text(str(3 - spent))
    expect(phones[0].get_by_role("button", name="Add a dot")).to_have_count(0)
    assert_accessible(phones[0], "the Dream phone view after voting")
    save_screenshot(phones[0], "phone-dream", at=".dot-vote")
    bars = projector.locator(".vote-chart .bar-row")
    expect(bars).to_have_count(3, timeout=LIVE_TIMEOUT_MS)
    expect(bars.first.locator(".bar-count")).to_have_text("3")
    expect(bars.first).to_contain_text(STATEMENTS[0][:40])
    save_screenshot(projector, "projector-dream")
    save_screenshot(console, "console-dream", full_page=True)

    # --- Design: a practice, policy or structure per statement.
    move_on(console, "Design")
    for phone, (statement, design) in zip(
        phones, zip(STATEMENTS, DESIGNS, strict=True), strict=True
    ):
        phone.wait_for_url(re.compile(r"/design/$"))
        phone.get_by_label("For the statement").select_option(label=statement)
        phone.get_by_label("What would make it real?").fill(design)
        phone.get_by_role("button", name="Add", exact=True).click()
        expect(phone.locator("article.item", has_text=design)).to_be_visible()
    save_screenshot(phones[1], "phone-design", at=".columns")

    # --- Destiny: action points with an owner and a date; a helper signs up.
    move_on(console, "Destiny")
    for phone, (action, owner) in zip(phones, ACTIONS, strict=True):
        phone.wait_for_url(re.compile(r"/destiny/$"))
        phone.get_by_label("What will be done?").fill(action)
        phone.get_by_label("Who owns it?").fill(owner)
        # Ahead of today: a past date is questioned first (tests/test_destiny_form.py).
        phone.get_by_label("By when?").fill((date.today() + timedelta(days=90)).isoformat())
        phone.get_by_role("button", name="Add", exact=True).click()
        expect(phone.get_by_role("heading", name=action)).to_be_visible()
    phones[2].get_by_role("button", name="I will help").click()
    expect(phones[2].locator(".signups")).to_contain_text("1 will help: Chloe")
    for action, _ in ACTIONS:
        seen_live(console, console.get_by_role("heading", name=action), "action on the console")
    save_screenshot(phones[2], "phone-destiny", at=".columns")
    save_screenshot(console, "console-destiny", full_page=True)
    save_screenshot(projector, "projector-destiny")

    # --- An organiser reads the report and downloads the PDF.
    organiser_email = make_facilitator("Olu Organiser")
    laptop.goto(f"/w/{workshop_id}/")
    laptop.get_by_label("Email of their facilitator account").fill(organiser_email)
    laptop.get_by_label("Role").select_option(label="Organiser (read-only report)")
    laptop.get_by_role("button", name="Add", exact=True).click()
    expect(laptop.locator(".flash-success")).to_contain_text("organiser")
    organiser = open_context("desktop").new_page()
    login_as(organiser, organiser_email)
    organiser.goto(f"/w/{workshop_id}/report")
    for action, _ in ACTIONS:
        expect(organiser.get_by_text(action).first).to_be_visible()
    assert_accessible(organiser, "the report preview")
    save_screenshot(organiser, "report-preview")
    # Chromium shows PDFs inline; fetch the link with the organiser's cookies instead.
    href = organiser.get_by_role("link", name="PDF (A4)").get_attribute("href")
    response = organiser.context.request.get(href)
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.body()))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    for action, owner in ACTIONS:
        assert action in text, f"{action!r} missing from the PDF"
        assert owner in text, f"{owner!r} missing from the PDF"
    assert STATEMENTS[0] in text and THEME in text

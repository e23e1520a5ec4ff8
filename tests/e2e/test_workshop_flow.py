"""A whole workshop in real browsers: a facilitator at a laptop, three phones."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import assert_accessible, assert_no_horizontal_scroll, save_screenshot

GROUPS = ["Table 1", "Table 2", "Table 3"]
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


def test_whole_workshop(open_context, login_as):
    laptop = open_context("desktop").new_page()
    login_as(laptop)
    workshop_id, code = create_workshop(laptop)
    save_screenshot(laptop, "overview-desktop")

    phones = [open_context("phone").new_page() for _ in range(3)]
    names = ["Amira", "Ben", "Chloe"]
    join_by_code(phones[0], code, names[0], GROUPS[0])
    join_by_link(phones[1], code, names[1], GROUPS[1])
    join_by_link(phones[2], code, names[2], GROUPS[2])
    assert_no_horizontal_scroll(phones[0], "the Discovery phone view")
    assert_accessible(phones[0], "the Discovery phone view")

    for phone, (title, story) in zip(phones, STORIES, strict=True):
        post_story(phone, title, story)
    save_screenshot(phones[0], "phone-discovery", full_page=True)

    # Each phone sees its own table's stories only.
    expect(phones[1].locator("article.item")).to_have_count(1)

    # The facilitator's board has all three, one per table.
    laptop.goto(f"/w/{workshop_id}/discovery/")
    for title, _ in STORIES:
        expect(laptop.get_by_role("heading", name=title)).to_be_visible()
    for group in GROUPS:
        column = laptop.locator("section.column", has=laptop.get_by_role("heading", name=group))
        expect(column.locator("article.item")).to_have_count(1)
    assert_accessible(laptop, "the facilitator's Discovery board")

"""Live in a real browser: polls revalidate with If-None-Match and get 304s that
change nothing on screen; a post from the console reaches the phone; the timer
and the phase follow the facilitator."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import join


def open_compose(console) -> None:
    """Unfold the console's compose box (folded so the tables come first), as a click does."""
    summary = console.locator("summary", has_text="Add a story")
    if summary.locator("..").get_attribute("open") is None:
        summary.click()


def test_phone_polls_conditionally_and_follows_the_console(
    open_context, seed_workshop, login_as, make_facilitator
):
    email = make_facilitator()
    workshop_id, code = seed_workshop(facilitator=email)
    console = open_context("desktop").new_page()
    login_as(console, email)
    console.goto(f"/w/{workshop_id}/console")

    phone = open_context("phone").new_page()
    join(phone, code, "Robin", "Table 2")
    title = phone.get_by_label("In a few words, what worked?")
    title.fill("Typed while the screen polls")

    # After the first fresh answer the phone sends the tag back and gets 304s.
    with phone.expect_response(
        lambda r: "/live/" in r.url and r.status == 304, timeout=15_000
    ) as unchanged:
        pass
    assert unchanged.value.request.headers["if-none-match"] == unchanged.value.headers["etag"]

    # The facilitator writes for Table 2 from the console: the phone shows it
    # without a reload, and the half-typed title is untouched.
    open_compose(console)
    console.get_by_label("Group", exact=True).select_option(label="Table 2")
    console.get_by_label("In a few words, what worked?").fill("Written at the console")
    console.get_by_role("button", name="Add", exact=True).click()
    expect(phone.get_by_role("heading", name="Written at the console")).to_be_visible()
    expect(title).to_have_value("Typed while the screen polls")

    # The phone sends its story; the field empties.
    phone.get_by_role("button", name="Add", exact=True).click()
    expect(phone.get_by_role("heading", name="Typed while the screen polls")).to_be_visible()
    expect(title).to_have_value("")

    # A timer started at the console counts down on the phone.
    console.get_by_label("Minutes").fill("3")
    console.get_by_role("button", name="Start").click()
    expect(phone.locator("[data-timer] .timer-value")).to_have_text(re.compile(r"^[23]:\d\d$"))

    # A second phone is half-way through a story when the room moves on.
    writer = open_context("phone").new_page()
    join(writer, code, "Alex", "Table 3")
    writer.get_by_label("In a few words, what worked?").fill("Not finished yet")

    # Moving the room on takes the phone to the new phase by itself...
    console.get_by_role("button", name="Move on to Dream").click()
    expect(phone).to_have_url(re.compile(rf"/w/{workshop_id}/dream/$"))
    expect(phone.locator("#live-status")).to_contain_text("Now: Dream")
    # ...but waits for the one with unsent text, and says so.
    expect(writer.locator("[data-unsent-note]")).to_be_visible()
    expect(writer.get_by_label("In a few words, what worked?")).to_have_value("Not finished yet")
    writer.get_by_role("link", name="Go to Dream").click()
    expect(writer).to_have_url(re.compile(rf"/w/{workshop_id}/dream/$"))


def test_new_items_arrive_as_deltas_without_disturbing_the_screen(
    open_context, seed_workshop, login_as, make_facilitator
):
    email = make_facilitator()
    workshop_id, code = seed_workshop(facilitator=email)
    console = open_context("desktop").new_page()
    login_as(console, email)
    console.goto(f"/w/{workshop_id}/console")
    reader = open_context("phone").new_page()
    join(reader, code, "Robin", "Table 2")
    writer = open_context("phone").new_page()
    join(writer, code, "Alex", "Table 2")
    column = reader.locator("section.column", has=reader.get_by_role("heading", name="Table 2"))
    expect(column.locator(".empty")).to_have_text("Nothing yet.")
    expect(column.locator("[data-live-count]")).to_have_text("0")

    # The facilitator opens an item's moderation panel on the console.
    seeded = console.locator("article", has_text="Met at the gate")
    seeded.get_by_text("Move or merge").click()
    expect(seeded.locator("details.moderate")).to_have_attribute("open", "")

    # Alex posts: Robin's phone gets that one story (a delta, not the board)...
    with reader.expect_response(
        lambda r: "/live/" in r.url and r.headers.get("x-live-delta") == "1", timeout=15_000
    ):
        writer.get_by_label("In a few words, what worked?").fill("A delta from Alex")
        writer.get_by_role("button", name="Add", exact=True).click()
    expect(column.get_by_role("heading", name="A delta from Alex")).to_be_visible()
    expect(column.locator("[data-live-count]")).to_have_text("1")
    expect(column.locator(".empty")).to_have_count(0)
    # ...Alex sees it at once with the form fresh and a confirmation...
    expect(writer.get_by_role("heading", name="A delta from Alex")).to_be_visible()
    expect(writer.get_by_role("status").filter(has_text="on the board")).to_be_visible()
    expect(writer.get_by_label("In a few words, what worked?")).to_have_value("")
    # ...and the console shows it too, its open panel left open.
    expect(console.get_by_role("heading", name="A delta from Alex")).to_be_visible()
    expect(seeded.locator("details.moderate")).to_have_attribute("open", "")
    expect(console.locator("#merge-targets-discovery option")).to_have_count(2)

    # The first whole-room story has no column on the phone yet: the phone asks
    # for the whole board and shows it.
    open_compose(console)
    console.get_by_label("Group", exact=True).select_option(label="Whole room")
    console.get_by_label("In a few words, what worked?").fill("For everyone")
    console.get_by_role("button", name="Add", exact=True).click()
    expect(reader.get_by_role("heading", name="Whole room")).to_be_visible()
    expect(reader.get_by_role("heading", name="For everyone")).to_be_visible()
    expect(reader.get_by_role("heading", name="A delta from Alex")).to_have_count(1)

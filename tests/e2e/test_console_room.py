"""The console on a laptop screen: the tables come first, the compose box is a
click away, and the head count follows the room without a reload."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import join, save_screenshot

LAPTOP = {"viewport": {"width": 1366, "height": 768}}


def test_tables_first_and_a_live_head_count(open_context, login_as, seed_workshop):
    laptop = open_context("desktop", **LAPTOP).new_page()
    email = login_as(laptop)
    workshop_id, code = seed_workshop(phase="discovery", facilitator=email)
    laptop.goto(f"/w/{workshop_id}/console")
    laptop.evaluate("() => { window.__e2eNoReload = true; }")

    # The tables start on the first screen; the compose box is folded above them.
    first_table = laptop.locator("#live-items .column").first.bounding_box()
    assert first_table["y"] < 768, f"the tables start {first_table['y']:.0f} px down"
    story_title = laptop.locator("#compose input[name=title]")
    expect(story_title).to_be_hidden()
    save_screenshot(laptop, "console-laptop")
    laptop.locator("summary", has_text="Add a story").click()
    expect(story_title).to_be_visible()

    head_count = laptop.locator("#head-count")
    expect(head_count).to_have_text("0 participants")
    for name in ("Ana", "Ben"):
        join(open_context("phone").new_page(), code, name=name)
    # Polled every 5 s, in place.
    expect(head_count).to_have_text("2 participants", timeout=15_000)
    assert laptop.evaluate("() => window.__e2eNoReload === true"), "the console reloaded"

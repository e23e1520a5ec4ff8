"""A phone waiting for a table (a by-hand room) is taken to its table's board as
soon as the facilitator seats it, and can then post."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_a_waiting_phone_follows_its_seat(open_context, seed_workshop, login_as, make_facilitator):
    email = make_facilitator()
    wid, code = seed_workshop(facilitator=email, group_assignment="by_hand")
    phone = open_context("phone").new_page()
    phone.goto(f"/j/{code}")
    phone.get_by_label("Your name (optional)").fill("Rowan")
    phone.get_by_role("button", name=re.compile("Join")).click()
    phone.wait_for_url(re.compile(r"/discovery/$"))
    expect(phone.locator("[data-unseated]")).to_be_visible()
    expect(phone.locator("#compose form")).to_have_count(0)
    expect(phone.locator("#compose")).to_contain_text("as soon as the facilitator has seated you")

    desk = open_context("desktop").new_page()
    login_as(desk, email)
    desk.goto(f"/w/{wid}/participants")
    row = desk.locator("tr", has_text="Rowan")
    row.get_by_label("Table for Rowan").select_option(label="Table 2")
    row.get_by_role("button", name="Move", exact=True).click()
    expect(desk.locator(".flash-success")).to_contain_text("Rowan is now at Table 2")

    # The phone's next poll says so and live.js opens the table's board.
    expect(phone.locator(".live-status")).to_contain_text("Your table: Table 2", timeout=10_000)
    expect(phone.locator("#compose form")).to_have_count(1, timeout=10_000)
    expect(phone.locator("[data-unseated]")).to_have_count(0)
    phone.locator("#compose #title").fill("Seated and writing")
    phone.locator("#compose").get_by_role("button", name="Add").click()
    expect(phone.locator("article.item", has_text="Seated and writing")).to_be_visible()

"""What goes wrong in a real room: Wi-Fi drops, phones reload, two facilitators at once."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import join

STORY_TITLE = "The housing officer who called back"


def test_phone_offline_while_typing_keeps_text_and_sends_later(open_context, seed_workshop, errors):
    # Going offline makes the browser log failed requests: expected here, and only here.
    errors.allow(r"ERR_INTERNET_DISCONNECTED")
    errors.allow(r"htmx:sendError")
    errors.allow(r"htmx:afterRequest")  # htmx logs each failed poll
    _, code = seed_workshop()
    context = open_context("phone")
    phone = context.new_page()
    join(phone, code, "Kim", "Table 2")

    phone.get_by_label("In a few words, what worked?").fill(STORY_TITLE)
    context.set_offline(True)
    phone.get_by_label("What happened?").fill("She rang back the same day.")
    phone.get_by_role("button", name="Add", exact=True).click()
    # Nothing is lost, and the phone says why nothing happened.
    expect(phone.locator("[data-send-error]")).to_contain_text("could not reach the server")
    expect(phone.get_by_label("In a few words, what worked?")).to_have_value(STORY_TITLE)
    expect(phone.get_by_label("What happened?")).to_have_value("She rang back the same day.")
    # The polling notices too, and says so.
    expect(phone.locator("[data-offline-note]")).to_be_visible(timeout=10_000)

    context.set_offline(False)
    phone.get_by_role("button", name="Add", exact=True).click()
    expect(phone.get_by_role("heading", name=STORY_TITLE)).to_be_visible()
    expect(phone.get_by_label("In a few words, what worked?")).to_have_value("")
    expect(phone.locator("[data-send-error]")).to_be_hidden()
    expect(phone.locator("[data-offline-note]")).to_be_hidden(timeout=10_000)


def test_reload_keeps_participant_joined_and_the_draft(open_context, seed_workshop):
    workshop_id, code = seed_workshop()
    phone = open_context("phone").new_page()
    join(phone, code, "Lee", "Table 3")
    phone.get_by_label("In a few words, what worked?").fill("Half-typed on a shaky phone")
    phone.reload()
    expect(phone).to_have_url(re.compile(rf"/w/{workshop_id}/discovery/$"))
    expect(phone.get_by_text("You are Lee at Table 3")).to_be_visible()
    # The draft comes back from the phone's own storage.
    expect(phone.get_by_label("In a few words, what worked?")).to_have_value(
        "Half-typed on a shaky phone"
    )
    # Opening the join link again does not make a second participant.
    phone.goto(f"/j/{code}")
    expect(phone).to_have_url(re.compile(rf"/w/{workshop_id}/discovery/$"))
    expect(phone.get_by_text("You are Lee at Table 3")).to_be_visible()


def test_two_facilitators_see_each_others_moderation(
    open_context, seed_workshop, make_facilitator, login_as
):
    first, second = make_facilitator("Fran"), make_facilitator("Sol")
    workshop_id, code = seed_workshop(facilitator=[first, second])
    consoles = []
    for email in (first, second):
        page = open_context("desktop").new_page()
        login_as(page, email)
        page.goto(f"/w/{workshop_id}/console")
        page.evaluate("() => { window.__e2eNoReload = true; }")
        consoles.append(page)
    fran, sol = consoles
    phone = open_context("phone").new_page()
    join(phone, code, "Mo", "Table 1")
    story = "Met at the gate"
    expect(phone.get_by_role("heading", name=story)).to_be_visible()

    # Fran hides the story: Sol sees it hidden, the phone no longer sees it.
    fran.locator("article.item", has=fran.get_by_role("heading", name=story)).get_by_role(
        "button", name="Hide"
    ).click()
    expect(fran.locator("article.item.is-hidden")).to_have_count(1)
    expect(sol.locator("article.item.is-hidden")).to_have_count(1, timeout=10_000)
    expect(phone.get_by_role("heading", name=story)).to_have_count(0, timeout=10_000)

    # Sol brings it back and moves it to Table 3: Fran sees both, without reloading.
    item = sol.locator("article.item", has=sol.get_by_role("heading", name=story))
    item.get_by_role("button", name="Unhide").click()
    expect(sol.locator("article.item.is-hidden")).to_have_count(0)
    item = sol.locator("article.item", has=sol.get_by_role("heading", name=story))
    item.locator("summary", has_text="Move or merge").click()
    item.get_by_label("Move to group").select_option(label="Table 3")
    item.get_by_role("button", name="Move", exact=True).click()
    table3 = fran.locator("section.column", has=fran.get_by_role("heading", name="Table 3"))
    expect(table3.get_by_role("heading", name=story)).to_be_visible(timeout=10_000)
    expect(fran.locator("article.item.is-hidden")).to_have_count(0)
    for page in consoles:
        assert page.evaluate("() => window.__e2eNoReload === true"), "a console reloaded"

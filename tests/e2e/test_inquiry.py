"""An inquiry across workshops on a phone: the positive core carried forward from the
earlier workshop, and a Dream statement grounded in its stories, with and without
JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import assert_accessible, assert_no_horizontal_scroll, join, save_screenshot

PANEL = "From earlier in this inquiry"


def later_workshop(seed_app, seed_workshop, facilitator=None, carry=True) -> tuple[int, str]:
    """A Dream-phase workshop continuing a seeded one, its core carried forward."""
    from facilitator.extensions import db
    from facilitator.models import Example, Phase, Workshop
    from facilitator.workshops.operations import carry_forward

    earlier_id, _ = seed_workshop(title="Desistance exchange, May", facilitator=facilitator)
    with seed_app.app_context():
        earlier = db.session.get(Workshop, earlier_id)
        db.session.add(
            Example(
                workshop_id=earlier_id,
                title="A job coach who kept calling",
                what_worked="She did not give up after the first no.",
                themes=list(earlier.themes),
            )
        )
        db.session.commit()
    later_id, code = seed_workshop(
        title="Desistance exchange, June", previous_id=earlier_id, facilitator=facilitator
    )
    with seed_app.app_context():
        later = db.session.get(Workshop, later_id)
        if carry:
            carry_forward(later)
        later.phase = Phase.DREAM
        db.session.commit()
    return later_id, code


def test_a_phone_grounds_a_statement_in_carried_stories(open_context, seed_app, seed_workshop):
    workshop_id, code = later_workshop(seed_app, seed_workshop)
    page = open_context("phone").new_page()
    join(page, code, "Amira")
    expect(page).to_have_url(re.compile(f"/w/{workshop_id}/dream/$"))

    panel = page.locator(".earlier-core")
    expect(panel.locator("summary")).to_contain_text(PANEL)
    panel.locator("summary").click()
    expect(panel).to_contain_text("Being believed in")
    expect(panel).to_contain_text("A job coach who kept calling")

    picks = page.locator(".compose .story-picks")
    picks.locator("summary").click()
    carried = picks.get_by_label("A job coach who kept calling (earlier workshop)")
    expect(carried).to_be_visible()
    page.get_by_label("Our mission statement").fill(
        "Everyone leaving prison has someone who keeps calling."
    )
    carried.check()
    assert_accessible(page, "the Dream phone page with its stories to pick")
    assert_no_horizontal_scroll(page, "the Dream phone page with its stories to pick")
    page.screenshot(path="/tmp/chain-dream-grounding.png", caret="initial")
    save_screenshot(page, "phone-dream-grounding", at=".compose")

    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".compose")).to_contain_text("Your statement is on the board.")
    item = page.locator(".item", has_text="someone who keeps calling")
    expect(item.locator(".grounding")).to_contain_text("A job coach who kept calling")
    page.screenshot(path="/tmp/chain-dream-grounded-item.png", full_page=True, caret="initial")


def test_grounding_works_without_javascript(open_context, seed_app, seed_workshop):
    workshop_id, code = later_workshop(seed_app, seed_workshop)
    page = open_context("phone", java_script_enabled=False).new_page()
    join(page, code, "Ben")
    # Details open without JavaScript: they are HTML.
    page.locator(".compose .story-picks summary").click()
    page.get_by_label("Our mission statement").fill("Every gate has someone waiting.")
    page.get_by_label("Met at the gate (earlier workshop)").check()
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(f"**/w/{workshop_id}/dream/")
    item = page.locator(".item", has_text="Every gate has someone waiting.")
    expect(item.locator(".grounding")).to_contain_text("Met at the gate")


def test_the_console_shows_the_earlier_workshops_core(
    open_context, seed_app, seed_workshop, login_as, make_facilitator
):
    email = make_facilitator()
    workshop_id, _ = later_workshop(seed_app, seed_workshop, facilitator=email, carry=False)
    page = open_context("desktop").new_page()
    login_as(page, email)
    page.goto(f"/w/{workshop_id}/console")
    panel = page.locator(".earlier-core")
    panel.locator("summary").click()
    expect(panel.get_by_role("link", name="Desistance exchange, May")).to_be_visible()
    expect(panel).to_contain_text("A job coach who kept calling")
    expect(panel.get_by_role("link", name="Carry them forward")).to_be_visible()
    assert_accessible(page, "the console with the earlier workshop's core")
    page.screenshot(path="/tmp/chain-console-earlier.png", full_page=True, caret="initial")

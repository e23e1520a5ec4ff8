"""Accessibility in a real browser: axe-core on every main page (light and dark),
keyboard-only use, visible focus, reduced motion, phones as narrow as 360 px,
and joining and posting with JavaScript switched off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import (
    COLOUR_RULES,
    assert_accessible,
    assert_no_horizontal_scroll,
    join,
    save_screenshot,
)

PHASES = ["discovery", "dream", "design", "destiny"]
NARROW_PHONE = {"viewport": {"width": 360, "height": 740}}


def check_page(page, what: str, *, narrow: bool = False) -> None:
    """axe in the light theme and the dark one; no sideways scrolling on phones."""
    for scheme in ("light", "dark"):
        # Reduced motion: no colour transitions half-way through when axe looks.
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        # Every rule in the light theme; in the dark one only colours change.
        rules = COLOUR_RULES if scheme == "dark" else None
        assert_accessible(page, f"{what} ({scheme})", rules=rules)
    page.emulate_media(color_scheme="light", reduced_motion="no-preference")
    if narrow:
        assert_no_horizontal_scroll(page, what)


def test_public_pages(open_context, seed_workshop, errors):
    errors.allow(r"status of 422")  # the wrong code below, on purpose
    _, code = seed_workshop()
    page = open_context("phone", **NARROW_PHONE).new_page()
    page.goto("/")
    check_page(page, "the landing page", narrow=True)
    save_screenshot(page, "phone-landing")
    page.goto("/join")
    check_page(page, "the join page", narrow=True)
    page.get_by_label("Workshop code").fill("nope")
    page.get_by_role("button", name="Join").click()
    expect(page.locator(".field-error")).to_contain_text("Codes have 6 letters")
    # The error is tied to the field for screen readers.
    field = page.get_by_label("Workshop code")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("Codes have 6 letters"))
    check_page(page, "the join page with an error", narrow=True)
    page.goto(f"/j/{code}")
    page.get_by_label("Table 2", exact=True).check()  # the picked table's card stays legible
    check_page(page, "the welcome (name and table) page", narrow=True)
    save_screenshot(page, "phone-join")
    page.goto("/login")
    check_page(page, "the login page", narrow=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_views_for_each_phase(open_context, seed_workshop, set_phase, scheme):
    workshop_id, code = seed_workshop()
    page = open_context("phone", color_scheme=scheme, **NARROW_PHONE).new_page()
    join(page, code, "Amira")
    for phase in PHASES:
        if phase != "discovery":
            # The phone follows the room by itself (a navigation of its own: a
            # goto from here would race it).
            set_phase(workshop_id, phase)
            page.wait_for_url(f"**/w/{workshop_id}/{phase}/", timeout=15_000)
        expect(page.locator(".phase-intro h2")).to_have_text(phase.capitalize())
        expect(page.locator(".prompt")).to_be_visible()
        rules = COLOUR_RULES if scheme == "dark" else None
        assert_accessible(page, f"the {phase} phone view ({scheme})", rules=rules)
        assert_no_horizontal_scroll(page, f"the {phase} phone view")
        if scheme == "dark":  # the light ones come from the workshop scenario
            save_screenshot(page, f"phone-{phase}-dark")


def test_facilitator_pages(open_context, seed_workshop, login_as, make_facilitator):
    email = make_facilitator()
    workshop_id, _ = seed_workshop(facilitator=email)
    page = open_context("desktop").new_page()
    login_as(page, email)
    check_page(page, "my workshops")
    page.goto("/w/new")
    check_page(page, "the new-workshop form")
    page.goto(f"/w/{workshop_id}/")
    check_page(page, "the workshop overview")
    for phase in PHASES:
        page.goto(f"/w/{workshop_id}/{phase}/")
        check_page(page, f"the facilitator's {phase} board")
    page.goto(f"/w/{workshop_id}/discovery/themes")
    check_page(page, "the themes page")
    page.goto(f"/w/{workshop_id}/console")
    check_page(page, "the console")
    page.goto(f"/w/{workshop_id}/participants")
    check_page(page, "the participants page")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"/w/{workshop_id}/projector")
    check_page(page, "the projector")


def focus_is_visible(page) -> bool:
    """The focused element draws an outline or a focus ring (box-shadow)."""
    return page.evaluate(
        """() => {
          const s = getComputedStyle(document.activeElement);
          const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
          return outline || (s.boxShadow && s.boxShadow !== "none");
        }"""
    )


def tab_to(page, predicate_js: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches; every stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        tag = page.evaluate("() => document.activeElement.tagName")
        if tag != "BODY":
            assert focus_is_visible(page), "focus is invisible on " + page.evaluate(
                "() => document.activeElement.outerHTML.slice(0, 120)"
            )
        if page.evaluate(f"() => {{ const el = document.activeElement; return {predicate_js}; }}"):
            return
    raise AssertionError(f"never reached {predicate_js} with Tab")


def test_keyboard_only_phone(open_context, seed_workshop):
    _, code = seed_workshop()
    page = open_context("phone").new_page()
    # Join with the keyboard alone.
    page.goto(f"/j/{code}")
    tab_to(page, "el.name === 'name'")
    page.keyboard.type("Kim")
    tab_to(page, "el.type === 'radio'")
    page.keyboard.press("ArrowDown")  # second table
    page.keyboard.press("Space")
    tab_to(page, "el.type === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/discovery/$"))
    expect(page.locator(".flash-success")).to_contain_text("You are at Table 2")
    # The skip link is the first stop and takes focus past the header.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_be_in_viewport()
    # Post a story with the keyboard alone.
    tab_to(page, "el.id === 'title'")
    page.keyboard.type("A landlord who said yes")
    tab_to(page, "el.type === 'submit'")
    page.keyboard.press("Enter")
    expect(page.locator("article.item", has_text="A landlord who said yes")).to_be_visible()


def test_keyboard_only_console(open_context, seed_workshop, login_as, make_facilitator):
    email = make_facilitator()
    workshop_id, _ = seed_workshop(facilitator=email)
    page = open_context("desktop").new_page()
    login_as(page, email)
    page.goto(f"/w/{workshop_id}/console")
    # Hide a story and bring it back, keyboard only.
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Hide'")
    page.keyboard.press("Enter")
    expect(page.locator("article.item.is-hidden")).to_have_count(1)
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Unhide'")
    page.keyboard.press("Enter")
    expect(page.locator("article.item.is-hidden")).to_have_count(0)
    # Move the room on, keyboard only, from the top of a fresh console.
    page.goto(f"/w/{workshop_id}/console")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('Move on to Dream')")
    page.keyboard.press("Enter")
    expect(page.locator(".phase-intro h2")).to_have_text("Dream")


def test_reduced_motion_is_honoured(open_context):
    page = open_context("phone", reduced_motion="reduce").new_page()
    page.goto("/join")
    durations = page.evaluate(
        """() => [...document.querySelectorAll("button, a, input")].map(
             el => getComputedStyle(el).transitionDuration)"""
    )
    assert durations and all(d in ("0s", "") for d in durations), durations
    moving = open_context("phone").new_page()
    moving.goto("/join")
    # Without the preference Pico's transitions are there: the check above is not vacuous.
    assert moving.evaluate(
        "() => getComputedStyle(document.querySelector('button')).transitionDuration"
    ) not in ("0s", "")


def test_join_and_post_without_javascript(open_context, seed_workshop, errors):
    errors.allow(r"status of 422")  # the story without a title, on purpose
    _, code = seed_workshop()
    page = open_context("phone", java_script_enabled=False).new_page()
    page.goto("/join")
    page.get_by_label("Workshop code").fill(code.lower())
    page.get_by_role("button", name="Join").click()
    page.get_by_label("Your name (optional)").fill("Noor")
    page.get_by_label("Table 3", exact=True).check()
    page.get_by_role("button", name="Join the workshop").click()
    page.wait_for_url(re.compile(r"/discovery/$"))
    page.get_by_label("In a few words, what worked?").fill("A probation officer who listened")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("saved")
    expect(
        page.locator("article.item", has_text="A probation officer who listened")
    ).to_be_visible()
    # A mistake comes back as a message next to the field, with nothing lost.
    page.get_by_label("What happened?").fill("Kept what I typed")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".field-error")).to_contain_text("Give your story a short title")
    expect(page.get_by_label("What happened?")).to_have_value("Kept what I typed")

"""The browser harness itself: it catches what it promises to catch."""

from __future__ import annotations

import pytest


def test_landing_page_loads_clean(open_context, server):
    page = open_context("phone").new_page()
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Run a live")
    assert page.evaluate("() => typeof htmx") == "object"


def test_console_errors_fail_the_test(open_context, errors):
    page = open_context("desktop").new_page()
    page.goto("/")
    page.evaluate("() => console.error('boom from the test')")
    assert any("boom from the test" in m for m in errors.unexpected())
    with pytest.raises(AssertionError, match="boom from the test"):
        errors.check()
    errors.allow("boom from the test")

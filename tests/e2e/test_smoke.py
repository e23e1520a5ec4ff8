"""The browser harness itself: it catches what it promises to catch."""

from __future__ import annotations

import sys

import pytest

from .conftest import when_chromium_missing


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


def test_missing_chromium_skips_locally_but_fails_under_ci(tmp_path):
    absent = str(tmp_path / "no-chromium")
    assert when_chromium_missing(absent, ci=False)[0] == "skip"
    action, message = when_chromium_missing(absent, ci=True)
    assert action == "fail" and "must run under CI" in message
    assert when_chromium_missing(sys.executable, ci=True) is None  # any executable will do

"""A facilitator's account in a real browser: changing the password from the
menu logs the other devices out; logging out ends the login."""

from __future__ import annotations

import re

from .conftest import PASSWORD
from .test_accessibility import check_page


def test_change_password_from_the_menu(open_context, login_as, make_facilitator):
    email = make_facilitator()
    laptop = open_context("desktop").new_page()
    phone = open_context("desktop").new_page()
    login_as(laptop, email)
    login_as(phone, email)

    laptop.get_by_role("link", name="Password").click()
    laptop.wait_for_url(re.compile(r"/account/password$"))
    check_page(laptop, "the password page")
    laptop.locator("#current").fill(PASSWORD)
    laptop.locator("#new").fill("a brand new secret")
    laptop.locator("#confirm").fill("a brand new secret")
    laptop.get_by_role("button", name="Change password").click()
    laptop.wait_for_url(re.compile(r"/w/$"))
    assert "Your other devices are logged out" in laptop.content()

    phone.goto("/w/")  # the other device's login has ended
    assert "/login" in phone.url

    laptop.get_by_role("button", name="Log out").click()
    laptop.goto("/w/")
    assert "/login" in laptop.url
    laptop.get_by_label("Email").fill(email)
    laptop.get_by_label("Password").fill("a brand new secret")
    laptop.get_by_role("button", name="Log in").click()
    laptop.wait_for_url(re.compile(r"/w/$"))

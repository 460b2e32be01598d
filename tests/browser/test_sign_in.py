"""Signing in as national staff in a real browser, in Chinese and English, on a desktop
(1366 px) and a phone (390 px): the password, then the second factor set up by QR code (the
secret typed here, as an app would compute it), the recovery codes, a later sign-in with a
recovery code, and a password change — no CSP violation, nothing wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import enrol_in_browser
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _fits(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"))


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-button")
    page.wait_for_load_state()


@pytest.mark.parametrize(("locale", "size"), [("zh-CN", "desktop"), ("en-US", "phone")])
def test_staff_sign_in_with_a_second_factor(chromium, live_server, console, reviewer, locale,
                                            size, tmp_path):
    context = chromium.new_context(locale=locale, viewport=SIZES[size])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    english = locale.startswith("en")
    try:
        _sign_in(page, live_server.url, "reviewer", PASSWORD)
        assert "/accounts/otp/enrol/" in page.url  # nothing else before the second factor
        assert page.locator(".qr svg").count() == 1 and _fits(page)
        heading = page.inner_text("h1")
        assert ("authenticator" in heading) == english and ("认证器" in heading) != english
        page.screenshot(path=str(tmp_path / f"enrol-{locale}-{size}.png"), full_page=True)
        codes = enrol_in_browser(page)
        assert len(codes) == 10
        # the reviewer's workbench, at last: what awaits their review
        page.wait_for_selector("#staff-dashboard #review-work")
        # Sign out, and in again with a recovery code (the phone left at home).
        _open_menu(page)
        page.click("header form[action='/accounts/logout/'] button")
        page.wait_for_load_state()
        _sign_in(page, live_server.url, "reviewer", PASSWORD)
        assert "/accounts/otp/verify/" in page.url and _fits(page)
        page.fill("#id_token", "wrong-code")
        # Each refusal is a new page: wait for it (counting at once can read the page before).
        with page.expect_navigation():
            page.click("#verify-button")
        assert page.locator("[role=alert]").count() == 1
        page.fill("#id_token", codes[0])
        with page.expect_navigation():
            page.click("#verify-button")  # at once: refused, with how long to wait
        assert page.locator("[role=alert]").count() == 1
        page.wait_for_timeout(2_100)  # django-otp's wait after two wrong codes: 2 s
        page.fill("#id_token", codes[0])
        page.click("#verify-button")
        page.wait_for_selector("#staff-dashboard")
        # The password page, as a person would reach it: their name in the header.
        _open_menu(page)
        page.click("a.who")
        page.click("a[href='/accounts/password/change/']")
        page.wait_for_url("**/accounts/password/change/")
        page.wait_for_load_state()
        assert _fits(page)
        page.fill("#id_old_password", PASSWORD)
        page.fill("#id_new_password1", "Review-2018-data")
        page.fill("#id_new_password2", "Review-2018-data")
        page.click("#password-button")
        page.wait_for_load_state()
        assert "/accounts/password/change/" not in page.url
        assert console.csp_violations() == []
    finally:
        context.close()


def _open_menu(page) -> None:
    """On a phone the header's links fold under the menu button: open it first."""
    toggle = page.locator("header .nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()

"""The audit page reads each entry as a sentence with its old → new values, and the officer's
pages show a returned submission's reason at the top and the language preference on the
security page — in Chinese and English, at 1366 px and 390 px, never wider than the screen
(the audit table scrolls in its own box)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from audit.services import log_action
from submissions.models import Submission, Transition
from tests.browser.conftest import enrol_in_browser
from tests.factories import PASSWORD, CycleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
CASES = [("zh-CN", "desktop"), ("en-US", "desktop"), ("zh-CN", "phone"), ("en-US", "phone")]


def _fits(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"))


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-button")
    page.wait_for_load_state()


def _context(chromium: Any, locale: str, size: str) -> Any:
    context = chromium.new_context(locale=locale, viewport=SIZES[size])
    context.set_default_timeout(15_000)
    return context


@pytest.mark.parametrize(("locale", "size"), CASES)
def test_the_audit_page_reads_as_sentences(chromium, live_server, auditor, officer_bj, locale,
                                           size, tmp_path):
    with transaction.atomic():
        log_action(actor=officer_bj, action="version.edit", region_code="110000",
                   cycle_year=2017, data={"version": 3, "previous": 2, "changes": [
                       {"code": "E101", "name_zh": "网民数量", "name_en": "Internet users",
                        "old": "1234.5", "new": "1300", "old_note": "",
                        "new_note": "按第七次人口普查口径修正"}]})
    officer_bj.is_active = False
    officer_bj.language = "en"
    officer_bj.save()
    page = _context(chromium, locale, size).new_page()
    _sign_in(page, live_server.url, "auditor")
    enrol_in_browser(page)
    page.goto(f"{live_server.url}/audit/")
    text = page.inner_text("#audit-table")
    english = locale.startswith("en")
    assert ("E101 Internet users: 1,234.5 → 1,300.0" if english
            else "E101 网民数量: 1,234.5 → 1,300.0") in text
    assert ("Active: yes → no" if english else "启用: 是 → 否") in text
    assert "\\u" not in text and '{"' not in text
    assert _fits(page)
    page.screenshot(path=str(tmp_path / f"audit-{locale}-{size}.png"), full_page=True)


@pytest.mark.parametrize(("locale", "size"), CASES)
def test_the_officer_sees_the_reason_and_sets_a_language(chromium, live_server, officer_bj,
                                                         reviewer, locale, size, tmp_path):
    submission = Submission.objects.get_or_create(cycle=CycleFactory(),
                                                  region=officer_bj.region)[0]
    Submission.objects.filter(pk=submission.pk).update(state=Submission.State.RETURNED)
    Transition.objects.create(submission=submission, action="return",
                              from_state="awaiting_review", to_state="returned", actor=reviewer,
                              reason="E101 比上年高出一倍，请核实并在备注中说明")
    page = _context(chromium, locale, size).new_page()
    _sign_in(page, live_server.url, "officer-bj")
    page.goto(f"{live_server.url}/submissions/")
    banner = page.locator(".returned-reason")
    assert banner.count() == 1 and "E101 比上年高出一倍" in banner.inner_text()
    assert _fits(page)
    page.goto(f"{live_server.url}/submissions/{submission.pk}/")
    assert "E101 比上年高出一倍" in page.locator(".returned-reason").inner_text()
    assert _fits(page)
    page.screenshot(path=str(tmp_path / f"detail-{locale}-{size}.png"), full_page=True)
    page.goto(f"{live_server.url}/accounts/security/")
    assert _fits(page)
    page.select_option("#id_language", "en")
    page.click("#language-save")
    page.wait_for_load_state()
    assert "Your language is now English" in page.inner_text(".messages")
    assert page.locator("html").get_attribute("lang") == "en"

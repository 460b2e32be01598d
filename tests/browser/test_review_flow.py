"""The review workflow in a real browser: an officer submits, the reviewer returns it with a
reason, the officer corrects and resubmits, the reviewer approves, and the administrator sees
the province turn green on the completeness grid — with a real Celery worker."""

from __future__ import annotations

import re
from typing import Any

import pytest

from indicators.models import ModelVersion
from submissions.models import Submission, Version
from submissions.services.cycles import cycle_create
from submissions.services.versions import version_create_from_upload
from tests.browser.conftest import enrol_in_browser
from tests.factories import PASSWORD
from tests.integration.conftest import wait_for
from tests.submissions.helpers import template_csv, valid_values

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(chromium: Any, live_server: Any, username: str) -> Any:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-button")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"
    if "/accounts/otp/enrol/" in page.url:  # national staff: the second factor, set up now
        enrol_in_browser(page)
    return page


def _state(page: Any, live_server: Any, submission: Submission, expected: str) -> None:
    def reached() -> bool:
        page.goto(f"{live_server.url}/submissions/{submission.pk}/")
        return page.get_attribute("#submission-state", "data-state") == expected

    wait_for(reached, what=f"the submission to become {expected}")


def test_it_takes_a_submission_from_draft_to_approved(
        chromium, live_server, celery_worker_thread, officer_bj, reviewer, administrator):
    cycle = cycle_create(year=2017, model_version=ModelVersion.objects.get(code="2017"),
                         opens_on="2018-01-01", deadline="2099-03-31", actor=administrator)
    submission = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    version = version_create_from_upload(submission=submission,
                                         content=template_csv(valid_values()),
                                         filename="北京.csv", actor=officer_bj)
    wait_for(lambda: Version.objects.get(pk=version.pk).is_validated, what="validation")

    officer = _login(chromium, live_server, "officer-bj")
    officer.goto(f"{live_server.url}/submissions/{submission.pk}/")
    officer.click("#submit-button")
    _state(officer, live_server, submission, "awaiting_review")

    review = _login(chromium, live_server, "reviewer")
    review.goto(f"{live_server.url}/submissions/{submission.pk}/")
    review.fill("#id_reason", "E102 请注明数据来源")
    review.click("#return-button")
    _state(review, live_server, submission, "returned")

    officer.goto(f"{live_server.url}/submissions/")
    assert "E102 请注明数据来源" in officer.content()  # the reason, on the officer's home
    officer.goto(f"{live_server.url}/submissions/{submission.pk}/edit/")
    officer.fill("textarea[name=note_E102]", "来源：省政务服务管理办公室")
    officer.click("#save-values")
    wait_for(lambda: Submission.objects.get(pk=submission.pk).current_version.is_validated,
             what="validation of the correction")
    _state(officer, live_server, submission, "draft")
    officer.click("#submit-button")
    _state(officer, live_server, submission, "awaiting_review")

    review.goto(f"{live_server.url}/submissions/{submission.pk}/")
    assert "来源：省政务服务管理办公室" in review.content()  # the explanation, beside the value
    review.click("#approve-button")
    _state(review, live_server, submission, "approved")

    admin = _login(chromium, live_server, "admin")
    admin.goto(f"{live_server.url}/national/2017/")
    tile = admin.locator('#completeness-grid [data-region="110000"]')
    assert tile.get_attribute("data-status") == "approved"
    colour = tile.evaluate("el => getComputedStyle(el).backgroundColor")
    red, green, blue = map(int, re.findall(r"\d+", colour)[:3])
    assert green > red and green > blue, colour  # the province is green
    other = admin.locator('#completeness-grid [data-region="310000"]')
    assert other.get_attribute("data-status") == "not_started"

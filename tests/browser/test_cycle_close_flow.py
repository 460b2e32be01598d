"""Closing and reopening a cycle in a real browser (issue 15): the administrator closes the
cycle after a confirmation page; the officer sees 已截止 with the date and cannot upload; the
administrator reopens it with a reason; the officer submits — with a real Celery worker."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audit.models import AuditEntry
from indicators.models import ModelVersion
from submissions.models import Cycle, Submission, Version
from submissions.services.cycles import cycle_create
from submissions.services.versions import version_create_from_upload
from tests.browser.test_review_flow import _login, _state
from tests.integration.conftest import wait_for
from tests.submissions.helpers import template_csv, valid_values

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administrator_closes_and_reopens_and_the_officer_submits(
        chromium, live_server, celery_worker_thread, officer_bj, administrator):
    cycle = cycle_create(year=2017, model_version=ModelVersion.objects.get(code="2017"),
                         opens_on="2018-01-01", deadline="2099-03-31", actor=administrator)
    submission = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    version = version_create_from_upload(submission=submission,
                                         content=template_csv(valid_values()),
                                         filename="北京.csv", actor=officer_bj)
    wait_for(lambda: Version.objects.get(pk=version.pk).is_validated, what="validation")
    base = live_server.url

    admin = _login(chromium, live_server, administrator.username)
    admin.goto(f"{base}/submissions/cycles/")
    admin.locator("#cycles-table button[name=state]").click()
    # Not done yet: the page says what will happen and asks for the deliberate second action.
    expect(admin.locator("h1")).to_contain_text("确认截止 2017 年度填报")
    expect(admin.locator("#confirm")).to_contain_text("不能再上传、修改、说明或提交")
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.OPEN
    admin.click("#confirm-button")
    expect(admin.locator(".messages")).to_contain_text("已截止 2017 年度填报")
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.CLOSED

    officer = _login(chromium, live_server, officer_bj.username)
    officer.goto(f"{base}/submissions/{submission.pk}/")
    expect(officer.locator(".deadline.closed")).to_have_text("已截止（2099-03-31）")
    expect(officer.locator("#upload-button")).to_have_count(0)
    expect(officer.locator("#submit-button")).to_have_count(0)
    assert "天）" not in officer.locator("main").inner_text()
    officer.goto(f"{base}/submissions/")
    expect(officer.locator("main")).to_contain_text("填报已截止，不能再修改或提交")

    admin.goto(f"{base}/submissions/cycles/")
    admin.locator("#cycles-table button[name=state]").click()
    expect(admin.locator("h1")).to_contain_text("确认重新开放 2017 年度填报")
    admin.click("#confirm-button")  # without a reason: refused at the field
    expect(admin.locator("#id_confirm_reason-error")).to_contain_text("请填写原因")
    assert Cycle.objects.get(pk=cycle.pk).state == Cycle.State.CLOSED
    admin.fill("#id_confirm_reason", "两个地区补报数据")
    admin.click("#confirm-button")
    expect(admin.locator(".messages")).to_contain_text("已重新开放 2017 年度填报")
    assert AuditEntry.objects.filter(action="cycle.state").latest("sequence").data[
        "reason"] == "两个地区补报数据"

    officer.goto(f"{base}/submissions/{submission.pk}/")
    expect(officer.locator("#upload-button")).to_be_visible()
    officer.click("#submit-button")
    _state(officer, live_server, submission, "awaiting_review")

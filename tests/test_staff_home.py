"""The staff's home (``config.views.home``, ``config/dashboard.py``): each role sees what needs
its action now; an officer is sent to their own submissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from accounts import roles
from indicators.models import Region
from submissions.models import Submission, Version
from tests.factories import CycleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _open_cycle(officer, *, days_left: int = 12):
    cycle = CycleFactory(year=2018, deadline=timezone.localdate() + timedelta(days=days_left))
    for code, state, unexplained in (("110000", Submission.State.AWAITING_REVIEW, 2),
                                     ("310000", Submission.State.AWAITING_REVIEW, 0),
                                     ("440000", Submission.State.APPROVED, 0),
                                     ("120000", Submission.State.DRAFT, 0)):
        submission = Submission.objects.create(cycle=cycle, region=Region.objects.get(code=code),
                                               state=state)
        version = Version.objects.create(submission=submission, number=1, source="upload",
                                         created_by=officer, unexplained_warning_count=unexplained)
        submission.current_version = version
        submission.save()
    return cycle


def test_an_officer_is_sent_to_their_submissions(bj_client):
    response = bj_client.get("/")
    assert response.status_code == 302 and response["Location"] == "/submissions/"


def test_a_reviewer_sees_what_awaits_review(reviewer_client, officer_bj):
    cycle = _open_cycle(officer_bj)
    page = reviewer_client.get("/").content.decode()
    assert 'id="staff-dashboard"' in page and 'id="review-work"' in page
    assert "2018 年度：2 份填报等待审核，其中 1 份有未说明的警告。" in page
    assert f"?cycle={cycle.pk}&amp;state=awaiting_review" in page
    assert 'id="cycle-progress"' not in page and 'id="security-work"' not in page
    english = reviewer_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2018: 2 submissions await review, 1 with unexplained warnings." in english


def test_an_administrator_sees_the_cycles_progress_and_the_runs_to_publish(admin_client_,
                                                                          officer_bj):
    _open_cycle(officer_bj, days_left=-3)
    page = admin_client_.get("/").content.decode()
    row = page[page.index('<tr data-cycle="2018">'):]
    row = row[:row.index("</tr>")]
    assert "逾期 3 天" in row
    cells = [c.split("<", 1)[0] for c in row.split('<td class="num">')[1:]]
    assert cells == ["1", "2", "29"]  # approved, in review, not submitted: of 32 units
    assert 'id="runs-to-publish"' in page and "没有等待发布的测算。" in page
    assert 'id="review-work"' in page  # administrators decide on submissions too


def test_an_auditor_sees_the_audit_logs_last_day(auditor_client, officer_bj):
    Client().post("/accounts/login/", {"username": "officer-bj", "password": "wrong"})
    page = auditor_client.get("/").content.decode()
    assert 'id="audit-work"' in page and "其中登录失败 1 次。" in page
    assert 'id="review-work"' not in page  # auditors read, they do not decide


def test_a_security_administrator_sees_locked_and_unenrolled_accounts(security_client,
                                                                      settings):
    UserFactory(username="new-reviewer", role_names=[roles.REVIEWER])
    AccessAttempt.objects.create(username="officer-gd", ip_address="10.0.0.1", user_agent="",
                                 http_accept="", path_info="/accounts/login/",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT)
    page = security_client.get("/").content.decode()
    assert 'id="security-work"' in page
    locked = page[page.index('id="locked-accounts"'):]
    assert "officer-gd" in locked[:locked.index("</ul>")]
    pending = page[page.index('id="pending-accounts"'):]
    assert "new-reviewer" in pending[:pending.index("</ul>")]
    assert "目前被锁定的账号：1 个" in page
    assert 'id="review-work"' not in page and 'id="audit-work"' not in page


def test_the_public_still_gets_the_public_home(anon_client):
    page = anon_client.get("/").content.decode()
    assert 'id="staff-dashboard"' not in page and "公开排名" in page

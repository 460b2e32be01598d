"""The officer's home: the region's submissions, each with what to do next and, when it was
returned, why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from submissions.models import Submission, Transition, Version
from tests.factories import CycleFactory

S = Submission.State
URL = reverse("submissions:officer_home")


def _next_step(client) -> list[str]:
    page = client.get(URL).content.decode()
    cells = page.split('<td class="next-step">')[1:]
    return [cell[:cell.index("</td>")].split("<br>")[0].strip() for cell in cells]


def _version(submission, **counts) -> Version:
    version = Version.objects.create(submission=submission, number=1, source="edit",
                                     validation="valid",
                                     created_by=User.objects.get(region=submission.region),
                                     **counts)
    Submission.objects.filter(pk=submission.pk).update(current_version=version)
    return version


@pytest.mark.parametrize(("state", "counts", "expected"), [
    (S.DRAFT, None, "下载模板，填写后上传"),
    (S.DRAFT, {"error_count": 1}, "改正错误"),
    (S.DRAFT, {"warning_count": 1, "unexplained_warning_count": 1}, "在备注中说明警告，然后提交"),
    (S.DRAFT, {}, "提交审核"),
    (S.INVALID, {"error_count": 1}, "改正错误后重新提交"),
    (S.AWAITING_REVIEW, {}, "等待审核"),
    (S.APPROVED, {}, "无需操作"),
])
def test_it_says_what_to_do_next(bj_client, bj_submission, state, counts, expected):
    if counts is not None:
        _version(bj_submission, **counts)
    Submission.objects.filter(pk=bj_submission.pk).update(state=state)
    assert _next_step(bj_client) == [expected]


def test_it_shows_the_latest_reason_of_a_returned_submission(bj_client, bj_submission,
                                                            reviewer):
    Submission.objects.filter(pk=bj_submission.pk).update(state=S.RETURNED)
    for reason in ("第一次退回", "第二次退回"):
        Transition.objects.create(submission=bj_submission, action="return",
                                  from_state=S.AWAITING_REVIEW, to_state=S.RETURNED,
                                  actor=reviewer, reason=reason)
    page = bj_client.get(URL).content.decode()
    assert "按审核意见修改后重新提交" in page and "退回原因：第二次退回" in page
    assert "第一次退回" not in page


def test_it_reads_the_page_in_a_fixed_number_of_queries(bj_client, officer_bj,
                                                        django_assert_max_num_queries):
    for year in (2015, 2016, 2017):
        submission = Submission.objects.create(cycle=CycleFactory(year=year),
                                               region=officer_bj.region, state=S.RETURNED)
        _version(submission)
    with django_assert_max_num_queries(12):
        assert bj_client.get(URL).status_code == 200

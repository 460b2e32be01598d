"""Outcomes said in words: each action's message names what happened to what (region, year,
file, version), never "已处理"; a returned submission shows the reviewer's reason at the top of
the officer's home and detail pages."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import ModelVersion
from submissions.models import Submission, Transition
from tests.factories import CycleFactory
from tests.submissions.helpers import template_csv, valid_values

S = Submission.State


def _messages(response) -> str:
    html = response.content.decode()
    start = html.find('<ul class="messages">')
    assert start >= 0, "no message shown"
    return html[start:html.index("</ul>", start)]


def _set(submission, state) -> None:
    Submission.objects.filter(pk=submission.pk).update(state=state)


def test_an_upload_names_the_submission_the_file_and_the_version(bj_client, bj_submission):
    upload = template_csv(valid_values())
    response = bj_client.post(reverse("submissions:upload", args=[bj_submission.pk]),
                              {"file": SimpleUploadedFile("北京-2017.csv", upload)}, follow=True)
    assert "已收到 北京市 2017 年填报的文件「北京-2017.csv」（第 1 版），正在校验" in (
        _messages(response))


def test_a_reviewers_decisions_say_what_happened_to_which_submission(
        reviewer_client, admin_client_, bj_submission):
    url = reverse("submissions:review", args=[bj_submission.pk, "return"])
    _set(bj_submission, S.AWAITING_REVIEW)
    response = reviewer_client.post(url, {"reason": "E101 偏高"}, follow=True)
    assert "已退回 北京市 2017 年填报，理由已通知填报员" in _messages(response)
    _set(bj_submission, S.AWAITING_REVIEW)
    response = reviewer_client.post(reverse("submissions:review",
                                            args=[bj_submission.pk, "approve"]),
                                    {"reason": ""}, follow=True)
    assert "已审核通过 北京市 2017 年填报，已通知填报员" in _messages(response)
    response = admin_client_.post(reverse("submissions:reopen", args=[bj_submission.pk]),
                                  {"reason": "人口数据更正", "confirm": "1"}, follow=True)
    assert "已重新打开 北京市 2017 年填报" in _messages(response)
    assert "已处理" not in response.content.decode()


def test_in_english_the_same_words(reviewer_client, bj_submission):
    _set(bj_submission, S.AWAITING_REVIEW)
    reviewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = reviewer_client.post(reverse("submissions:review",
                                            args=[bj_submission.pk, "return"]),
                                    {"reason": "E101 too high"}, follow=True)
    assert "Returned the 2017 submission of Beijing; the officers were sent the reason" in (
        _messages(response))


def test_cycle_changes_say_which_cycle_and_what_now(admin_client_, bootstrapped):
    response = admin_client_.post(reverse("submissions:cycles"), {
        "year": 2019, "model_version": ModelVersion.objects.get(code="2017").pk,
        "opens_on": "2019-01-01", "deadline": "2019-03-31"}, follow=True)
    assert "已创建 2019 年度填报周期（指标体系 2017，截止日期 2019-03-31），各地区的填报已建好" in (
        _messages(response))
    cycle = CycleFactory()
    response = admin_client_.post(reverse("submissions:cycle_update", args=[cycle.pk]),
                                  {"deadline": "2018-04-15"}, follow=True)
    assert f"已将 {cycle.year} 年度填报的截止日期改为 2018-04-15" in _messages(response)


def test_a_returned_submission_shows_the_reason_at_the_top_of_both_pages(
        bj_client, bj_submission, reviewer):
    _set(bj_submission, S.RETURNED)
    Transition.objects.create(submission=bj_submission, action="return",
                              from_state=S.AWAITING_REVIEW, to_state=S.RETURNED, actor=reviewer,
                              reason="E101 比上年高出一倍，请核实")
    for url in (reverse("submissions:officer_home"),
                reverse("submissions:detail", args=[bj_submission.pk])):
        html = bj_client.get(url).content.decode()
        banner = html.index('class="messages returned-reason"')
        assert html.index("<h1>") < banner < html.index("<table")
        assert "退回原因：E101 比上年高出一倍，请核实" in html[banner:banner + 600]


def test_no_banner_once_it_is_no_longer_returned(bj_client, bj_submission, reviewer):
    Transition.objects.create(submission=bj_submission, action="return",
                              from_state=S.AWAITING_REVIEW, to_state=S.RETURNED, actor=reviewer,
                              reason="旧的原因")
    _set(bj_submission, S.DRAFT)
    html = bj_client.get(reverse("submissions:detail", args=[bj_submission.pk])).content.decode()
    assert "returned-reason" not in html

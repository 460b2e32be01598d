"""E-mails to officers and reviewers: in each recipient's language, plain text and HTML, each
reminder once per submission and threshold, a reviewer's digest at most once an hour."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone, translation

from indicators.models import ModelVersion
from submissions.models import Cycle, Notice, Submission, Transition
from submissions.services.cycles import cycle_create, cycle_set_state
from submissions.services.notifications import deadline_remind, review_digest
from submissions.services.review import submission_transition
from submissions.workflow import Action, Actor

S = Submission.State


def _cycle(actor, *, deadline_in: int = 0) -> Cycle:
    today = timezone.localdate()
    return cycle_create(year=2017, model_version=ModelVersion.objects.get(code="2017"),
                        opens_on=today, deadline=today + timedelta(days=deadline_in),
                        actor=actor)


def _awaiting(cycle: Cycle, region) -> Submission:
    submission = Submission.objects.get(cycle=cycle, region=region)
    Submission.objects.filter(pk=submission.pk).update(state=S.AWAITING_REVIEW)
    return submission


def _html(message) -> str:
    (html, kind), = message.alternatives
    assert kind == "text/html"
    return html


def test_it_mails_the_officers_when_a_submission_is_returned(
        officer_bj, reviewer, django_capture_on_commit_callbacks):
    submission = _awaiting(_cycle(reviewer), officer_bj.region)
    with django_capture_on_commit_callbacks(execute=True):
        submission_transition(submission_id=submission.pk, action=Action.RETURN,
                              actor=reviewer, actor_role=Actor.REVIEWER, reason="E101 有误")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer-bj@example.org"]
    assert message.subject == "【信息化发展评价】2017 年度 北京市 填报已退回，请修改后重新提交"
    assert "退回原因：E101 有误" in message.body
    assert "退回原因：E101 有误" in _html(message) and '<html lang="zh-hans">' in _html(message)


def test_it_writes_each_mail_in_its_recipients_language_whoever_decides(
        officer_bj, reviewer, django_capture_on_commit_callbacks):
    colleague = type(officer_bj).objects.create(username="bj-en", email="en@example.org",
                                                region=officer_bj.region, language="en")
    submission = _awaiting(_cycle(reviewer), officer_bj.region)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        submission_transition(submission_id=submission.pk, action=Action.APPROVE,
                              actor=reviewer, actor_role=Actor.REVIEWER)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {
        "officer-bj@example.org": "【信息化发展评价】2017 年度 北京市 填报已审核通过",
        colleague.email: "[IFDI] 2017 submission of Beijing approved",
    }


def test_it_mails_the_officers_when_an_approved_submission_is_reopened(
        officer_bj, administrator, django_capture_on_commit_callbacks):
    submission = Submission.objects.get(cycle=_cycle(administrator), region=officer_bj.region)
    Submission.objects.filter(pk=submission.pk).update(state=S.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        submission_transition(submission_id=submission.pk, action=Action.REOPEN,
                              actor=administrator, actor_role=Actor.ADMINISTRATOR,
                              reason="人口数据更正")
    assert [m.to for m in mail.outbox] == [["officer-bj@example.org"]]
    assert "重新打开" in mail.outbox[0].subject
    assert "重新打开的原因：人口数据更正" in mail.outbox[0].body


def test_it_mails_every_officer_when_a_cycle_opens_and_when_it_reopens(
        officer_bj, officer_sh, administrator, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cycle = _cycle(administrator, deadline_in=30)
    deadline = timezone.localdate() + timedelta(days=30)
    assert sorted(m.to[0] for m in mail.outbox) == ["officer-bj@example.org",
                                                    "officer-sh@example.org"]
    assert mail.outbox[0].subject == f"【信息化发展评价】2017 年度填报已开放，截止日期 {deadline}"
    mail.outbox.clear()
    cycle_set_state(cycle=cycle, state=Cycle.State.CLOSED, actor=administrator)
    with django_capture_on_commit_callbacks(execute=True):
        cycle_set_state(cycle=cycle, state=Cycle.State.OPEN, actor=administrator,
                        reason="延长填报")
    assert len(mail.outbox) == 2


def test_it_reminds_seven_three_and_one_days_before_the_deadline_once_each(
        officer_bj, officer_sh, administrator):
    cycle = _cycle(administrator, deadline_in=8)
    _awaiting(cycle, officer_sh.region)  # submitted: not reminded
    today = timezone.localdate()
    sent = []
    for day in range(10):  # the daily task, twice a day, up to the deadline and past it
        for _run in range(2):
            deadline_remind(today=today + timedelta(days=day))
        sent += [(day, m.to[0]) for m in mail.outbox]
        mail.outbox.clear()
    assert sent == [(1, "officer-bj@example.org"), (5, "officer-bj@example.org"),
                    (7, "officer-bj@example.org")]
    bj = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    assert set(Notice.objects.filter(data__submission=bj.pk).values_list("key", flat=True)) == {
        f"deadline:{bj.pk}:7", f"deadline:{bj.pk}:3", f"deadline:{bj.pk}:1"}


def test_a_missed_threshold_is_still_reminded_at_the_next_run_in_one_mail(
        officer_bj, administrator):
    cycle = _cycle(administrator, deadline_in=8)
    today = timezone.localdate()
    # The task did not run from 7 days before the deadline to 2 days before: one reminder.
    assert deadline_remind(today=today + timedelta(days=6)) == 1
    assert len(mail.outbox) == 1
    assert "（还有 2 天）" in mail.outbox[0].subject
    assert deadline_remind(today=today + timedelta(days=6)) == 0
    bj = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    assert Notice.objects.filter(key__startswith=f"deadline:{bj.pk}:").count() == 2
    assert deadline_remind(today=today + timedelta(days=7)) == 1  # the 1-day threshold


def test_no_reminder_for_a_closed_cycle_or_after_the_deadline(officer_bj, administrator):
    cycle = _cycle(administrator, deadline_in=3)
    today = timezone.localdate()
    assert deadline_remind(today=today + timedelta(days=4)) == 0
    cycle_set_state(cycle=cycle, state=Cycle.State.CLOSED, actor=administrator)
    assert deadline_remind(today=today) == 0
    assert mail.outbox == []


def _now_awaiting(submission: Submission, at) -> None:
    Submission.objects.filter(pk=submission.pk).update(state=S.AWAITING_REVIEW)
    transition = Transition.objects.create(submission=submission, action=Action.VALIDATION_PASSED,
                                           from_state=S.VALIDATING, to_state=S.AWAITING_REVIEW)
    Transition.objects.filter(pk=transition.pk).update(created_at=at)


def test_reviewers_get_at_most_one_digest_an_hour_of_what_is_new(
        officer_bj, officer_sh, reviewer, administrator):
    cycle = _cycle(administrator, deadline_in=30)
    now = timezone.now()
    bj = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    sh = Submission.objects.get(cycle=cycle, region=officer_sh.region)
    _now_awaiting(bj, now - timedelta(minutes=5))
    assert review_digest(now=now) == 1
    assert [m.to for m in mail.outbox] == [["reviewer@example.org"]]
    assert "北京市" in mail.outbox[0].body and _html(mail.outbox[0])
    mail.outbox.clear()
    _now_awaiting(sh, now + timedelta(minutes=10))
    assert review_digest(now=now + timedelta(minutes=20)) == 0  # within the hour
    assert review_digest(now=now + timedelta(minutes=61)) == 1
    assert "上海市" in mail.outbox[0].body and "北京市" not in mail.outbox[0].body
    mail.outbox.clear()
    assert review_digest(now=now + timedelta(hours=3)) == 0  # nothing new

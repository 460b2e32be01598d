from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone, translation

from indicators.models import ModelVersion
from submissions.models import Submission
from submissions.services.cycles import cycle_create
from submissions.services.notifications import deadline_remind
from submissions.services.review import submission_transition
from submissions.workflow import Action, Actor


def test_it_mails_the_officers_when_a_submission_is_returned(
        officer_bj, reviewer, django_capture_on_commit_callbacks):
    officer_bj.email = "bj@example.org"
    officer_bj.save()
    cycle = cycle_create(year=2017, model_version=ModelVersion.objects.get(code="2017"),
                         opens_on=timezone.localdate(), deadline=timezone.localdate(),
                         actor=reviewer)
    submission = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    Submission.objects.filter(pk=submission.pk).update(state=Submission.State.AWAITING_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        submission_transition(submission_id=submission.pk, action=Action.RETURN,
                              actor=reviewer, actor_role=Actor.REVIEWER, reason="E101 有误")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bj@example.org"]
    assert "退回" in mail.outbox[0].subject and "E101 有误" in mail.outbox[0].body


def test_it_reminds_three_days_before_the_deadline(officer_bj, officer_sh, administrator):
    officer_bj.email, officer_sh.email = "bj@example.org", "sh@example.org"
    officer_bj.save()
    officer_sh.save()
    today = timezone.localdate()
    cycle = cycle_create(year=2017, model_version=ModelVersion.objects.get(code="2017"),
                         opens_on=today, deadline=today + timedelta(days=3), actor=administrator)
    Submission.objects.filter(cycle=cycle, region=officer_sh.region).update(
        state=Submission.State.AWAITING_REVIEW)
    deadline_remind(today=today)
    assert [m.to for m in mail.outbox] == [["bj@example.org"]]
    mail.outbox.clear()
    deadline_remind(today=today + timedelta(days=1))
    assert mail.outbox == []


def test_it_writes_the_mail_in_the_sites_language_whoever_decides(
        officer_bj, reviewer, django_capture_on_commit_callbacks):
    officer_bj.email = "bj@example.org"
    officer_bj.save()
    cycle = cycle_create(year=2017, model_version=ModelVersion.objects.get(code="2017"),
                         opens_on=timezone.localdate(), deadline=timezone.localdate(),
                         actor=reviewer)
    submission = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    Submission.objects.filter(pk=submission.pk).update(state=Submission.State.AWAITING_REVIEW)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        submission_transition(submission_id=submission.pk, action=Action.APPROVE,
                              actor=reviewer, actor_role=Actor.REVIEWER)
    assert mail.outbox[0].subject == "【信息化发展评价】2017 年度 北京市 填报已审核通过"

"""E-mails to a region's officers: a decision on their submission, a deadline near.

Written in the site's language (``LANGUAGE_CODE``), whoever's request or worker sends them:
the officers read the platform in it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.i18n import in_language, localized
from submissions.models import EDITABLE_STATES, Cycle, Submission

S = Submission.State


def decision_notify(*, submission_id: int) -> None:
    """E-mail the region's officers that their submission was returned or approved."""
    submission = (Submission.objects.select_related("region", "cycle")
                  .filter(pk=submission_id).first())
    if submission is None or submission.state not in (S.RETURNED, S.APPROVED):
        return
    last = submission.transitions.order_by("-created_at", "-id").first()
    reason = last.reason if last else ""
    with in_language():
        names = {"year": submission.cycle.year, "region": localized(submission.region, "name")}
        if submission.state == S.RETURNED:
            subject = _("【信息化发展评价】{year} 年度 {region} 填报已退回，请修改后重新提交")
        else:
            subject = _("【信息化发展评价】{year} 年度 {region} 填报已审核通过")
        subject = subject.format(**names)
        body = f"{subject}\n\n" + (_("退回原因：{reason}").format(reason=reason) if reason else "")
    _officers_mail(submission, subject, body + "\n")


def deadline_remind(*, today: date | None = None, days: int = 3) -> int:
    """Remind the officers of submissions not yet submitted, ``days`` before the deadline."""
    today = today or timezone.localdate()
    count = 0
    for submission in Submission.objects.filter(
        cycle__deadline=today + timedelta(days=days), cycle__state=Cycle.State.OPEN,
        state__in=list(EDITABLE_STATES),
    ).select_related("region", "cycle"):
        with in_language():
            subject = _("【信息化发展评价】{year} 年度填报将于 {deadline} 截止").format(
                year=submission.cycle.year, deadline=submission.cycle.deadline)
            body = _("{region}：当前状态为「{state}」。").format(
                region=localized(submission.region, "name"),
                state=submission.get_state_display())
        _officers_mail(submission, subject, f"{subject}\n\n{body}\n")
        count += 1
    return count


def _officers_mail(submission: Submission, subject: str, body: str) -> None:
    recipients = list(User.objects.filter(region=submission.region, is_active=True)
                      .exclude(email="").values_list("email", flat=True))
    if recipients:
        send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients],
                       fail_silently=True)

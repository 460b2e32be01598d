"""E-mails: to a region's officers (a decision on their submission, a cycle opening, a deadline
near) and to the reviewers (submissions awaiting review, at most one digest an hour).

Each e-mail is written in its recipient's language (``User.language``), whoever's request or
worker sends it, with a plain-text and an HTML part. What must go out once (a reminder per
submission and threshold, a reviewer's digest) is recorded as a ``Notice`` first: its unique
key keeps a late, repeated or concurrent run of the task from sending it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import roles
from accounts.models import User
from common.i18n import in_language, localized
from submissions.models import EDITABLE_STATES, Cycle, Notice, Submission, Transition
from submissions.workflow import Action

S = Submission.State

# Days before the deadline at which officers who have not submitted are reminded.
REMINDER_DAYS = (7, 3, 1)
# A reviewer hears of new submissions awaiting review at most once in this time.
DIGEST_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class Mail:
    """One e-mail as its recipient reads it: a subject and paragraphs (and a list)."""

    subject: str
    paragraphs: list[str]
    items: list[str] = field(default_factory=list)

    def text(self) -> str:
        parts = [self.subject, *self.paragraphs]
        if self.items:
            parts.append("\n".join(f"- {item}" for item in self.items))
        return "\n\n".join(parts) + "\n"


def mail_send(*, users: Iterable[User], compose: Callable[[User], Mail]) -> int:
    """Compose one e-mail per person with an address, in that person's language; send them."""
    messages = []
    for user in users:
        if not user.email:
            continue
        with in_language(user.language):
            mail = compose(user)
            html = render_to_string("submissions/email/notice.html",
                                    {"mail": mail, "language": user.language})
        message = EmailMultiAlternatives(mail.subject, mail.text(),
                                         settings.DEFAULT_FROM_EMAIL, [user.email])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    if messages:
        get_connection(fail_silently=True).send_messages(messages)
    return len(messages)


def _officers(region_id: int) -> list[User]:
    return list(User.objects.filter(region_id=region_id, is_active=True).exclude(email="")
                .order_by("pk"))


def _subject(text: str) -> str:
    return _("【信息化发展评价】{text}").format(text=text)


# --- decisions ------------------------------------------------------------------------------

DECISIONS = (Action.APPROVE, Action.RETURN, Action.REOPEN)


def decision_notify(*, submission_id: int) -> int:
    """E-mail the region's officers that their submission was returned, approved or reopened
    (the submission's latest transition), with the reviewer's or administrator's reason."""
    submission = (Submission.objects.select_related("region", "cycle")
                  .filter(pk=submission_id).first())
    if submission is None:
        return 0
    last = submission.transitions.order_by("-created_at", "-id").first()
    if last is None or last.action not in DECISIONS:
        return 0

    def compose(user: User) -> Mail:
        names = {"year": submission.cycle.year, "region": localized(submission.region, "name")}
        if last.action == Action.RETURN:
            subject = _("{year} 年度 {region} 填报已退回，请修改后重新提交").format(**names)
            reason = _("退回原因：{reason}")
        elif last.action == Action.REOPEN:
            subject = _("{year} 年度 {region} 填报已重新打开，可以修改后重新提交").format(**names)
            reason = _("重新打开的原因：{reason}")
        else:
            subject = _("{year} 年度 {region} 填报已审核通过").format(**names)
            reason = _("审核意见：{reason}")
        paragraphs = [reason.format(reason=last.reason)] if last.reason else []
        paragraphs.append(_("请登录数据填报平台查看。"))
        return Mail(_subject(subject), paragraphs)

    return mail_send(users=_officers(submission.region_id), compose=compose)


# --- a cycle opens --------------------------------------------------------------------------

def cycle_open_notify(*, cycle_id: int) -> int:
    """E-mail every officer that a cycle is open (created or reopened), with its deadline."""
    cycle = Cycle.objects.filter(pk=cycle_id, state=Cycle.State.OPEN).first()
    if cycle is None:
        return 0
    officers = (User.objects.filter(region__isnull=False, is_active=True).exclude(email="")
                .select_related("region").order_by("pk"))

    def compose(user: User) -> Mail:
        subject = _("{year} 年度填报已开放，截止日期 {deadline}").format(
            year=cycle.year, deadline=cycle.deadline)
        return Mail(_subject(subject), [
            _("{region}：请登录数据填报平台，下载填报模板，填写后上传并提交审核。").format(
                region=localized(user.region, "name")),
        ])

    return mail_send(users=officers, compose=compose)


# --- deadlines ------------------------------------------------------------------------------

def deadline_remind(*, today: date | None = None) -> int:
    """Remind the officers of every submission not yet submitted when the deadline is 7, 3 or
    1 days away. A threshold passed while the task did not run (late, a day missed) is still
    reminded at the next run, up to the deadline; a submission hears of each threshold once
    (one e-mail when a run finds several passed). Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    count = 0
    cycles = Cycle.objects.filter(state=Cycle.State.OPEN, deadline__gte=today,
                                  deadline__lte=today + timedelta(days=max(REMINDER_DAYS)))
    for cycle in cycles:
        days_left = (cycle.deadline - today).days
        reached = [days for days in REMINDER_DAYS if days_left <= days]
        submissions = (cycle.submissions.filter(state__in=list(EDITABLE_STATES))
                       .select_related("region", "cycle").order_by("pk"))
        for submission in submissions:
            if _notices_record(submission, reached):
                count += _deadline_mail(submission, days_left)
    return count


def _notices_record(submission: Submission, reached: list[int]) -> bool:
    """Record the reminders of ``reached`` thresholds not sent yet; True when there was one.
    Each key is inserted on its own: a concurrent run inserts it first or finds it there."""
    recorded = False
    now = timezone.now()
    for days in reached:
        key = f"deadline:{submission.pk}:{days}"
        if Notice.objects.filter(key=key).exists():
            continue
        try:
            with transaction.atomic():
                Notice.objects.create(key=key, sent_at=now,
                                      data={"submission": submission.pk, "days": days})
        except IntegrityError:
            continue
        recorded = True
    return recorded


def _deadline_mail(submission: Submission, days_left: int) -> int:
    def compose(user: User) -> Mail:
        left = (ngettext("还有 {days} 天", "还有 {days} 天", days_left) if days_left
                else _("今天截止"))
        subject = _("{year} 年度填报将于 {deadline} 截止（{left}）").format(
            year=submission.cycle.year, deadline=submission.cycle.deadline,
            left=left.format(days=days_left))
        return Mail(_subject(subject), [
            _("{region}：当前状态为「{state}」，尚未提交审核。").format(
                region=localized(submission.region, "name"),
                state=submission.get_state_display()),
            _("请在截止日期前提交审核。"),
        ])

    return mail_send(users=_officers(submission.region_id), compose=compose)


# --- reviewers ------------------------------------------------------------------------------

def review_digest(*, now: datetime | None = None) -> int:
    """E-mail each reviewer the submissions that began awaiting review since their last
    digest, at most one digest per DIGEST_INTERVAL each. Returns the number of digests."""
    now = now or timezone.now()
    awaiting = list(Submission.objects.filter(state=S.AWAITING_REVIEW)
                    .select_related("region", "cycle").order_by("cycle__year", "region__code"))
    if not awaiting:
        return 0
    since = dict(Transition.objects.filter(submission__in=awaiting, to_state=S.AWAITING_REVIEW)
                 .values("submission_id").annotate(at=Max("created_at"))
                 .values_list("submission_id", "at"))
    reviewers = (User.objects.filter(groups__name=roles.REVIEWER, is_active=True)
                 .exclude(email="").distinct().order_by("pk"))
    sent = 0
    for reviewer in reviewers:
        new = _digest_record(reviewer, awaiting, since, now)
        if new:
            _digest_mail(reviewer, new, len(awaiting))
            sent += 1
    return sent


@transaction.atomic
def _digest_record(reviewer: User, awaiting: list[Submission],
                   since: dict[int, datetime], now: datetime) -> list[Submission]:
    """The submissions of the reviewer's next digest, recorded as sent; [] when the last
    digest is less than DIGEST_INTERVAL old or there is nothing new. The reviewer's row lock
    orders concurrent runs."""
    User.objects.select_for_update().filter(pk=reviewer.pk).first()
    last = (Notice.objects.filter(recipient=reviewer, key__startswith="digest:")
            .order_by("-sent_at").first())
    if last is not None and now - last.sent_at < DIGEST_INTERVAL:
        return []
    new = [s for s in awaiting if last is None or since.get(s.pk, now) > last.sent_at]
    if new:
        Notice.objects.create(key=f"digest:{reviewer.pk}:{now.isoformat()}", recipient=reviewer,
                              sent_at=now, data={"submissions": [s.pk for s in new]})
    return new


def _digest_mail(reviewer: User, new: list[Submission], total: int) -> None:
    def compose(user: User) -> Mail:
        subject = ngettext("{count} 份填报等待审核", "{count} 份填报等待审核",
                           len(new)).format(count=len(new))
        return Mail(_subject(subject), [
            ngettext("目前共有 {total} 份填报等待审核。", "目前共有 {total} 份填报等待审核。",
                     total).format(total=total),
            _("自上次通知以来新提交的："),
        ], items=[_("{year} 年度 {region}").format(year=s.cycle.year,
                                                   region=localized(s.region, "name"))
                  for s in new])

    mail_send(users=[reviewer], compose=compose)

"""The reads of the staff's home page (``config.views.home``): what needs each role's action now.

The page is the platform's front door, so it reads across apps, as ``config`` may; each part
is a few counting queries, whatever the number of regions or entries:

- reviewers: the submissions awaiting review in each open cycle, and how many of them carry
  warnings the officer has not explained;
- administrators: each open cycle's progress (how many units reached which state) and the
  scoring runs made since the cycle's last publication, waiting to be published;
- auditors: the audit log's entries and failed logins of the last 24 hours;
- security administrators: the accounts locked out now, and the staff accounts still without
  their second factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.models import User
from audit.models import AuditEntry
from indicators.models import Region
from scoring.models import ScoringRun
from submissions.models import Cycle, Submission

S = Submission.State
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class ReviewWork:
    cycle: Cycle
    awaiting: int
    unexplained: int     # of those awaiting: with warnings the officer did not explain


@dataclass(frozen=True)
class CycleProgress:
    cycle: Cycle
    units: int           # reporting units (regions)
    not_submitted: int   # draft, invalid, returned, or no submission yet
    in_review: int       # submitted, validating, awaiting review
    approved: int

    @property
    def days_left(self) -> int:
        """Days to the deadline in Beijing; negative once it has passed."""
        return (self.cycle.deadline - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        return -self.days_left

    @property
    def percent_approved(self) -> int:
        return round(100 * self.approved / self.units) if self.units else 0


@dataclass(frozen=True)
class AuditWork:
    entries: int
    failed_logins: int
    since: Any


@dataclass(frozen=True)
class SecurityWork:
    locked: list[str]            # user names locked out now
    without_second_factor: list[str]


def open_cycles() -> list[Cycle]:
    return list(Cycle.objects.filter(state=Cycle.State.OPEN).order_by("-year"))


def review_work() -> list[ReviewWork]:
    counts = (Submission.objects.filter(cycle__state=Cycle.State.OPEN, state=S.AWAITING_REVIEW)
              .values("cycle").annotate(
                  n=Count("id"),
                  unexplained=Count("id", filter=Q(
                      current_version__unexplained_warning_count__gt=0))))
    by_cycle: dict[int, tuple[int, int]] = {c["cycle"]: (c["n"], c["unexplained"])
                                            for c in counts}
    return [ReviewWork(cycle, *by_cycle.get(cycle.pk, (0, 0))) for cycle in open_cycles()]


def cycle_progress() -> list[CycleProgress]:
    units = Region.objects.count()
    rows = (Submission.objects.filter(cycle__state=Cycle.State.OPEN)
            .values("cycle", "state").annotate(n=Count("id")))
    states: dict[int, dict[str, int]] = {}
    for row in rows:
        states.setdefault(row["cycle"], {})[row["state"]] = row["n"]
    result = []
    for cycle in open_cycles():
        of = states.get(cycle.pk, {})
        approved = of.get(S.APPROVED, 0)
        in_review = sum(of.get(s, 0) for s in (S.SUBMITTED, S.VALIDATING, S.AWAITING_REVIEW))
        result.append(CycleProgress(cycle, units, units - approved - in_review, in_review,
                                    approved))
    return result


def runs_to_publish() -> list[ScoringRun]:
    """Runs made after their cycle's last publication (or of a cycle never published)."""
    runs = list(ScoringRun.objects.filter(published_at__isnull=True)
                .select_related("cycle").order_by("-created_at")[:50])
    published: dict[int, Any] = {}
    for run in ScoringRun.objects.filter(published_at__isnull=False).values(
            "cycle", "published_at"):
        if run["cycle"] not in published or run["published_at"] > published[run["cycle"]]:
            published[run["cycle"]] = run["published_at"]
    return [r for r in runs if r.cycle_id not in published or r.created_at > published[r.cycle_id]]


def audit_work() -> AuditWork:
    since = timezone.now() - DAY
    recent = AuditEntry.objects.filter(created_at__gte=since)
    return AuditWork(recent.count(), recent.filter(action="auth.login_failed").count(), since)


def security_work() -> SecurityWork:
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    locked = sorted({a.username for a in attempts if a.username})
    staff_groups = sorted(roles.SECOND_FACTOR_ROLES)
    enrolled = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    pending = (User.objects.filter(is_active=True, groups__name__in=staff_groups)
               .exclude(pk__in=enrolled).distinct().order_by("username")
               .values_list("username", flat=True))
    return SecurityWork(locked, list(pending))

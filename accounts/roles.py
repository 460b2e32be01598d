"""The roles of the platform, as Django groups, and questions about a user's roles.

Roles are groups so that a security administrator assigns them in the admin; the questions
below are the only place that knows the group names.

Separation of duties (三员分立, GB/T 22239-2019 level 3): the administrator runs the platform's
work (cycles, models, scoring, publication), the security administrator manages accounts, roles
and second factors, the auditor reads and exports the audit log. No account holds two of these
three (``DUTY_ROLES``): ``conflicting_duties`` is the one test, used by the services, the admin
form, the group-membership guard and the ``check`` command.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

OFFICER = "province_officer"
REVIEWER = "reviewer"
ADMINISTRATOR = "administrator"
AUDITOR = "auditor"
SECURITY_ADMINISTRATOR = "security_administrator"

ROLE_LABELS = {
    OFFICER: _("省级填报员"),
    REVIEWER: _("审核员"),
    ADMINISTRATOR: _("管理员"),
    AUDITOR: _("审计员"),
    SECURITY_ADMINISTRATOR: _("安全管理员"),
}
ALL_ROLES = tuple(ROLE_LABELS)
# The three duties no account may combine.
DUTY_ROLES = frozenset({ADMINISTRATOR, SECURITY_ADMINISTRATOR, AUDITOR})
# Roles that always need a second factor; officers only where settings.OTP_REQUIRED_FOR_OFFICERS.
SECOND_FACTOR_ROLES = frozenset({REVIEWER, ADMINISTRATOR, SECURITY_ADMINISTRATOR, AUDITOR})


def conflicting_duties(role_names: Any) -> frozenset[str]:
    """The duties among ``role_names`` when there are two or more of them, else nothing."""
    duties = DUTY_ROLES & frozenset(role_names)
    return duties if len(duties) > 1 else frozenset()


def user_roles(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {ADMINISTRATOR}
        user._role_cache = cached
    return cached


def is_officer(user: Any) -> bool:
    return OFFICER in user_roles(user) and getattr(user, "region_id", None) is not None


def is_reviewer(user: Any) -> bool:
    return REVIEWER in user_roles(user)


def is_administrator(user: Any) -> bool:
    return ADMINISTRATOR in user_roles(user)


def is_auditor(user: Any) -> bool:
    return AUDITOR in user_roles(user)


def is_security_administrator(user: Any) -> bool:
    return SECURITY_ADMINISTRATOR in user_roles(user)


def is_national_staff(user: Any) -> bool:
    """National staff: every role but the province officer's (and staff sessions are the ones
    whose number is limited)."""
    return bool(user_roles(user) & SECOND_FACTOR_ROLES)


def requires_second_factor(user: Any) -> bool:
    """A staff role always; an officer when the platform is configured so."""
    held = user_roles(user)
    if held & SECOND_FACTOR_ROLES:
        return True
    return OFFICER in held and bool(getattr(settings, "OTP_REQUIRED_FOR_OFFICERS", False))


def is_staff_reader(user: Any) -> bool:
    """Sees every region: reviewers, administrators and auditors."""
    return bool(user_roles(user) & {REVIEWER, ADMINISTRATOR, AUDITOR})


def is_decider(user: Any) -> bool:
    """Decides on submissions (approves, returns) and takes part in their discussion:
    reviewers and administrators."""
    return bool(user_roles(user) & {REVIEWER, ADMINISTRATOR})


def is_overseer(user: Any) -> bool:
    """Reads the scoring runs, the national view and the audit log: administrators and
    auditors."""
    return bool(user_roles(user) & {ADMINISTRATOR, AUDITOR})


def is_read_only(user: Any) -> bool:
    """Reads everything and changes nothing: an auditor who holds no role that writes."""
    return user_roles(user) == frozenset({AUDITOR})

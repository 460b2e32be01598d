"""The roles of the platform, as Django groups, and questions about a user's roles.

Roles are groups so that an administrator assigns them in the admin; the questions below are
the only place that knows the group names.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

OFFICER = "province_officer"
REVIEWER = "reviewer"
ADMINISTRATOR = "administrator"
AUDITOR = "auditor"
# Manages accounts, roles and API tokens (issue 21 gives it its place in ROLE_LABELS).
SECURITY_ADMINISTRATOR = "security_administrator"

ROLE_LABELS = {
    OFFICER: _("省级填报员"),
    REVIEWER: _("审核员"),
    ADMINISTRATOR: _("管理员"),
    AUDITOR: _("审计员"),
}
ALL_ROLES = tuple(ROLE_LABELS)


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

"""``python manage.py check``: an account holding two duties (administrator, security
administrator, auditor) is an Error (``ROLE_CONFLICT``), however it came about (an old database,
the shell, a raw SQL change)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.checks import Error, register
from django.db import DatabaseError

from accounts import roles

CHECK_ID = "accounts.E001"


def accounts_with_two_duties() -> dict[str, set[str]]:
    """Username → the duties held, for every active account holding two or more."""
    from accounts.models import User

    held: dict[str, set[str]] = defaultdict(set)
    for username, group in User.groups.through.objects.filter(
            user__is_active=True, group__name__in=roles.DUTY_ROLES).values_list(
            "user__username", "group__name"):
        held[username].add(group)
    for username in User.objects.filter(is_active=True, is_superuser=True).values_list(
            "username", flat=True):
        held[username].add(roles.ADMINISTRATOR)
    return {user: duties for user, duties in held.items() if roles.conflicting_duties(duties)}


@register("security")
def check_role_conflicts(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        conflicts = accounts_with_two_duties()
    except (DatabaseError, RuntimeError):
        # No database yet (before migrate), none reachable, or none allowed (a Celery worker
        # runs the checks at start; inside a test pytest-django refuses with RuntimeError):
        # nothing to check here — `manage.py check` against the database reports.
        return []
    return [Error(f"ROLE_CONFLICT: the account {username!r} holds {', '.join(sorted(duties))}; "
                  "no account may hold two of administrator, security administrator and "
                  "auditor (separation of duties).",
                  hint="Take all but one of these roles away (the admin's user page, or "
                       "accounts.services.user_role_revoke).",
                  id=CHECK_ID)
            for username, duties in sorted(conflicts.items())]

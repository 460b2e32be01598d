"""Writes of the accounts app: the role groups and their permissions."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts import roles

# Model permissions per role, for the Django admin; the platform's own pages check roles
# through accounts.roles and the per-object helpers, not these.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.OFFICER: ["submissions.view_submission", "submissions.add_version"],
    roles.REVIEWER: ["submissions.view_submission", "submissions.change_submission",
                     "submissions.add_comment"],
    roles.ADMINISTRATOR: ["*"],
    roles.AUDITOR: ["view"],
}


@transaction.atomic
def groups_ensure() -> int:
    """Create the role groups and give them their permissions; safe to run again."""
    created = 0
    for name, wanted in ROLE_PERMISSIONS.items():
        group, was_created = Group.objects.get_or_create(name=name)
        created += was_created
        if wanted == ["*"]:
            perms = Permission.objects.all()
        elif wanted == ["view"]:
            perms = Permission.objects.filter(codename__startswith="view_")
        else:
            perms = Permission.objects.none()
            for label in wanted:
                app_label, codename = label.split(".")
                perms = perms | Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
        group.permissions.set(perms)
    return created

"""``accounts.services.groups_ensure``: the role groups and their admin permissions, split by
duty (the administrator's platform, the security administrator's accounts)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from accounts import roles
from accounts.services import AUDIT_APPS, SECURITY_APPS, groups_ensure

pytestmark = pytest.mark.django_db


def _codenames(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def _apps(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("content_type__app_label",
                                                                    flat=True))


def test_it_creates_the_five_role_groups_once(db):
    Group.objects.filter(name__in=roles.ALL_ROLES).delete()
    assert groups_ensure() == 5
    assert groups_ensure() == 0
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


def test_it_gives_each_role_its_permissions(db):
    groups_ensure()
    platform = Permission.objects.exclude(content_type__app_label__in=SECURITY_APPS + AUDIT_APPS)
    assert _codenames(roles.ADMINISTRATOR) == set(platform.values_list("codename", flat=True))
    assert _apps(roles.SECURITY_ADMINISTRATOR) == set(SECURITY_APPS)
    auditor = _codenames(roles.AUDITOR)
    assert auditor and all(code.startswith("view_") for code in auditor)
    assert _codenames(roles.OFFICER) == {"view_submission", "add_version"}
    assert _codenames(roles.REVIEWER) == {"view_submission", "change_submission", "add_comment"}


def test_it_keeps_accounts_from_the_administrator_and_the_platform_from_security(db):
    groups_ensure()
    assert not _apps(roles.ADMINISTRATOR) & {"accounts", "auth", "otp_totp", "otp_static",
                                             "axes", "audit"}
    assert {"scoring", "submissions", "indicators"} <= _apps(roles.ADMINISTRATOR)
    assert not _apps(roles.SECURITY_ADMINISTRATOR) & {"scoring", "submissions", "audit"}


def test_it_puts_back_a_permission_taken_away(db):
    groups_ensure()
    auditors = Group.objects.get(name=roles.AUDITOR)
    auditors.permissions.clear()
    groups_ensure()
    assert _codenames(roles.AUDITOR)

"""``accounts.services.groups_ensure``: the role groups and their admin permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from accounts import roles
from accounts.services import groups_ensure

pytestmark = pytest.mark.django_db


def _codenames(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_it_creates_the_four_role_groups_once(db):
    Group.objects.filter(name__in=roles.ALL_ROLES).delete()
    assert groups_ensure() == 4
    assert groups_ensure() == 0
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


def test_it_gives_each_role_its_permissions(db):
    groups_ensure()
    assert _codenames(roles.ADMINISTRATOR) == set(Permission.objects.values_list("codename",
                                                                                flat=True))
    auditor = _codenames(roles.AUDITOR)
    assert auditor and all(code.startswith("view_") for code in auditor)
    assert _codenames(roles.OFFICER) == {"view_submission", "add_version"}
    assert _codenames(roles.REVIEWER) == {"view_submission", "change_submission", "add_comment"}


def test_it_puts_back_a_permission_taken_away(db):
    groups_ensure()
    auditors = Group.objects.get(name=roles.AUDITOR)
    auditors.permissions.clear()
    groups_ensure()
    assert _codenames(roles.AUDITOR)

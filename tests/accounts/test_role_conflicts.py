"""Separation of duties: no account holds two of administrator, security administrator and
auditor — refused by the services (ROLE_CONFLICT), by every path that adds a group, and
reported by ``python manage.py check`` for an account that holds two anyway."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import transaction

from accounts import roles
from accounts.checks import CHECK_ID, check_role_conflicts
from accounts.errors import ROLE_CONFLICT
from accounts.services import user_role_grant, user_role_revoke
from common.errors import ApplicationError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAIRS = [(roles.ADMINISTRATOR, roles.SECURITY_ADMINISTRATOR),
         (roles.ADMINISTRATOR, roles.AUDITOR),
         (roles.SECURITY_ADMINISTRATOR, roles.AUDITOR)]


@pytest.mark.parametrize(("held", "wanted"), PAIRS + [(b, a) for a, b in PAIRS])
def test_the_service_refuses_a_second_duty(bootstrapped, security_admin, held, wanted):
    person = UserFactory(username="someone", role_names=[held])
    with pytest.raises(ApplicationError) as refused:
        user_role_grant(user=person, role=wanted, actor=security_admin)
    assert refused.value.code == ROLE_CONFLICT
    assert "三员分立" in refused.value.message and "someone" in refused.value.message
    assert set(person.groups.values_list("name", flat=True)) == {held}


def test_other_roles_combine_freely(bootstrapped, security_admin):
    person = UserFactory(username="someone", role_names=[roles.ADMINISTRATOR])
    user_role_grant(user=person, role=roles.REVIEWER, actor=security_admin)
    assert roles.is_reviewer(person) and roles.is_administrator(person)
    user_role_revoke(user=person, role=roles.ADMINISTRATOR, actor=security_admin)
    user_role_grant(user=person, role=roles.AUDITOR, actor=security_admin)  # one duty again
    assert set(person.groups.values_list("name", flat=True)) == {roles.REVIEWER, roles.AUDITOR}


def test_every_other_path_is_refused_too(bootstrapped):
    person = UserFactory(username="someone", role_names=[roles.AUDITOR])
    with pytest.raises(ApplicationError, match="三员分立"), transaction.atomic():
        person.groups.add(Group.objects.get(name=roles.SECURITY_ADMINISTRATOR))
    with pytest.raises(ApplicationError), transaction.atomic():
        Group.objects.get(name=roles.ADMINISTRATOR).user_set.add(person)
    superuser = UserFactory(username="root", is_superuser=True)  # an administrator already
    with pytest.raises(ApplicationError), transaction.atomic():
        superuser.groups.add(Group.objects.get(name=roles.AUDITOR))
    assert set(person.groups.values_list("name", flat=True)) == {roles.AUDITOR}


def test_check_reports_an_account_holding_two_duties(bootstrapped):
    assert check_role_conflicts() == []
    person = UserFactory(username="two-hats", role_names=[roles.ADMINISTRATOR])
    # As an old database or a raw SQL change would have it, past the guard.
    Group.user_set.through.objects.create(
        user=person, group=Group.objects.get(name=roles.AUDITOR))
    errors = check_role_conflicts()
    assert [e.id for e in errors] == [CHECK_ID]
    assert "ROLE_CONFLICT" in errors[0].msg and "two-hats" in errors[0].msg
    with pytest.raises(SystemCheckError, match="ROLE_CONFLICT"):
        call_command("check")
    person.is_active = False
    person.save()
    assert check_role_conflicts() == []  # a deactivated account holds nothing

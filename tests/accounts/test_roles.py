"""``accounts.roles``: the questions every permission helper asks about a user's roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import roles
from tests.factories import UserFactory, make_officer

pytestmark = pytest.mark.django_db

QUESTIONS = (roles.is_officer, roles.is_reviewer, roles.is_administrator, roles.is_auditor,
             roles.is_staff_reader)


def _answers(user) -> dict[str, bool]:
    return {question.__name__: question(user) for question in QUESTIONS}


def test_it_gives_an_anonymous_visitor_no_role():
    visitor = AnonymousUser()
    assert roles.user_roles(visitor) == frozenset()
    assert not any(_answers(visitor).values())


def test_it_gives_a_deactivated_person_no_role(bootstrapped):
    person = UserFactory(username="gone", role_names=[roles.REVIEWER, roles.ADMINISTRATOR])
    person.is_active = False
    assert roles.user_roles(person) == frozenset()
    assert not any(_answers(person).values())


@pytest.mark.parametrize(("role", "yes"), [
    (roles.REVIEWER, {"is_reviewer", "is_staff_reader"}),
    (roles.ADMINISTRATOR, {"is_administrator", "is_staff_reader"}),
    (roles.AUDITOR, {"is_auditor", "is_staff_reader"}),
])
def test_it_answers_each_staff_role_for_itself_only(bootstrapped, role, yes):
    person = UserFactory(username=f"staff-{role}", role_names=[role])
    assert roles.user_roles(person) == {role}
    assert {name for name, answer in _answers(person).items() if answer} == yes


def test_an_officer_bound_to_a_region_is_an_officer_and_sees_no_other_region(bootstrapped):
    officer = make_officer("110000")
    assert {name for name, answer in _answers(officer).items() if answer} == {"is_officer"}


def test_an_officer_without_a_region_is_no_officer(bootstrapped):
    # The region is the officer's scope: without one there is nothing they may see.
    unbound = UserFactory(username="officer-nowhere", role_names=[roles.OFFICER])
    assert roles.OFFICER in roles.user_roles(unbound)
    assert roles.is_officer(unbound) is False


def test_a_superuser_counts_as_an_administrator(bootstrapped):
    root = UserFactory(username="root", is_superuser=True)
    assert roles.is_administrator(root) and roles.is_staff_reader(root)
    assert not roles.is_reviewer(root) and not roles.is_auditor(root)


def test_it_reads_the_roles_once_per_user_object(bootstrapped, django_assert_num_queries):
    person = UserFactory(username="asked-often", role_names=[roles.REVIEWER])
    with django_assert_num_queries(1):
        for _ in range(3):
            assert roles.is_reviewer(person) and roles.is_staff_reader(person)


def test_every_role_has_a_label():
    assert set(roles.ALL_ROLES) == {roles.OFFICER, roles.REVIEWER, roles.ADMINISTRATOR,
                                    roles.AUDITOR, roles.SECURITY_ADMINISTRATOR}
    assert all(str(roles.ROLE_LABELS[role]) for role in roles.ALL_ROLES)

"""Each question about a person's roles is asked in one place (accounts/roles.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import roles
from tests.factories import UserFactory, make_officer

PREDICATES = ("is_officer", "is_reviewer", "is_administrator", "is_auditor", "is_staff_reader",
              "is_decider", "is_overseer", "is_read_only")

# role names → the predicates that hold for someone with exactly those roles.
EXPECTED = {
    (): set(),
    (roles.REVIEWER,): {"is_reviewer", "is_staff_reader", "is_decider"},
    (roles.ADMINISTRATOR,): {"is_administrator", "is_staff_reader", "is_decider", "is_overseer"},
    (roles.AUDITOR,): {"is_auditor", "is_staff_reader", "is_overseer", "is_read_only"},
    (roles.AUDITOR, roles.REVIEWER): {"is_auditor", "is_reviewer", "is_staff_reader",
                                      "is_decider", "is_overseer"},
}


def _holding(user) -> set[str]:
    return {name for name in PREDICATES if getattr(roles, name)(user)}


@pytest.mark.parametrize(("names", "expected"), list(EXPECTED.items()))
def test_it_answers_each_question_from_the_roles(bootstrapped, names, expected):
    user = UserFactory(username="person-" + "-".join(names), role_names=list(names))
    assert _holding(user) == expected


def test_it_makes_an_officer_only_of_someone_with_a_region(bootstrapped):
    assert _holding(make_officer("110000")) == {"is_officer"}
    assert _holding(UserFactory(username="no-region", role_names=[roles.OFFICER])) == set()


def test_it_gives_a_superuser_the_administrators_role(bootstrapped):
    user = UserFactory(username="root", is_superuser=True)
    assert _holding(user) == {"is_administrator", "is_staff_reader", "is_decider",
                              "is_overseer"}


def test_it_gives_nobody_anything_when_signed_out_or_inactive(bootstrapped):
    inactive = UserFactory(username="gone", is_active=False, role_names=[roles.ADMINISTRATOR])
    assert _holding(AnonymousUser()) == _holding(inactive) == set()

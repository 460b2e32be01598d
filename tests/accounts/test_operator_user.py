"""``accounts.selectors.operator_user``: the account command-line actions are recorded under."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts import roles
from accounts.models import User
from accounts.selectors import OPERATOR_USERNAME, operator_user
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_creates_the_operator_once_as_a_login_less_administrator(bootstrapped):
    first = operator_user()
    again = operator_user()
    assert first.pk == again.pk
    assert User.objects.filter(username=OPERATOR_USERNAME).count() == 1
    assert first.username == OPERATOR_USERNAME
    assert first.full_name.startswith("命令行操作员")
    assert not first.has_usable_password()
    assert roles.is_administrator(User.objects.get(pk=first.pk))


def test_nobody_logs_in_as_the_operator(bootstrapped):
    operator_user()
    client = Client()
    response = client.post("/accounts/login/", {"username": OPERATOR_USERNAME,
                                                "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect
    assert "_auth_user_id" not in client.session


def test_it_returns_the_named_user_instead(bootstrapped):
    person = UserFactory(username="named-admin", role_names=[roles.ADMINISTRATOR])
    assert operator_user("named-admin") == person
    assert not User.objects.filter(username=OPERATOR_USERNAME).exists()


def test_it_refuses_a_named_user_who_does_not_exist(bootstrapped):
    with pytest.raises(User.DoesNotExist):
        operator_user("nobody-of-that-name")

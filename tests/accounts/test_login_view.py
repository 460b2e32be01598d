"""The login page (``accounts:login``) and its lock-out after repeated failures (django-axes)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def _fail(times: int, username: str, ip: str = "10.0.0.1") -> list[int]:
    """Wrong passwords, ``times`` of them; the answers' status codes."""
    return [_login(Client(), username, "wrong-password", ip).status_code for _ in range(times)]


def test_it_shows_the_login_form_in_chinese(anon_client):
    response = anon_client.get(reverse("accounts:login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "用户名" in page and "密码" in page and 'name="password"' in page


def test_it_logs_in_with_the_right_password_and_goes_home(officer_bj):
    client = Client()
    response = _login(client, "officer-bj", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(officer_bj.pk)


def test_it_refuses_a_wrong_password_with_the_form_again(officer_bj):
    client = Client()
    response = _login(client, "officer-bj", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_deactivated_person(officer_bj):
    officer_bj.is_active = False
    officer_bj.save()
    client = Client()
    assert _login(client, "officer-bj", PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_locks_the_name_out_from_that_address_after_the_failure_limit(officer_bj, settings):
    # The failure that reaches the limit is answered with the lock-out already.
    limit = settings.AXES_FAILURE_LIMIT
    assert _fail(limit, "officer-bj") == [200] * (limit - 1) + [429]
    client = Client()
    response = _login(client, "officer-bj", PASSWORD)
    assert response.status_code == 429  # even with the right password
    assert "_auth_user_id" not in client.session


def test_it_does_not_lock_out_before_the_limit(officer_bj, settings):
    assert set(_fail(settings.AXES_FAILURE_LIMIT - 1, "officer-bj")) == {200}
    assert _login(Client(), "officer-bj", PASSWORD).status_code == 302


def test_a_lock_out_holds_one_name_at_one_address_only(officer_bj, officer_sh, settings):
    # Lock-out is by (name, address): a colleague behind the same proxy, or the same person
    # from another address, still logs in.
    _fail(settings.AXES_FAILURE_LIMIT, "officer-bj", ip="10.0.0.1")
    assert _login(Client(), "officer-sh", PASSWORD, ip="10.0.0.1").status_code == 302
    assert _login(Client(), "officer-bj", PASSWORD, ip="10.0.0.2").status_code == 302


def test_a_successful_login_resets_the_failures(officer_bj, settings):
    _fail(settings.AXES_FAILURE_LIMIT - 1, "officer-bj")
    assert _login(Client(), "officer-bj", PASSWORD).status_code == 302
    _fail(settings.AXES_FAILURE_LIMIT - 1, "officer-bj")
    assert _login(Client(), "officer-bj", PASSWORD).status_code == 302


def test_it_logs_out_on_post(bj_client):
    response = bj_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in bj_client.session

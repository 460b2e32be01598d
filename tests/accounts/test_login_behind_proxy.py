"""The lock-out behind the TLS proxy, and the per-account delay (issue 16, point 3).

Behind the proxy every client has the proxy's ``REMOTE_ADDR``: the lock on user name + address
then locked the name for everyone, so five wrong passwords every 15 minutes from anyone kept
``admin`` out. The client's address now comes from ``X-Forwarded-For`` as far as
``TRUSTED_PROXY_COUNT`` proxies vouch for it; guessing at one account from many addresses is
slowed by a growing delay (at most 5 s) instead of a lock, so the owner still logs in."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import login_throttle
from common.client_address import client_address
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
ATTACKER = "203.0.113.5"
OWNER = "198.51.100.7"


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch) -> list[float]:
    """The delays the login asked for, instead of sleeping them."""
    slept: list[float] = []
    monkeypatch.setattr(login_throttle, "_sleep", slept.append)
    cache.clear()
    return slept


def _login(username: str, password: str, *, forwarded: str | None = None,
           remote: str = PROXY) -> tuple[int, Client]:
    client = Client()
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post(reverse("accounts:login"),
                           {"username": username, "password": password}, **extra)
    return response.status_code, client


def _fail(times: int, username: str, **kwargs) -> list[int]:
    return [_login(username, "wrong-password", **kwargs)[0] for _ in range(times)]


def test_a_stranger_behind_the_proxy_cannot_lock_the_owner_out(officer_bj, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    limit = settings.AXES_FAILURE_LIMIT
    assert _fail(limit, "officer-bj", forwarded=ATTACKER)[-1] == 429
    assert _login("officer-bj", PASSWORD, forwarded=ATTACKER)[0] == 429  # the stranger is
    status, client = _login("officer-bj", PASSWORD, forwarded=OWNER)    # the owner is not
    assert status == 302
    assert "_auth_user_id" in client.session


def test_without_a_trusted_proxy_the_header_is_not_believed(officer_bj, settings):
    """``TRUSTED_PROXY_COUNT=0`` (the default): a client that writes its own X-Forwarded-For
    does not escape its lock by changing it."""
    settings.TRUSTED_PROXY_COUNT = 0
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [_login("officer-bj", "wrong", forwarded=f"192.0.2.{i}", remote=ATTACKER)[0]
                for i in range(limit + 2)]
    assert statuses[limit - 1:] == [429] * 3
    assert _login("officer-bj", PASSWORD, forwarded=OWNER, remote=ATTACKER)[0] == 429
    assert _login("officer-bj", PASSWORD, remote=OWNER)[0] == 302


def test_an_address_written_by_the_client_is_not_believed_either(officer_bj, settings):
    """One proxy that appends: "what the client wrote, the client's address"."""
    settings.TRUSTED_PROXY_COUNT = 1
    limit = settings.AXES_FAILURE_LIMIT
    for i in range(limit + 1):
        status = _login("officer-bj", "wrong", forwarded=f"192.0.2.{i}, {ATTACKER}")[0]
    assert status == 429
    assert _login("officer-bj", PASSWORD, forwarded=f"{OWNER}, {ATTACKER}")[0] == 429


@pytest.mark.parametrize(("count", "header", "expected"), [
    (0, "192.0.2.1", PROXY),
    (1, "192.0.2.1", "192.0.2.1"),
    (1, "192.0.2.9, 192.0.2.1", "192.0.2.1"),
    (2, "192.0.2.1, 10.0.0.9", "192.0.2.1"),
    (2, "10.0.0.9", PROXY),             # fewer addresses than proxies: not believed
    (1, "not-an-address", PROXY),
    (1, "", PROXY),
    (1, "2001:db8::1", "2001:db8::1"),
])
def test_the_client_address(settings, count, header, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)
    assert client_address(request) == expected


def test_guessing_at_one_account_is_slowed_by_a_growing_delay_capped_at_5_s(
        officer_bj, settings, _no_sleep):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(12):  # from twelve addresses: none is locked
        assert _login("officer-bj", "wrong", forwarded=f"192.0.2.{i}")[0] == 200
    # The first failures cost nothing (a mistyped password), then each waits longer.
    assert _no_sleep == [0.5, 1, 2, 4, 5, 5, 5, 5, 5]
    assert login_throttle.MAX_DELAY_SECONDS == 5
    _no_sleep.clear()
    assert _login("officer-bj", PASSWORD, forwarded=OWNER)[0] == 302  # slowed, not refused
    assert _no_sleep == [5]
    _no_sleep.clear()
    assert _login("officer-bj", PASSWORD, forwarded=OWNER)[0] == 302  # success resets
    assert sum(_no_sleep) == 0


def test_the_delay_is_per_account(officer_bj, officer_sh, settings, _no_sleep):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(8):
        _login("officer-bj", "wrong", forwarded=f"192.0.2.{i}")
    _no_sleep.clear()
    assert _login("officer-sh", PASSWORD, forwarded=OWNER)[0] == 302
    assert sum(_no_sleep) == 0


@pytest.mark.parametrize(("failures", "delay"), [(0, 0), (1, 0), (2, 0), (3, 0.5), (4, 1),
                                                 (5, 2), (6, 4), (7, 5), (50, 5)])
def test_the_delay_schedule(failures, delay):
    assert login_throttle.delay_for(failures) == delay



def test_the_audit_log_records_the_clients_address(officer_bj, settings):
    from audit.models import AuditEntry

    settings.TRUSTED_PROXY_COUNT = 1
    _login("officer-bj", "wrong-password", forwarded=ATTACKER)
    _login("officer-bj", PASSWORD, forwarded=OWNER)
    failed = AuditEntry.objects.get(action="auth.login_failed")
    assert failed.data["ip"] == ATTACKER
    assert AuditEntry.objects.get(action="auth.login").data["ip"] == OWNER

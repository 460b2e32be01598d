"""The session rules (accounts/middleware.py, accounts.services): idle and absolute timeouts,
at most SESSION_MAX_PER_STAFF sessions of a staff account (a new login ends the oldest), log
out everywhere, a due password change first; each ending audited with its reason."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import PasswordRecord, UserSession
from accounts.services import LOGIN_AT, PASSWORD_DUE, SEEN_AT
from audit.models import AuditEntry
from tests.factories import PASSWORD, verified_login

pytestmark = pytest.mark.django_db

QUEUE = reverse("submissions:queue")
HOME = reverse("submissions:officer_home")


def _age(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[{"login": LOGIN_AT, "seen": SEEN_AT}[key]] = now - ago
    session.save()


def test_it_ends_a_session_idle_for_longer_than_the_setting(bj_client, officer_bj, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    _age(bj_client, seen=1700)
    assert bj_client.get(HOME).status_code == 200  # 28 minutes: still on, and seen now
    _age(bj_client, seen=1801)
    response = bj_client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "expired=idle_timeout" in response["Location"]
    assert bj_client.get(HOME).status_code == 302  # signed out for good
    logout = AuditEntry.objects.filter(action="auth.logout", actor=officer_bj).last()
    assert logout.data["reason"] == "idle_timeout"
    assert not UserSession.objects.filter(user=officer_bj).exists()


def test_it_ends_a_session_past_the_absolute_limit_however_busy(bj_client, officer_bj,
                                                                 settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 43200
    _age(bj_client, login=43100, seen=1)
    assert bj_client.get(HOME).status_code == 200
    _age(bj_client, login=43201, seen=1)
    response = bj_client.get(HOME)
    assert "expired=absolute_timeout" in response["Location"]
    assert AuditEntry.objects.filter(action="auth.logout", actor=officer_bj).last().data[
        "reason"] == "absolute_timeout"


def test_the_login_page_says_why_the_session_ended(anon_client, bootstrapped):
    page = anon_client.get(reverse("accounts:login") + "?expired=idle_timeout")
    assert "已自动退出" in page.content.decode()


def test_a_new_staff_login_ends_the_oldest_session(reviewer, settings):
    settings.SESSION_MAX_PER_STAFF = 1
    first = verified_login(Client(), reviewer)
    assert first.get(QUEUE).status_code == 200
    second = verified_login(Client(), reviewer)
    assert second.get(QUEUE).status_code == 200
    assert first.get(QUEUE).status_code == 302  # ended by the second login
    assert UserSession.objects.filter(user=reviewer).count() == 1
    ended = AuditEntry.objects.get(action="auth.sessions_end", object_id=str(reviewer.pk))
    assert ended.data == {"count": 1, "reason": "session_limit"}


def test_the_limit_is_a_setting(reviewer, settings):
    settings.SESSION_MAX_PER_STAFF = 2
    clients = [verified_login(Client(), reviewer) for _ in range(3)]
    assert [c.get(QUEUE).status_code for c in clients] == [302, 200, 200]


def test_officers_sessions_are_not_limited(officer_bj, settings):
    settings.SESSION_MAX_PER_STAFF = 1
    clients = [verified_login(Client(), officer_bj) for _ in range(3)]
    assert [c.get(HOME).status_code for c in clients] == [200, 200, 200]


def test_logout_everywhere_ends_every_session(officer_bj):
    clients = [verified_login(Client(), officer_bj) for _ in range(3)]
    page = clients[0].get(reverse("accounts:security")).content.decode()
    assert page.count("<tr><td>") == 3 and "当前会话" in page
    response = clients[0].post(reverse("accounts:logout_everywhere"))
    assert response["Location"].endswith("?expired=logout_everywhere")
    assert [c.get(HOME).status_code for c in clients] == [302, 302, 302]
    assert not UserSession.objects.filter(user=officer_bj).exists()
    ended = AuditEntry.objects.get(action="auth.sessions_end")
    assert ended.data == {"count": 2, "reason": "logout_everywhere"}


def test_a_login_records_the_session_with_address_and_browser(officer_bj):
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11) Chromium/140", REMOTE_ADDR="10.9.8.7")
    response = client.post(reverse("accounts:login"), {"username": "officer-bj",
                                                       "password": PASSWORD})
    assert response.status_code == 302
    session = UserSession.objects.get(user=officer_bj)
    assert (session.ip, session.user_agent) == ("10.9.8.7", "Mozilla/5.0 (X11) Chromium/140")
    login = AuditEntry.objects.filter(action="auth.login", actor=officer_bj).last()
    assert login.data == {"ip": "10.9.8.7", "user_agent": "Mozilla/5.0 (X11) Chromium/140"}


def test_a_due_password_change_comes_first(officer_bj):
    PasswordRecord.objects.filter(user=officer_bj).update(temporary=True)
    client = Client()
    client.post(reverse("accounts:login"), {"username": "officer-bj", "password": PASSWORD})
    assert client.session[PASSWORD_DUE] is True
    response = client.get(HOME)
    assert response["Location"].startswith(reverse("accounts:password_change"))
    page = client.get(response["Location"]).content.decode()
    assert "须先修改密码" in page
    response = client.post(reverse("accounts:password_change") + "?next=" + HOME, {
        "old_password": PASSWORD, "new_password1": "Beijing-data-2018",
        "new_password2": "Beijing-data-2018", "next": HOME})
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert not PasswordRecord.objects.filter(user=officer_bj).first().temporary
    assert AuditEntry.objects.filter(action="auth.password_set", object_id=str(officer_bj.pk),
                                     data__temporary=False).exists()


def test_a_password_change_ends_the_other_sessions(officer_bj):
    other = verified_login(Client(), officer_bj)
    client = verified_login(Client(), officer_bj)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "Beijing-data-2018",
        "new_password2": "Beijing-data-2018"})
    assert response.status_code == 302
    assert client.get(HOME).status_code == 200
    assert other.get(HOME).status_code == 302
    assert list(UserSession.objects.filter(user=officer_bj).values_list(
        "session_key", flat=True)) == [client.session.session_key]


def test_a_password_change_names_each_broken_rule(bj_client):
    response = bj_client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "officer-bj-abcdef",
        "new_password2": "officer-bj-abcdef"})
    page = response.content.decode()
    assert response.status_code == 200 and "密码不能包含用户名" in page
    response = bj_client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert "最近 5 次" in response.content.decode()


def test_a_database_away_before_any_view_is_a_friendly_503(rf):
    from django.db import OperationalError
    from django.utils.functional import SimpleLazyObject

    from accounts.middleware import SessionSecurityMiddleware

    def unreachable():
        raise OperationalError("could not connect to server: Connection refused")

    request = rf.get(HOME)
    request.user = SimpleLazyObject(unreachable)
    response = SessionSecurityMiddleware(lambda r: pytest.fail("no view runs"))(request)
    assert response.status_code == 503 and response["Retry-After"] == "30"

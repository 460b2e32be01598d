"""The second factor: enrolment by QR code (drawn here, inline SVG, no script) with ten recovery
codes shown once; verification by the authenticator's code or a recovery code (each once);
a staff session without it reaches nothing else; officers only when the setting says so."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.views import ENROL_KEY
from audit.models import AuditEntry
from tests.factories import verified_login

pytestmark = pytest.mark.django_db

ENROL = reverse("accounts:otp_enrol")
VERIFY = reverse("accounts:otp_verify")


def _password_only(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _code(key_hex: str) -> str:
    return f"{totp(bytes.fromhex(key_hex)):06d}"


def test_a_staff_session_without_a_second_factor_reaches_only_its_pages(reviewer):
    client = _password_only(reviewer)
    for url in ("/", reverse("submissions:queue"), reverse("public:publications"),
                reverse("accounts:password_change"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url
    assert client.post(reverse("submissions:cycles"), {}).status_code == 302
    assert client.get(VERIFY, follow=True).redirect_chain[-1][0].startswith(ENROL)
    assert client.get(ENROL).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get("/static/css/site.css").status_code in (200, 404)  # never a redirect
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_an_htmx_request_is_sent_on_by_htmx(reviewer):
    response = _password_only(reviewer).get(reverse("submissions:queue"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(VERIFY)


def test_it_enrols_with_a_qr_code_and_shows_ten_recovery_codes_once(reviewer):
    client = _password_only(reviewer)
    page = client.get(ENROL).content.decode()
    assert "<svg" in page and "<script>" not in page and "otpauth" not in page
    assert re.search(r'id="otp-secret">[A-Z2-7 ]{20,}<', page)
    key = client.session[ENROL_KEY]
    wrong = client.post(ENROL, {"token": "000000" if _code(key) != "000000" else "111111"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    response = client.post(ENROL, {"token": _code(key), "next": "/submissions/queue/"})
    assert response.status_code == 302
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>(\w+)</code></li>", codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=reviewer).confirmed
    assert set(StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)
               ) == set(codes)
    kept = client.post(reverse("accounts:otp_codes_kept"), {"next": "/submissions/queue/"})
    assert kept["Location"] == "/submissions/queue/"
    assert "<code>" not in client.get(ENROL, follow=True).content.decode()  # never again
    assert client.get(reverse("submissions:queue")).status_code == 200  # verified now
    assert AuditEntry.objects.filter(action="auth.otp_enrol", object_id=str(reviewer.pk)).exists()


def test_it_verifies_with_the_authenticator_and_refuses_a_code_twice(reviewer):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client = _password_only(reviewer)
    assert client.get(VERIFY).status_code == 200
    code = _code(device.key)
    response = client.post(VERIFY, {"token": code, "next": "/submissions/queue/"})
    assert response["Location"] == "/submissions/queue/"
    assert client.get(reverse("submissions:queue")).status_code == 200
    again = _password_only(reviewer)  # another login, the same code: refused (used)
    assert again.post(VERIFY, {"token": code}).status_code == 200
    assert AuditEntry.objects.filter(action="auth.otp_verify").count() == 1
    failed = AuditEntry.objects.get(action="auth.otp_failed")
    assert failed.actor == reviewer and "ip" in failed.data and "user_agent" in failed.data


def test_a_recovery_code_works_once(reviewer):
    TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    from django_otp.plugins.otp_static.models import StaticDevice

    recovery = StaticDevice.objects.create(user=reviewer, name="recovery", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    first = _password_only(reviewer)
    response = first.post(VERIFY, {"token": "abcd2345"}, follow=True)
    assert "还剩 0 个" in response.content.decode()
    assert first.get(reverse("submissions:queue")).status_code == 200
    second = _password_only(reviewer)
    assert second.post(VERIFY, {"token": "abcd2345"}).status_code == 200  # refused: used


def test_officers_need_no_second_factor_unless_configured(officer_bj, settings):
    client = _password_only(officer_bj)
    assert client.get(reverse("submissions:officer_home")).status_code == 200
    settings.OTP_REQUIRED_FOR_OFFICERS = True
    officer = type(officer_bj).objects.get(pk=officer_bj.pk)  # roles read afresh
    client = _password_only(officer)
    response = client.get(reverse("submissions:officer_home"))
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_an_officer_may_enrol_of_their_own_accord(officer_bj):
    client = _password_only(officer_bj)
    page = client.get(ENROL)
    assert page.status_code == 200 and "<svg" in page.content.decode()


def test_a_verified_person_is_sent_on_from_both_pages(reviewer):
    client = verified_login(Client(), reviewer)
    assert client.get(VERIFY)["Location"] == "/"
    assert client.get(ENROL)["Location"] == "/"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_speak_the_language_of_the_request(reviewer, language):
    client = _password_only(reviewer)
    page = client.get(ENROL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert heading == {"zh-hans": "绑定认证器（双因素认证）",
                       "en": "Set up an authenticator app (two-factor authentication)"}[language]


def test_after_a_wrong_code_the_next_waits(reviewer):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client = _password_only(reviewer)
    client.post(VERIFY, {"token": "000000" if _code(device.key) != "000000" else "111111"})
    response = client.post(VERIFY, {"token": _code(device.key)})
    assert response.status_code == 200 and "秒后再试" in response.content.decode()
    assert client.get(reverse("submissions:queue")).status_code == 302  # still not verified

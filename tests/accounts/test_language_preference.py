"""A language per person: set on their own security page (and by the security administrator
in the admin), audited before and after; the pages take it at sign-in."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from tests.accounts.test_user_admin import _change_form_data
from tests.factories import PASSWORD

URL = reverse("accounts:language")


def test_the_default_is_simplified_chinese(officer_bj):
    assert officer_bj.language == "zh-hans"


def test_a_person_sets_their_language_on_their_security_page(bj_client, officer_bj):
    page = bj_client.get(reverse("accounts:security")).content.decode()
    assert 'id="language-form"' in page
    response = bj_client.post(URL, {"language": "en"}, follow=True)
    assert User.objects.get(pk=officer_bj.pk).language == "en"
    assert bj_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Your language is now English" in response.content.decode()
    change = AuditEntry.objects.filter(action="user.change").order_by("sequence").last()
    assert change.data["changes"] == [{"field": "language", "old": "zh-hans", "new": "en"}]
    assert change.actor == officer_bj


def test_a_language_the_platform_does_not_offer_is_refused(bj_client, officer_bj):
    response = bj_client.post(URL, {"language": "fr"}, follow=True)
    assert User.objects.get(pk=officer_bj.pk).language == "zh-hans"
    assert response.status_code == 200


def test_an_auditor_may_set_their_own_language(auditor_client, auditor):
    assert auditor_client.post(URL, {"language": "en"}).status_code == 302
    assert User.objects.get(pk=auditor.pk).language == "en"


def test_the_pages_take_the_persons_language_at_sign_in(officer_bj):
    User.objects.filter(pk=officer_bj.pk).update(language="en")
    client = Client()
    response = client.post(reverse("accounts:login"),
                           {"username": "officer-bj", "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_security_administrator_sets_it_in_the_admin(security_client, officer_bj):
    data = _change_form_data(security_client, officer_bj)
    data["language"] = "en"
    response = security_client.post(reverse("admin:accounts_user_change", args=[officer_bj.pk]),
                                    data)
    assert response.status_code == 302
    assert User.objects.get(pk=officer_bj.pk).language == "en"

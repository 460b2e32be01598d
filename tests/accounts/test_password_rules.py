"""The password rules: at least 10 characters, three of the four classes, not the user name,
not one of the last five; a change due at the first login (a password someone else set) and
after PASSWORD_MAX_AGE_DAYS; Argon2id at OWASP's parameters, PBKDF2 hashes re-made at login."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import PasswordRecord
from accounts.selectors import password_change_due
from accounts.validators import (
    CONTAINS_USERNAME,
    REUSED,
    TEMPORARY_ATTR,
    TOO_FEW_CLASSES,
    character_classes,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRODUCTION_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def _codes(password: str, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


def test_it_counts_character_classes():
    assert character_classes("abcdefghij") == 1
    assert character_classes("abcDEF1234") == 3
    assert character_classes("abcDEF12-4") == 4
    assert character_classes("数据填报平台abc12") == 3  # Chinese characters count as "other"


def test_it_wants_ten_characters_and_three_classes():
    assert "password_too_short" in _codes("Ab1-x")
    assert TOO_FEW_CLASSES in _codes("abcdefghijkl")
    assert TOO_FEW_CLASSES in _codes("abcdefgh12345")
    assert _codes("abcdefgh-12345") == set()
    assert _codes("Quarterly-data-2017") == set()


def test_it_refuses_the_user_name_inside_the_password(bootstrapped):
    user = UserFactory(username="officer-110000")
    assert CONTAINS_USERNAME in _codes("my-OFFICER-110000-pw", user)
    assert _codes("Beijing-data-2017", user) == set()


def test_it_refuses_the_last_five_passwords_and_allows_the_sixth(bootstrapped):
    user = UserFactory(username="li", password="First-password-1")
    passwords = [f"Another-password-{n}" for n in range(2, 7)]
    for new in passwords:
        validate_password(new, user)
        user.set_password(new)
        user.save()
    # Remembered: the last five (2..6); the first is forgotten.
    assert PasswordRecord.objects.filter(user=user).count() == 5
    for old in passwords:
        assert REUSED in _codes(old, user)
    assert REUSED not in _codes("First-password-1", user)


def test_a_password_someone_else_set_must_be_changed_at_the_first_login(bootstrapped):
    user = UserFactory(username="new-person")
    assert not password_change_due(user)  # chose their own (a factory's set_password)
    setattr(user, TEMPORARY_ATTR, True)
    user.set_password("Set-by-security-1")
    user.save()
    assert PasswordRecord.objects.filter(user=user).first().temporary
    assert password_change_due(user)


def test_a_password_never_recorded_must_be_changed(bootstrapped):
    user = UserFactory(username="legacy")
    PasswordRecord.objects.filter(user=user).delete()
    assert password_change_due(user)
    user.set_unusable_password()
    assert not password_change_due(user)  # nobody logs in with it anyway


def test_a_password_expires_after_the_configured_days(settings, bootstrapped):
    user = UserFactory(username="old-timer")
    record = PasswordRecord.objects.filter(user=user).first()
    PasswordRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(days=91))
    settings.PASSWORD_MAX_AGE_DAYS = 90
    assert password_change_due(user)
    settings.PASSWORD_MAX_AGE_DAYS = 120
    assert not password_change_due(user)
    settings.PASSWORD_MAX_AGE_DAYS = 0  # never expires
    assert not password_change_due(user)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_it_hashes_with_argon2id_at_owasp_parameters():
    encoded = make_password("Quarterly-data-2017")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password("Quarterly-data-2017", encoded)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS, AXES_ENABLED=False)
def test_a_login_re_hashes_a_pbkdf2_password_with_argon2id(bootstrapped):
    user = UserFactory(username="pbkdf2-person")
    user.password = make_password("Quarterly-data-2017", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$")
    response = Client().post("/accounts/login/", {"username": "pbkdf2-person",
                                                  "password": "Quarterly-data-2017"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")

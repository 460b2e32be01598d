"""Password rules beyond Django's own (settings.AUTH_PASSWORD_VALIDATORS): three of the four
character classes, not the user name inside it, not one of the last five passwords.

The history validator also records every new password (``password_changed``, which Django calls
whenever a user's password is saved), so each account's history and the date of its last change
are kept whichever way the password was set."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import PasswordRecord

TOO_FEW_CLASSES = "password_too_few_classes"
CONTAINS_USERNAME = "password_contains_username"
REUSED = "password_reused"

# Set on a user by whoever sets a password for somebody else (a security administrator): the
# password is then temporary, and its owner changes it at the next login.
TEMPORARY_ATTR = "password_is_temporary"


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters (punctuation, spaces,
    Chinese characters, ...) the password has."""
    return sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not (c.islower() or c.isupper() or c.isdigit()) for c in password),
    ))


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message of the platform's own: Django's Chinese catalogue lacks the
    current wording, so a Chinese page would show it in English."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(n)d 个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(n)d 个字符。") % {"n": self.min_length}


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code=TOO_FEW_CLASSES)

    def get_help_text(self) -> str:
        return _("密码至少包含小写字母、大写字母、数字、其他字符这四类中的 %(n)d 类。") % {
            "n": self.min_classes}


class UsernameNotContainedValidator:
    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        if username and username in password.casefold():
            raise ValidationError(_("密码不能包含用户名。"), code=CONTAINS_USERNAME)

    def get_help_text(self) -> str:
        return _("密码不能包含用户名。")


class PasswordHistoryValidator:
    def __init__(self, remembered: int = 5) -> None:
        self.remembered = remembered

    def _recent(self, user: Any) -> list[str]:
        if user is None or getattr(user, "pk", None) is None:
            return []
        return list(PasswordRecord.objects.filter(user_id=user.pk)
                    .values_list("password", flat=True)[:self.remembered])

    def validate(self, password: str, user: Any = None) -> None:
        if any(check_password(password, hashed) for hashed in self._recent(user)):
            raise ValidationError(self.get_help_text(), code=REUSED)

    def password_changed(self, password: str, user: Any = None) -> None:
        from accounts.services import password_record  # services import this module's rules

        if user is not None and getattr(user, "pk", None) is not None:
            password_record(user=user, temporary=bool(getattr(user, TEMPORARY_ATTR, False)))

    def get_help_text(self) -> str:
        return _("新密码不能与最近 %(n)d 次使用过的密码相同。") % {"n": self.remembered}

from __future__ import annotations

import getpass
import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.models import PasswordRecord, User, UserSession

OPERATOR_USERNAME = "operator"


def operator_user(username: str | None = None) -> User:
    """The account that command-line actions are recorded under.

    With ``--user`` it is that (existing) user; otherwise a login-less service account named
    ``operator`` in the administrators' group, created on first use.
    """
    if username:
        return User.objects.get(username=username)
    full_name = gettext("命令行操作员（{user}）").format(user=_os_user())
    user, created = User.objects.get_or_create(username=OPERATOR_USERNAME,
                                               defaults={"full_name": full_name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        group, _ = Group.objects.get_or_create(name=roles.ADMINISTRATOR)
        user.groups.add(group)
    return user


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def password_change_due(user: Any) -> bool:
    """The owner must choose a new password: none was ever recorded (set before these rules,
    or written by hand), a security administrator set it (temporary), or it is older than
    PASSWORD_MAX_AGE_DAYS."""
    if not user.has_usable_password():
        return False
    latest = PasswordRecord.objects.filter(user_id=user.pk).first()
    if latest is None or latest.temporary:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    return bool(max_age) and latest.created_at < timezone.now() - timedelta(days=max_age)


def has_authenticator(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def second_factor_wait_seconds(user: Any) -> int:
    """Seconds before another code may be tried (django-otp's throttling after wrong codes)."""
    wait = 0.0
    for device in devices_for_user(user):
        allowed, data = device.verify_is_allowed()
        locked_until = (data or {}).get("locked_until")
        if not allowed and locked_until is not None:
            wait = max(wait, (locked_until - timezone.now()).total_seconds())
    return math.ceil(wait)


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def user_sessions(user: Any) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user_id=user.pk).order_by("-created_at")

from __future__ import annotations

import getpass

from django.contrib.auth.models import Group
from django.utils.translation import gettext

from accounts import roles
from accounts.models import User

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

"""The refusals of the accounts app: stable codes, messages that tests import."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts import roles
from common.errors import ApplicationError

ROLE_CONFLICT = "ROLE_CONFLICT"
ROLE_CONFLICT_MESSAGE = _("{user} 不能同时担任{duties}：管理员、安全管理员、审计员三种职责"
                          "须由不同账户担任（三员分立）。")
NOT_SECURITY_ADMINISTRATOR = "NOT_SECURITY_ADMINISTRATOR"
NOT_SECURITY_ADMINISTRATOR_MESSAGE = _("只有安全管理员可以重置他人的双因素认证。")
TOKEN_INVALID = "TOKEN_INVALID"  # noqa: S105 - an error code, not a secret
TOKEN_INVALID_MESSAGE = _("验证码不正确或已使用过，请输入认证器上当前显示的 6 位数字。")
ALREADY_ENROLLED = "ALREADY_ENROLLED"
ALREADY_ENROLLED_MESSAGE = _("该账户已绑定认证器；如需更换，请联系安全管理员重置。")
LANGUAGE_INVALID = "LANGUAGE_INVALID"
LANGUAGE_INVALID_MESSAGE = _("请选择平台提供的语言之一。")


def duty_labels(names: Iterable[str]) -> str:
    separator = pgettext("enumeration separator", "、")
    return separator.join(str(roles.ROLE_LABELS[n]) for n in sorted(names)
                          if n in roles.DUTY_ROLES)


def role_conflict(user: Any, role_names: Iterable[str]) -> ApplicationError:
    return ApplicationError(ROLE_CONFLICT, ROLE_CONFLICT_MESSAGE, field="groups",
                            params={"user": str(user),
                                    "duties": duty_labels(roles.conflicting_duties(role_names))})

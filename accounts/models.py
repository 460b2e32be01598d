from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. Roles are Django groups (``accounts.roles``); a province officer is bound to
    one region, which scopes everything they can see."""

    region = models.ForeignKey(
        "indicators.Region",
        verbose_name=_("所属地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    # The language of the person's e-mails, and of the pages after they sign in.
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES,
                                default="zh-hans")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class PasswordRecord(models.Model):
    """One password an account has had (its hash), newest last: the history that refuses the
    last five again, and the date that makes a password expire. A password a security
    administrator set for someone (a new account, a reset) is ``temporary``: its owner must
    change it at the next login. Kept apart from ``User`` so that the user model stays the
    people's record."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_records")
    password = models.CharField(max_length=128)
    temporary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("密码记录")
        verbose_name_plural = _("密码记录")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A signed-in session of a person: what limits a staff account's concurrent sessions
    (a new login ends the oldest) and what "log out everywhere" ends."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"

"""API tokens: how a provincial statistics system is let in to submit its region's data.

A token belongs to one named system and one region. Only the SHA-256 of its secret is stored
(the secret is printed once, when it is made); it expires, it can be revoked, and it is never
deleted, so that the audit log's entries about it keep their meaning. Each token acts through
an account of its own (``user``: no password, no role, the token's region), so that the
versions, transitions and audit entries it causes name the token like any other actor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import NoDeleteModel
from indicators.models import Region


class ApiToken(NoDeleteModel):
    name = models.CharField(_("名称"), max_length=60, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.PROTECT,
                               related_name="api_tokens")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="api_token")
    secret_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

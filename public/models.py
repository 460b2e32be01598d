"""Announcements (通知公告): what administrators tell the provinces and the public — a new
cycle, a deadline, a publication, a revision. Written only through ``public.services``, each
change with its audit entry; the public sees the published ones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.i18n import localized


class Announcement(models.Model):
    # Both languages are required: an English page must not show a Chinese notice.
    title_zh = models.CharField(_("标题（中文）"), max_length=200)
    title_en = models.CharField(_("标题（英文）"), max_length=200)
    body_zh = models.TextField(_("正文（中文）"))
    body_en = models.TextField(_("正文（英文）"))
    # None: a draft, or withdrawn; the public sees an announcement only while it is set.
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")

    def __str__(self) -> str:
        return self.title_zh

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def body(self) -> str:
        return localized(self, "body")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

"""Writes of the public app: the announcements, each change with its audit entry in the same
transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import log_action
from common.errors import ApplicationError
from public.models import Announcement

FIELDS = ("title_zh", "title_en", "body_zh", "body_en")
EMPTY_FIELD = _("通知公告的标题和正文须有中英文两种文本，{field} 为空")
ALREADY_PUBLISHED = _("通知公告「{title}」已发布")
NOT_PUBLISHED = _("通知公告「{title}」尚未发布，无需撤回")


LABELS = {"title_zh": _("标题（中文）"), "title_en": _("标题（英文）"),
          "body_zh": _("正文（中文）"), "body_en": _("正文（英文）")}


def _clean(texts: dict[str, str]) -> dict[str, str]:
    cleaned = {name: (texts.get(name) or "").strip() for name in FIELDS}
    for name, text in cleaned.items():
        if not text:
            raise ApplicationError("ANNOUNCEMENT_EMPTY", EMPTY_FIELD, field=name,
                                   params={"field": LABELS[name]})
    return cleaned


@transaction.atomic
def announcement_create(*, actor: Any, title_zh: str, title_en: str, body_zh: str,
                        body_en: str, publish: bool = False) -> Announcement:
    texts = _clean({"title_zh": title_zh, "title_en": title_en, "body_zh": body_zh,
                    "body_en": body_en})
    announcement = Announcement.objects.create(
        created_by=actor, published_at=timezone.now() if publish else None, **texts)
    log_action(actor=actor, action="announcement.create", obj=announcement,
               data={"title_zh": texts["title_zh"], "published": publish})
    return announcement


@transaction.atomic
def announcement_update(*, announcement: Announcement, actor: Any, title_zh: str,
                        title_en: str, body_zh: str, body_en: str) -> Announcement:
    texts = _clean({"title_zh": title_zh, "title_en": title_en, "body_zh": body_zh,
                    "body_en": body_en})
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    changes = {name: {"old": getattr(locked, name), "new": text}
               for name, text in texts.items() if getattr(locked, name) != text}
    if not changes:
        return locked
    for name, text in texts.items():
        setattr(locked, name, text)
    locked.save()
    log_action(actor=actor, action="announcement.update", obj=locked, data={"changes": changes})
    return locked


@transaction.atomic
def announcement_publish(*, announcement: Announcement, actor: Any) -> Announcement:
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if locked.published_at is not None:
        raise ApplicationError("ANNOUNCEMENT_PUBLISHED", ALREADY_PUBLISHED,
                               params={"title": locked.title})
    locked.published_at = timezone.now()
    locked.save(update_fields=["published_at", "updated_at"])
    log_action(actor=actor, action="announcement.publish", obj=locked,
               data={"title_zh": locked.title_zh})
    return locked


@transaction.atomic
def announcement_withdraw(*, announcement: Announcement, actor: Any) -> Announcement:
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if locked.published_at is None:
        raise ApplicationError("ANNOUNCEMENT_NOT_PUBLISHED", NOT_PUBLISHED,
                               params={"title": locked.title})
    published_at = locked.published_at
    locked.published_at = None
    locked.save(update_fields=["published_at", "updated_at"])
    log_action(actor=actor, action="announcement.withdraw", obj=locked,
               data={"title_zh": locked.title_zh, "published_at": published_at.isoformat()})
    return locked

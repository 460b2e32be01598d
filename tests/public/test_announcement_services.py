"""``public.services``: announcements are written in both languages, published, edited and
withdrawn, each change with its audit entry in the same transaction."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from common.errors import ApplicationError
from public.models import Announcement
from public.services import (
    EMPTY_FIELD,
    announcement_create,
    announcement_publish,
    announcement_update,
    announcement_withdraw,
)

TEXTS = {"title_zh": "2018 年度填报开始", "title_en": "Reporting for 2018 opens",
         "body_zh": "请各地区于 3 月 31 日前完成填报。",
         "body_en": "Please report by 31 March."}


def _actions(item: Announcement) -> list[str]:
    return list(AuditEntry.objects.filter(object_id=str(item.pk),
                                          object_type="public.announcement")
                .order_by("sequence").values_list("action", flat=True))


def test_it_creates_a_draft_with_its_audit_entry(administrator):
    item = announcement_create(actor=administrator, **TEXTS)
    assert item.published_at is None and item.created_by == administrator
    assert _actions(item) == ["announcement.create"]


def test_it_creates_and_publishes_at_once(administrator):
    item = announcement_create(actor=administrator, publish=True, **TEXTS)
    assert item.is_published
    entry = AuditEntry.objects.get(action="announcement.create", object_id=str(item.pk))
    assert entry.data == {"title_zh": TEXTS["title_zh"], "published": True}


@pytest.mark.parametrize("field", ["title_zh", "title_en", "body_zh", "body_en"])
def test_it_refuses_a_missing_language_and_stores_nothing(administrator, field: str):
    with pytest.raises(ApplicationError) as refused:
        announcement_create(actor=administrator, **{**TEXTS, field: "  "})
    assert refused.value.code == "ANNOUNCEMENT_EMPTY" and refused.value.field == field
    assert refused.value.message.startswith(str(EMPTY_FIELD).split("，")[0])
    assert not Announcement.objects.exists() and not AuditEntry.objects.filter(
        action__startswith="announcement.").exists()


def test_an_edit_records_each_change_old_and_new(administrator):
    item = announcement_create(actor=administrator, **TEXTS)
    announcement_update(announcement=item, actor=administrator,
                        **{**TEXTS, "title_en": "Reporting for 2018 is open"})
    entry = AuditEntry.objects.get(action="announcement.update")
    assert entry.data == {"changes": {"title_en": {"old": "Reporting for 2018 opens",
                                                    "new": "Reporting for 2018 is open"}}}
    # the same texts again: nothing changed, nothing recorded
    announcement_update(announcement=item, actor=administrator,
                        **{**TEXTS, "title_en": "Reporting for 2018 is open"})
    assert _actions(item) == ["announcement.create", "announcement.update"]


def test_it_publishes_and_withdraws_once_each(administrator):
    item = announcement_create(actor=administrator, **TEXTS)
    item = announcement_publish(announcement=item, actor=administrator)
    assert item.is_published
    with pytest.raises(ApplicationError, match="已发布") as twice:
        announcement_publish(announcement=item, actor=administrator)
    assert twice.value.code == "ANNOUNCEMENT_PUBLISHED"
    item = announcement_withdraw(announcement=item, actor=administrator)
    assert not item.is_published
    with pytest.raises(ApplicationError) as again:
        announcement_withdraw(announcement=item, actor=administrator)
    assert again.value.code == "ANNOUNCEMENT_NOT_PUBLISHED"
    assert _actions(item) == ["announcement.create", "announcement.publish",
                              "announcement.withdraw"]

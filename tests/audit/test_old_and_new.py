"""Old and new in the audit log: a new version records, per changed value, the previous
version's value and the new one; user changes their role, region, active flag and language
before and after; the cycle its state and deadline. The audit page reads each entry as a
sentence with its old → new values, in the page's language, and the chain stays valid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from accounts import roles
from accounts.services import user_role_grant, user_set_language
from audit.describe import changes, sentence
from audit.models import AuditEntry
from audit.selectors import audit_verify_chain
from audit.services import log_action
from indicators.models import Region
from submissions.models import Submission
from submissions.services.cycles import cycle_set_deadline
from submissions.services.versions import (
    EditedValue,
    version_create_from_edit,
    version_create_from_upload,
)
from tests.factories import CycleFactory
from tests.submissions.helpers import template_csv, valid_values


def _latest(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-sequence").first()


def test_an_upload_records_each_changed_value_old_and_new(
        officer_bj, django_capture_on_commit_callbacks):
    submission = Submission.objects.get_or_create(cycle=CycleFactory(),
                                                  region=officer_bj.region)[0]
    values = valid_values()
    with django_capture_on_commit_callbacks(execute=True):
        version_create_from_upload(submission=submission, content=template_csv(values),
                                   filename="v1.csv", actor=officer_bj)
    first = _latest("version.values")
    assert first.data["previous"] is None and len(first.data["changes"]) == len(values)
    old_e101 = values["E101"]
    values["E101"] = old_e101 + Decimal("65.5")
    with django_capture_on_commit_callbacks(execute=True):
        version_create_from_upload(submission=submission, content=template_csv(values),
                                   filename="v2.csv", actor=officer_bj)
    entry = _latest("version.values")
    assert entry.actor == officer_bj and entry.region_code == "110000"
    assert entry.data["version"] == 2 and entry.data["previous"] == 1
    (change,) = entry.data["changes"]
    assert change["code"] == "E101" and change["name_zh"]
    assert Decimal(change["old"]) == old_e101 and Decimal(change["new"]) == values["E101"]
    assert audit_verify_chain().broken_at is None


def test_an_online_edit_records_old_and_new_with_the_elements_name(officer_bj):
    submission = Submission.objects.get_or_create(cycle=CycleFactory(),
                                                  region=officer_bj.region)[0]
    edit = {"E101": EditedValue(value=Decimal("1234.5"), raw="1234.5", note="")}
    version_create_from_edit(submission=submission, values=edit, actor=officer_bj)
    edit = {"E101": EditedValue(value=Decimal("1300.0"), raw="1300.0", note="普查修正")}
    version_create_from_edit(submission=submission, values=edit, actor=officer_bj)
    entry = _latest("version.edit")
    (change,) = entry.data["changes"]
    assert (change["old"], change["new"], change["new_note"]) == ("1234.5", "1300", "普查修正")
    lines, more = changes(entry.data)
    assert lines[0].startswith("E101 ") and lines[0].endswith(": 1,234.5 → 1,300.0")
    assert lines[1].endswith("备注: — → 普查修正") and more == 0
    assert sentence(entry.action, entry.data) == "在线修改，保存为第 2 版（基于第 1 版）"


def test_a_user_change_records_region_active_language_and_roles_before_and_after(
        officer_bj, administrator):
    officer_bj.region = Region.objects.get(code="310000")
    officer_bj.is_active = False
    officer_bj.save()
    entry = _latest("user.change")
    by_field = {c["field"]: c for c in entry.data["changes"]}
    assert set(by_field) == {"region", "is_active"}
    assert (by_field["region"]["old"], by_field["region"]["new"]) == ("110000", "310000")
    assert (by_field["is_active"]["old"], by_field["is_active"]["new"]) == ("True", "False")
    lines, _more = changes(entry.data)
    assert "所属地区: 北京市（110000） → 上海市（310000）" in lines
    assert "启用: 是 → 否" in lines
    with translation.override("en"):
        assert "Region: Beijing (110000) → Shanghai (310000)" in changes(entry.data)[0]

    user_set_language(user=officer_bj, language="en")
    assert changes(_latest("user.change").data)[0] == ["语言: 简体中文 → English"]

    user_role_grant(user=administrator, role=roles.REVIEWER, actor=None)
    roles_entry = _latest("user.roles")
    assert roles_entry.data["changes"] == [{"field": "roles", "old": "administrator",
                                            "new": "administrator, reviewer"}]
    assert changes(roles_entry.data)[0] == ["角色: 管理员 → 管理员、审核员"]
    assert audit_verify_chain().broken_at is None


def test_a_deadline_change_reads_old_and_new(administrator):
    cycle = CycleFactory(deadline=date(2018, 3, 31))
    cycle_set_deadline(cycle=cycle, deadline=date(2018, 4, 15), actor=administrator)
    entry = _latest("cycle.deadline")
    assert changes(entry.data, entry.action)[0] == ["截止日期: 2018-03-31 → 2018-04-15"]


def test_the_audit_page_shows_sentences_and_old_new_never_json(auditor_client, officer_bj):
    with transaction.atomic():
        log_action(actor=officer_bj, action="version.edit", cycle_year=2017,
                   region_code="110000",
                   data={"version": 3, "previous": 2, "changes": [
                       {"code": "E101", "name_zh": "网民数量", "name_en": "Internet users",
                        "old": "1234.5", "new": "1300.0", "old_note": "", "new_note": ""}]})
        log_action(actor=officer_bj, action="cycle.state", cycle_year=2017,
                   data={"from": "open", "to": "closed"})
    body = auditor_client.get(reverse("audit:log")).content.decode()
    assert "E101 网民数量: 1,234.5 → 1,300.0" in body
    assert "在线修改，保存为第 3 版（基于第 2 版）" in body
    assert "状态: 填报中 → 已截止" in body
    assert "\\u" not in body and '"changes"' not in body and "{&quot;" not in body
    auditor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = auditor_client.get(reverse("audit:log"))
    text = english.content.decode()
    assert "E101 Internet users: 1,234.5 → 1,300.0" in text
    assert "Status: In progress → Closed" in text
    assert audit_verify_chain().broken_at is None

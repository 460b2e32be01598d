"""The administrators' bulk load page (issue 15, points 8 and 3): "只检查不保存" runs every
check and stores nothing; an import (and a bulk approval) is confirmed before it is done."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions.models import Cycle, Submission, Version
from tests.submissions.helpers import bulk_csv, bulk_rows

URL = "submissions:bulk_import"


def _counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label in {"submissions", "audit", "scoring", "indicators"}}


def _post(client, content: bytes, mode: str, **extra):
    return client.post(reverse(URL), {"file": SimpleUploadedFile("bulk.csv", content),
                                      "year": "2017", "mode": mode, **extra}, **_lang(extra))


def _lang(extra: dict) -> dict:
    return {"HTTP_ACCEPT_LANGUAGE": extra.pop("language")} if "language" in extra else {}


def test_a_check_reports_and_stores_nothing(admin_client_, bootstrapped):
    admin_client_.get(reverse(URL))  # (sessions and the like before the count)
    before = _counts()
    page = _post(admin_client_, bulk_csv(bulk_rows(["110000", "310000"])), "check")
    assert page.status_code == 200
    text = page.content.decode()
    assert "检查结果（未保存）" in text and "2 个地区；0 个错误" in text and "可以导入" in text
    assert _counts() == before
    assert not Cycle.objects.filter(year=2017).exists()


def test_a_check_lists_the_errors_in_english(admin_client_, bootstrapped):
    rows = [(r, c, "abc" if c == "E101" else v, n) for r, c, v, n in bulk_rows(["110000"])]
    page = _post(admin_client_, bulk_csv(rows), "check", language="en")
    text = page.content.decode()
    assert "Check result (nothing stored)" in text and "cannot be imported" in text
    assert 'id="bulk-problems"' in text and "E101" in text
    assert not Version.objects.exists()


def test_an_import_with_approval_is_confirmed_first(admin_client_, bootstrapped):
    page = _post(admin_client_, bulk_csv(bulk_rows(["110000", "310000"])), "import",
                 approve="on")
    text = page.content.decode()
    assert "确认批量导入并审核通过" in text and "将直接审核通过" in text
    assert not Version.objects.exists()  # nothing loaded before the confirmation
    sha256 = hashlib.sha256(bulk_csv(bulk_rows(["110000", "310000"]))).hexdigest()
    assert f'name="sha256" value="{sha256}"' in text
    response = admin_client_.post(reverse(URL), {
        "confirm": "1", "sha256": sha256, "name": "bulk.csv", "year": "2017", "approve": "1",
        "late_reason": ""}, follow=True)
    assert "已导入 2017 年度 2 个地区的数据并审核通过" in response.content.decode()
    approved = Submission.objects.filter(cycle__year=2017, state=Submission.State.APPROVED)
    assert approved.count() == 2
    assert all(s.approved_version_id == s.current_version_id for s in approved)


def test_a_closed_cycle_needs_a_late_reason(admin_client_, bootstrapped):
    from tests.factories import CycleFactory

    CycleFactory(state=Cycle.State.CLOSED)
    page = _post(admin_client_, bulk_csv(bulk_rows(["110000"])), "check")
    assert page.status_code == 400 and "2017 年度填报已截止" in page.content.decode()
    page = _post(admin_client_, bulk_csv(bulk_rows(["110000"])), "check",
                 late_reason="统计局更正")
    assert page.status_code == 200 and "可以导入" in page.content.decode()


def test_a_confirmation_of_an_unknown_file_is_404(admin_client_, bootstrapped):
    response = admin_client_.post(reverse(URL), {"confirm": "1", "sha256": "0" * 64,
                                                 "year": "2017"})
    assert response.status_code == 404
    response = admin_client_.post(reverse(URL), {"confirm": "1", "sha256": "../../etc",
                                                 "year": "2017"})
    assert response.status_code == 404

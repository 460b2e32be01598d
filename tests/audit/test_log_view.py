from __future__ import annotations

import csv

from django.urls import reverse

from audit.models import AuditEntry
from audit.services import log_action


def _entries(n: int) -> None:
    from django.db import transaction

    with transaction.atomic():
        for i in range(n):
            log_action(actor=None, action=f"test.step{i % 3}", region_code="110000" if i % 2
                       else "310000", cycle_year=2017, data={"i": i, "formula": "=1+1"})


def test_it_filters_and_paginates(auditor_client, bootstrapped):
    _entries(120)
    page = auditor_client.get(reverse("audit:log"), {"region": "110000", "action": "test.step1"})
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("test.step1") >= 10 and "test.step2" not in body
    second = auditor_client.get(reverse("audit:log"), {"page": 2})
    assert second.status_code == 200


def test_it_exports_with_formulas_escaped(auditor_client, bootstrapped):
    _entries(3)
    response = auditor_client.get(reverse("audit:log"), {"action": "test", "_export": "csv"})
    rows = list(csv.reader(response.content.decode("utf-8-sig").splitlines()))
    assert len(rows) == 4
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_it_is_for_auditors_only(auditor_client, reviewer_client, bj_client, admin_client_,
                                 security_client, anon_client, bootstrapped):
    """Separation of duties: the administrators whose actions it records do not read it."""
    url = reverse("audit:log")
    assert auditor_client.get(url).status_code == 200
    assert admin_client_.get(url).status_code == 403
    assert security_client.get(url).status_code == 403
    assert reviewer_client.get(url).status_code == 403
    assert bj_client.get(url).status_code == 403
    assert anon_client.get(url).status_code == 302


def test_it_changes_nothing(auditor_client, bootstrapped):
    count = AuditEntry.objects.count()
    assert auditor_client.post(reverse("audit:log")).status_code == 403
    assert AuditEntry.objects.count() == count

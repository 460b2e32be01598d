"""A national target changed in the admin is audited with each changed field and yearly value,
before and after, and the audit page reads it."""

from __future__ import annotations

from django.urls import reverse

from audit.describe import changes
from audit.models import AuditEntry
from audit.selectors import audit_verify_chain
from indicators.models import NationalTarget
from tests.factories import verified_login


def test_a_target_edit_records_old_and_new(client, administrator, bootstrapped):
    target = NationalTarget.objects.order_by("order").first()
    value = target.values.order_by("year").first()
    verified_login(client, administrator)
    url = reverse("admin:indicators_nationaltarget_change", args=[target.pk])
    form = {name: getattr(target, name) for name in (
        "code", "group_zh", "group_en", "name_zh", "name_en", "unit", "unit_en", "target",
        "target_year", "provincial_formula", "provincial_scale", "order")}
    values = list(target.values.order_by("year"))
    form |= {"values-TOTAL_FORMS": len(values), "values-INITIAL_FORMS": len(values),
             "values-MIN_NUM_FORMS": 0, "values-MAX_NUM_FORMS": 1000}
    for i, row in enumerate(values):
        form |= {f"values-{i}-id": row.pk, f"values-{i}-target": target.pk,
                 f"values-{i}-year": row.year, f"values-{i}-value": row.value,
                 f"values-{i}-reported_growth": row.reported_growth}
    form["target"] = "99"
    form["values-0-value"] = "12.5"
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = list(AuditEntry.objects.filter(action="target.change").order_by("sequence"))
    found = [c for e in entries for c in e.data["changes"]]
    assert {"field": "target", "old": str(target.target), "new": "99"} in found
    assert {"field": "value", "year": value.year, "old": value.value, "new": "12.5"} in found
    lines = [line for e in entries for line in changes(e.data, e.action)[0]]
    assert f"目标值: {target.target} → 99" in lines
    assert f"数值（{value.year} 年）: {value.value} → 12.5" in lines
    assert audit_verify_chain().broken_at is None

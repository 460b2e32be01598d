"""The statistical audit page of a run (administrators and auditors) and its downloads."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from scoring.statistics import REPORT_KEYS
from tests.public.conftest import Tables
from tests.scoring.studio_world import (  # noqa: F401  (fixtures)
    clients_fixture,
    fresh_fixture,
    world_fixture,
)


@pytest.mark.parametrize(("role", "status"), [
    ("administrator", 200), ("auditor", 200), ("reviewer", 403), ("officer", 403),
    ("anonymous", 302)])
def test_it_shows_the_audit_to_administrators_and_auditors(world, clients, role, status):
    response = clients[role].get(reverse("scoring:audit", args=[world.run2017.pk]))
    assert response.status_code == status


def test_it_explains_and_shows_every_part_of_the_audit(world, clients):
    html = clients["auditor"].get(reverse("scoring:audit", args=[world.run2017.pk])
                                  ).content.decode()
    tables = Tables(html)
    for section in ("indicators", "correlations", "alpha", "pca", "uncertainty",
                    "references"):
        assert f'id="{section}"' in html
    assert len(tables.tables["indicator-stats"]) == 22
    assert tables.tables["indicator-stats"][0][:4] == ["网民普及率", "信息服务应用", "%", "31"]
    assert len(tables.tables["alpha-table"]) == 7  # six dimensions and the total
    assert tables.tables["uncertainty-table"][0][:2] == ["北京", "1"]
    assert [row[0] for row in tables.tables["sensitivity-table"]] == ["权重", "标准化方法",
                                                                       "汇总方法"]
    assert "Saltelli, A. (2002)" in html and "Cronbach, L. J. (1951)" in html
    for chart in ("heatmap", "intervals", "boxes"):
        assert f'data-audit-chart="{chart}"' in html
    data = json.loads(html.split('id="chart-data" type="application/json">')[1]
                      .split("</script>")[0])
    assert data["heatmap"]["names"][-1] == "总分" and len(data["heatmap"]["values"]) == 29 ** 2
    assert data["intervals"]["regions"][0] == "北京" and data["intervals"]["rank"][0] == 1
    assert len(data["boxes"]["boxes"]) == 22


def test_it_shows_the_audit_in_english(world, clients):
    html = clients["administrator"].get(reverse("scoring:audit", args=[world.run2017.pk]),
                                        HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Statistical audit of scoring run" in html and "Internal consistency" in html
    assert "Internet penetration" in html and "Beijing" in html
    assert "指标描述统计" not in html and "可能有离群值" not in html


def test_it_downloads_the_audit_as_json_and_xlsx(world, clients):
    url = reverse("scoring:audit_download", args=[world.run2017.pk, "json"])
    response = clients["auditor"].get(url)
    assert response["Content-Type"] == "application/json"
    assert tuple(json.loads(response.content)) == REPORT_KEYS
    response = clients["auditor"].get(reverse("scoring:audit_download",
                                              args=[world.run2017.pk, "xlsx"]))
    assert "attachment" in response["Content-Disposition"]
    assert len(load_workbook(io.BytesIO(response.content)).sheetnames) == 7
    assert clients["auditor"].get(reverse("scoring:audit_download",
                                          args=[world.run2017.pk, "csv"])).status_code == 404
    assert clients["reviewer"].get(url).status_code == 403

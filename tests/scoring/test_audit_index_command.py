"""``audit_index --run ID | --cycle YEAR --format json|xlsx -o FILE``: the statistical audit of
a run as a file, under exactly the keys of the issue."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from scoring.statistics import REPORT_KEYS
from tests.scoring.studio_world import fresh_fixture, world_fixture  # noqa: F401


def audit_index(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_index", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_audit_of_a_cycles_published_run_as_json(world, tmp_path: Path):
    target = tmp_path / "audit.json"
    said = audit_index("--cycle", "2017", "--format", "json", "-o", str(target))
    assert f"run {world.run2017.pk}" in said
    report = json.loads(target.read_text(encoding="utf-8"))
    assert tuple(report) == REPORT_KEYS
    assert len(report["uncertainty"]) == 31  # the provinces, not the corps
    assert report["uncertainty"]["110000"]["rank"] == 1
    assert report["indicators"]["I11"]["n"] == 31
    assert set(report["correlations"]["spearman"]["total"]) >= {"I11", "D1", "total"}
    for share in report["sensitivity"].values():
        assert 0.0 <= share <= 1.0


def test_it_writes_the_audit_of_a_run_by_id_as_a_workbook(world, tmp_path: Path):
    target = tmp_path / "audit.xlsx"
    audit_index("--run", str(world.run2016.pk), "--format", "xlsx", "-o", str(target))
    book = load_workbook(target)
    assert book.sheetnames == ["指标描述统计", "Pearson 相关", "Spearman 相关", "Cronbach α",
                               "主成分", "排名不确定性", "敏感性"]
    uncertainty = book["排名不确定性"]
    assert uncertainty.max_row == 32  # a header and the 31 provinces
    assert uncertainty.cell(row=2, column=2).value  # the region's name


def test_it_refuses_a_run_or_cycle_that_does_not_exist(world, tmp_path: Path):
    target = str(tmp_path / "x.json")
    with pytest.raises(CommandError, match="no scoring run 999999"):
        audit_index("--run", "999999", "--format", "json", "-o", target)
    with pytest.raises(CommandError, match="no cycle 1999"):
        audit_index("--cycle", "1999", "--format", "json", "-o", target)
    with pytest.raises(CommandError):
        audit_index("--run", "1", "--cycle", "2017", "--format", "json", "-o", target)
    with pytest.raises(CommandError, match="cannot be written"):
        audit_index("--cycle", "2017", "--format", "json", "-o", str(tmp_path / "no" / "x"))

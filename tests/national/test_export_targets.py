"""`export_targets`: the report's conclusions from the shipped figures."""

from __future__ import annotations

import csv
import json

from django.core.management import call_command


def _export(tmp_path, fmt: str):
    path = tmp_path / f"targets.{fmt}"
    call_command("export_targets", "--format", fmt, "-o", str(path))
    return path


def test_it_finds_the_four_targets_met_by_2017(bootstrapped, tmp_path):
    document = json.loads(_export(tmp_path, "json").read_text(encoding="utf-8"))
    assert len(document) == 14
    met = sorted(item["name"] for item in document if item["met"]["2017"] is True)
    assert met == sorted(["国内信息技术发明专利授权数", "光纤用户占总宽带用户的比率",
                          "固定宽带家庭普及率", "贫困村宽带网络覆盖率"])
    assert {k for item in document for k in item} >= {"code", "name", "unit", "group", "target",
                                                      "values", "growth", "met"}


def test_it_reports_growth_in_points_for_rates_and_percent_otherwise(bootstrapped, tmp_path):
    by_name = {i["name"]: i for i in json.loads(_export(tmp_path, "json").read_text("utf-8"))}
    broadband = by_name["固定宽带家庭普及率"]
    assert broadband["growth"]["2017"] == {"value": 16.0, "unit": "pp", "reported": 16.0,
                                           "differs": False}
    revenue = by_name["信息产业收入规模"]["growth"]["2017"]
    assert revenue["unit"] == "%" and round(revenue["value"], 1) == 14.5
    retail = by_name["网络商品零售额"]["growth"]["2017"]
    assert retail["differs"] is True and retail["reported"] == 32.2


def test_it_keeps_qualifiers(bootstrapped, tmp_path):
    by_name = {i["name"]: i for i in json.loads(_export(tmp_path, "json").read_text("utf-8"))}
    villages = by_name["贫困村宽带网络覆盖率"]
    assert villages["values"]["2017"] == {"value": 90.0, "qualifier": ">"}
    assert villages["met"] == {"2016": None, "2017": True}
    assert villages["target"] == {"comparator": ">=", "value": 90.0, "year": 2020}
    commerce = by_name["电子商务交易规模"]
    assert commerce["target"]["comparator"] == ">" and commerce["met"]["2017"] is False


def test_it_writes_the_same_figures_as_csv(bootstrapped, tmp_path):
    raw = _export(tmp_path, "csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    met_2017 = sorted(r["name"] for r in rows if r["year"] == "2017" and r["met"] == "true")
    assert len(rows) == 28 and len(met_2017) == 4

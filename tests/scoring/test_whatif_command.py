"""``whatif --cycle YEAR --scenario FILE.json [--format csv|json] [-o FILE]``: with the model's
own weights it reproduces the official run exactly; other scenarios are ranked and compared;
refusals name what they refuse; nothing is stored."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEntry
from scoring.models import Scenario
from tests.scoring.studio_world import fresh_fixture, world_fixture  # noqa: F401

INDICATORS = [f"I{d}{k}" for d, count in ((1, 4), (2, 3), (3, 3), (4, 3), (5, 3), (6, 6))
              for k in range(1, count + 1)]
MODEL = {
    "dimension_points": {"D1": 20, "D2": 20, "D3": 20, "D4": 15, "D5": 15, "D6": 10},
    "indicator_weights": dict.fromkeys(INDICATORS, 1),
    "aggregation": "arithmetic",
}
COLUMNS = ["region_code", "region_name", "D1", "D2", "D3", "D4", "D5", "D6", "total", "rank",
           "official_rank", "rank_change"]


def whatif(tmp_path: Path, scenario: object, *args: str) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    out = io.StringIO()
    call_command("whatif", "--cycle", "2017", "--scenario", str(path), *args, stdout=out,
                 stderr=io.StringIO())
    return out.getvalue()


def test_it_reproduces_the_official_run_exactly_with_the_models_own_weights(world, tmp_path):
    report = json.loads(whatif(tmp_path, MODEL, "--format", "json"))
    assert report["watermark"] == "模拟" and report["official_run"] == world.run2017.number
    assert report["kendall_tau"] == 1.0
    official = {r.region.code: r for r in world.run2017.results.select_related("region")}
    assert len(report["rows"]) == len(official) == 32
    for row in report["rows"]:
        result = official[row["region_code"]]
        assert row["total"] == result.total  # the same float, not merely close
        assert row["dimensions"] == {code: info["points"]
                                     for code, info in result.dimensions.items()}
        assert row["rank"] == result.rank and row["official_rank"] == result.rank
        assert row["rank_change"] == (0 if result.rank else None)
    # An empty scenario is the model's own as well.
    assert json.loads(whatif(tmp_path, {}, "--format", "json"))["rows"] == report["rows"]


def test_it_prints_the_ranking_as_csv_after_a_watermark_line(world, tmp_path):
    lines = whatif(tmp_path, MODEL).splitlines()
    assert lines[0].startswith("# 模拟")
    rows = list(csv.DictReader(lines[1:]))
    assert list(rows[0]) == COLUMNS
    assert [r["rank"] for r in rows[:3]] == ["1", "2", "3"]
    beijing = next(r for r in rows if r["region_code"] == "110000")
    assert (beijing["region_name"], beijing["total"]) == ("北京", "82.97")
    assert beijing["D6"] == "9.44" and beijing["rank_change"] == "0"
    corps = rows[-1]  # scored, not ranked: last, without ranks
    assert corps["region_code"] == "660000" and corps["rank"] == corps["official_rank"] == ""


def test_it_ranks_another_scenario_and_says_who_moved(world, tmp_path):
    scenario = {"dimension_points": {"D6": 0}, "aggregation": "geometric"}
    report = json.loads(whatif(tmp_path, scenario, "--format", "json"))
    assert report["aggregation"] == "geometric" and report["kendall_tau"] < 1.0
    rows = [r for r in report["rows"] if r["rank"]]
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    assert all(r["dimensions"]["D6"] is None for r in report["rows"])
    assert any(r["rank_change"] for r in rows)
    for r in rows:
        assert r["rank_change"] == r["official_rank"] - r["rank"]
    # Totals out of the 90 points left, not rescaled to 100.
    assert max(r["total"] for r in rows) <= 90.0


def test_it_writes_a_file_and_stores_nothing(world, tmp_path):
    entries, scenarios = AuditEntry.objects.count(), Scenario.objects.count()
    target = tmp_path / "out.csv"
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"indicator_weights": {"I11": 3}}), encoding="utf-8")
    call_command("whatif", "--cycle", "2017", "--scenario", str(path), "-o", str(target),
                 stdout=io.StringIO(), stderr=io.StringIO())
    text = target.read_text(encoding="utf-8-sig")
    assert text.startswith("# 模拟") and "region_code,region_name" in text
    assert (AuditEntry.objects.count(), Scenario.objects.count()) == (entries, scenarios)


@pytest.mark.parametrize(("scenario", "words"), [
    ({"indicator_weights": {"I99": 1}}, ["I99", "不存在"]),
    ({"dimension_points": {"D3": -2}}, ["D3", "负数"]),
    ({"indicator_weights": dict.fromkeys(MODEL["indicator_weights"], 0)}, ["全部为零"]),
    ({"dimension_points": dict.fromkeys(MODEL["dimension_points"], 0)}, ["全部为零"]),
    ({"normalisation": {"I41": "zscore"}, "aggregation": "geometric"}, ["I41", "z 分数"]),
    ({"weights": {"D1": 1}}, ["weights"]),
])
def test_it_refuses_a_scenario_naming_the_problem(world, tmp_path, scenario, words):
    with pytest.raises(CommandError) as caught:
        whatif(tmp_path, scenario)
    message = str(caught.value)
    assert "scenario.json" in message
    for word in words:
        assert word in message


def test_it_refuses_a_file_that_is_not_json_or_a_cycle_that_does_not_exist(world, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"aggregation": "geometric",\n "x": }', encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.json: not valid JSON \(line 2"):
        call_command("whatif", "--cycle", "2017", "--scenario", str(bad))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("whatif", "--cycle", "2017", "--scenario", str(tmp_path / "none.json"))
    good = tmp_path / "good.json"
    good.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="no cycle 1999"):
        call_command("whatif", "--cycle", "1999", "--scenario", str(good))

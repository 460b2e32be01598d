"""`export_rankings --cycle YEAR --format csv|xlsx|json -o FILE`: the latest published ranking,
values rounded to 2 decimals half up, text that a spreadsheet would run escaped (product.md,
"Command line"; index-model-2017.md, rule 4)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from common.exports import to_csv
from indicators.models import Region
from scoring.models import ScoringRun, UnitResult
from scoring.selectors import ranking_rows, round_half_up
from scoring.services import run_publish
from tests.scoring.conftest import empty_cycle, publish, score

DIMENSIONS = ["D1", "D2", "D3", "D4", "D5", "D6"]
# The columns of a 2017 ranking: its model's dimensions (scoring.selectors.ranking_columns).
RANKING_COLUMNS = ["rank", "region_code", "region_name", *DIMENSIONS, "total",
                   *(f"rank_{d}" for d in DIMENSIONS), "rank_low", "rank_high"]


def _export(tmp_path, fmt: str, year: int = 2017) -> bytes:
    path = tmp_path / f"out.{fmt}"
    call_command("export_rankings", "--cycle", str(year), "--format", fmt, "-o", str(path),
                 stdout=io.StringIO())
    return path.read_bytes()


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_it_refuses_a_cycle_without_a_published_run(load, all_codes, tmp_path):
    with pytest.raises(CommandError, match="no cycle 2017"):
        _export(tmp_path, "csv")
    load(all_codes)
    with pytest.raises(CommandError, match="no published ranking"):
        _export(tmp_path, "csv")  # approved, not scored
    score()
    with pytest.raises(CommandError, match="no published ranking"):
        _export(tmp_path, "json")  # scored, not published
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.json").exists()


def test_it_refuses_an_unknown_format(bootstrapped, tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export_rankings", "--cycle", "2017", "--format", "pdf", "-o",
                     str(tmp_path / "x.pdf"))


def test_it_rounds_half_up_from_the_shortest_repr():
    assert round_half_up(10 * 17 / 18) == Decimal("9.44")  # 9.444… (北京's policy points)
    assert round_half_up(2.675) == Decimal("2.68")  # the float is 2.67499999…; repr is 2.675
    assert round_half_up(0.125) == Decimal("0.13")  # exactly halfway: up, not to even
    assert round_half_up(10 * 12 / 18) == Decimal("6.67")
    assert round_half_up(10.0) == Decimal("10.00")
    assert round_half_up(82.97485564487104) == Decimal("82.97")
    assert round_half_up(1e-7) == Decimal("0.00")
    assert round_half_up(None) is None
    assert round(2.675, 2) == 2.67 and round(0.125, 2) == 0.12  # what it must not do


@pytest.fixture
def synthetic_run(bootstrapped, administrator) -> ScoringRun:
    """A published run with hand-made results on the rounding edges (through the ORM: a new
    result of an unpublished run may be written; publishing freezes it)."""
    cycle = empty_cycle(2017, administrator)
    run = ScoringRun.objects.create(
        cycle=cycle, number=1, model_version=cycle.model_version, input_hash="0" * 64,
        result_hash="0" * 64, seed=1, replications=10, spread=0.2, created_by=administrator)
    points = {
        "110000": [16.565, 2.675, 0.125, 13.645, 7.655, 10 * 17 / 18],
        "310000": [16.564999, 2.674999, 0.124999, 13.644999, 7.654999, 10 * 12 / 18],
        "440000": [16.565, 2.675, 0.125, 13.645, 7.655, 10 * 17 / 18],  # tied with 北京
    }
    ranks = {"110000": 1, "440000": 1, "310000": 3}
    for code, values in points.items():
        UnitResult.objects.create(
            run=run, region=Region.objects.get(code=code), total=sum(values),
            rank=ranks[code],
            dimensions={d: {"points": p, "rank": ranks[code], "incomplete": False}
                        for d, p in zip(DIMENSIONS, values, strict=True)})
    return run_publish(run=run, actor=administrator, allow_incomplete=True)


def test_it_exports_the_results_rounded_half_up(synthetic_run, tmp_path):
    rows = {row[1]: row for row in _csv(_export(tmp_path, "csv"))[1:]}
    assert rows["110000"][3:9] == ["16.57", "2.68", "0.13", "13.65", "7.66", "9.44"]
    assert rows["310000"][3:9] == ["16.56", "2.67", "0.12", "13.64", "7.65", "6.67"]
    total = UnitResult.objects.get(run=synthetic_run, region__code="110000").total
    assert rows["110000"][9] == str(round_half_up(total))
    data = {item["region_code"]: item for item in json.loads(_export(tmp_path, "json"))}
    assert [data["110000"][d] for d in DIMENSIONS] == [16.57, 2.68, 0.13, 13.65, 7.66, 9.44]
    sheet = openpyxl.load_workbook(io.BytesIO(_export(tmp_path, "xlsx"))).worksheets[0]
    xlsx = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert list(xlsx["110000"][3:9]) == [16.57, 2.68, 0.13, 13.65, 7.66, 9.44]


def test_it_orders_ties_by_region_code(synthetic_run, tmp_path):
    lines = _csv(_export(tmp_path, "csv"))
    assert lines[0] == RANKING_COLUMNS
    assert [(line[0], line[1]) for line in lines[1:]] == [
        ("1", "110000"), ("1", "440000"), ("3", "310000")]
    assert [row["region_code"] for row in ranking_rows(synthetic_run)] == [
        "110000", "440000", "310000"]


def test_it_escapes_cells_that_a_spreadsheet_would_run():
    rows = [
        {"rank": 1, "region_code": "110000", "region_name": "=HYPERLINK(\"http://x\",\"北京\")",
         "D1": Decimal("-1.50"), "total": Decimal("16.57")},
        {"rank": 2, "region_code": "+310000", "region_name": "-上海"},
        {"rank": 3, "region_code": "440000", "region_name": "@SUM(A1:A9)"},
        {"rank": 4, "region_code": "320000", "region_name": "江苏=苏"},
    ]
    lines = _csv(to_csv(RANKING_COLUMNS, rows))
    names = [line[2] for line in lines[1:]]
    assert names == ["'=HYPERLINK(\"http://x\",\"北京\")", "'-上海", "'@SUM(A1:A9)", "江苏=苏"]
    assert lines[2][1] == "'+310000"
    # numbers stay numbers, a negative one included; an absent value is an empty cell
    assert lines[1][3] == "-1.50" and lines[1][9] == "16.57" and lines[2][3] == ""


def test_it_exports_an_escaped_region_name_from_a_published_run(synthetic_run, tmp_path):
    Region.objects.filter(code="310000").update(short_name_zh="=1+1")
    for fmt in ("csv", "xlsx"):
        content = _export(tmp_path, fmt)
        if fmt == "csv":
            names = [line[2] for line in _csv(content)[1:]]
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
            names = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert "'=1+1" in names and "=1+1" not in names
    # JSON is data, not a spreadsheet: the name as it is
    assert "=1+1" in [item["region_name"] for item in json.loads(_export(tmp_path, "json"))]


def test_it_exports_the_latest_publication_of_the_cycle(load, all_codes, tmp_path):
    load(all_codes)
    first = score()
    publish()
    second = score()
    publish(2017, "--note", "修订")
    out = io.StringIO()
    call_command("export_rankings", "--cycle", "2017", "--format", "json", "-o",
                 str(tmp_path / "r.json"), stdout=out)
    assert f"31 rows of run {second.pk}" in out.getvalue()
    assert f"run {first.pk} " not in out.getvalue()


def test_it_exports_the_rank_interval_stored_with_the_run(load, all_codes, tmp_path):
    load(all_codes)
    run = score()
    publish()
    out = io.StringIO()
    call_command("export_rankings", "--cycle", "2017", "--format", "json", "-o",
                 str(tmp_path / "r.json"), stdout=out)
    rows = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    stored = {r.region.code: r for r in run.results.select_related("region")}
    assert len(rows) == 31
    for row in rows:
        result = stored[row["region_code"]]
        assert (row["rank_low"], row["rank_high"]) == (int(result.rank_p05),
                                                       int(result.rank_p95))
        assert 1 <= row["rank_low"] <= row["rank_high"] <= 31
    # The one line that says what the two columns are.
    assert "rank_low, rank_high: the 90% interval of the rank" in out.getvalue()
    assert f"over {run.replications:,} replications" in out.getvalue()
    header = _csv(_export(tmp_path, "csv"))[0]
    assert header[-2:] == ["rank_low", "rank_high"]


def test_a_partial_publication_stays_machine_readable(synthetic_run, tmp_path):
    """Issue 15: the command's files stay plain tables — the CSV's first row is its header,
    the JSON a list of row objects — and the command says the publication is partial."""
    lines = _csv(_export(tmp_path, "csv"))
    assert lines[0] == RANKING_COLUMNS and len(lines) == 4
    data = json.loads(_export(tmp_path, "json"))
    assert isinstance(data, list) and [row["region_code"] for row in data] == [
        "110000", "440000", "310000"]
    out = io.StringIO()
    call_command("export_rankings", "--cycle", "2017", "--format", "csv", "-o",
                 str(tmp_path / "x.csv"), stdout=out)
    assert "partial publication: 3/31 regions" in out.getvalue()

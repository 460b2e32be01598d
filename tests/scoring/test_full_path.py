"""The operator's whole path on the command line: a bulk file of every reporting unit,
`import_values --approve`, `score`, `publish`, `export_rankings` in csv, xlsx and json — and the
exported ranking reproduces the report's Table 3 (index-model-2017.md, "Scoring rules (exact)";
product.md, "Command line"). Runs on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import csv
import io
import json
import math
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from demo.data import REPORTED
from indicators.models import Region
from scoring.models import ScoringRun, UnitResult
from scoring.selectors import round_half_up
from submissions.models import Cycle, Submission
from tests.scoring.conftest import CORPS, publish, score

DIMENSIONS = ["D1", "D2", "D3", "D4", "D5", "D6"]
# The columns of a 2017 ranking: its model's dimensions (scoring.selectors.ranking_columns).
RANKING_COLUMNS = ["rank", "region_code", "region_name", *DIMENSIONS, "total",
                   *(f"rank_{d}" for d in DIMENSIONS), "rank_low", "rank_high"]
POINT_COLUMNS = [*DIMENSIONS, "total"]
RANK_COLUMNS = ["rank", *(f"rank_{d}" for d in DIMENSIONS), "rank_low", "rank_high"]
CENT = Decimal("0.01")


def _export(tmp_path, fmt: str) -> bytes:
    path = tmp_path / f"ranking.{fmt}"
    out = io.StringIO()
    call_command("export_rankings", "--cycle", "2017", "--format", fmt, "-o", str(path),
                 stdout=out)
    assert "31 rows" in out.getvalue()
    return path.read_bytes()


def _canonical(column: str, value: object) -> object:
    """One cell as a comparable value, whatever the format it was read from."""
    if value in (None, ""):
        return None
    if column in POINT_COLUMNS:
        return Decimal(str(value))
    if column in RANK_COLUMNS:
        return int(value)
    return str(value)


def _table(header: list[str], rows: list[list[object]]) -> list[dict[str, object]]:
    assert header == RANKING_COLUMNS
    return [{c: _canonical(c, v) for c, v in zip(header, row, strict=True)} for row in rows]


@pytest.fixture
def published(load, all_codes):
    out = load(all_codes)
    assert "32 region(s) stored and approved" in out
    run = score()
    assert "first publication" in publish()
    run.refresh_from_db()
    return run


def test_it_scores_and_publishes_every_unit_from_one_bulk_file(published):
    run = published
    cycle = Cycle.objects.get(year=2017)
    assert run.cycle == cycle and run.number == 1 and run.is_published
    assert run.publication_number == 1 and run.revision_of is None
    assert cycle.state == Cycle.State.PUBLISHED
    assert Submission.objects.filter(cycle=cycle, state=Submission.State.APPROVED).count() == 32
    assert run.results.count() == 32
    assert len(run.inputs["versions"]) == 32 and len(run.input_hash) == 64


def test_it_prints_the_run_id(load, all_codes):
    load(all_codes)
    out = io.StringIO()
    call_command("score", "--cycle", "2017", stdout=out)
    assert out.getvalue().strip() == str(ScoringRun.objects.get().pk)


def test_it_scores_the_corps_without_ranking_it(published):
    corps = UnitResult.objects.get(run=published, region__code=CORPS)
    assert corps.rank is None and corps.total is not None and corps.total > 0
    assert all(d["rank"] is None and d["points"] is not None
               for d in corps.dimensions.values())
    assert corps.rank_median is None and corps.previous_rank is None
    ranked = UnitResult.objects.filter(run=published).exclude(region__code=CORPS)
    assert ranked.count() == 31 and not ranked.filter(rank=None).exists()


def test_it_exports_identical_content_in_csv_xlsx_and_json(published, tmp_path):
    raw_csv = _export(tmp_path, "csv")
    assert raw_csv.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    lines = list(csv.reader(io.StringIO(raw_csv.decode("utf-8-sig"))))
    from_csv = _table(lines[0], lines[1:])
    # CSV shows points with exactly two decimals (10.00, not 10)
    assert all(len(line[RANKING_COLUMNS.index(c)].split(".")[1]) == 2
               for line in lines[1:] for c in POINT_COLUMNS)

    workbook = openpyxl.load_workbook(io.BytesIO(_export(tmp_path, "xlsx")), read_only=True)
    sheet_rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    from_xlsx = _table([str(c) for c in sheet_rows[0]], sheet_rows[1:])

    data = json.loads(_export(tmp_path, "json").decode("utf-8"))
    assert isinstance(data, list)
    assert all(list(item) == RANKING_COLUMNS for item in data)  # exactly these keys, in order
    from_json = _table(RANKING_COLUMNS, [list(item.values()) for item in data])

    assert len(from_csv) == 31
    assert from_csv == from_xlsx == from_json
    assert CORPS not in {row["region_code"] for row in from_csv}
    names = dict(Region.objects.values_list("code", "short_name_zh"))
    assert all(row["region_name"] == names[row["region_code"]] for row in from_csv)


def _rows(tmp_path) -> list[dict[str, object]]:
    data = json.loads(_export(tmp_path, "json").decode("utf-8"))
    return _table(RANKING_COLUMNS, [list(item.values()) for item in data])


def test_it_reproduces_the_report_table_3(published, tmp_path):
    rows = {row["region_code"]: row for row in _rows(tmp_path)}
    for code, points in REPORTED.items():
        row = rows[code]
        expected = [Decimal(str(p)).quantize(CENT) for p in points]
        assert [row[d] for d in DIMENSIONS] == expected, code
    beijing = rows["110000"]
    assert [str(beijing[d].quantize(CENT)) for d in DIMENSIONS] == [
        "16.57", "17.33", "18.32", "13.65", "7.66", "9.44"]
    assert beijing["total"] == Decimal("82.97") and beijing["rank"] == 1
    assert rows["440000"]["D6"] == Decimal("6.67") and rows["320000"]["D6"] == Decimal("10.00")
    # the report's top ten are the first ten, in its order
    top = sorted(rows.values(), key=lambda r: r["rank"])[:10]
    assert [r["region_code"] for r in top] == list(REPORTED)


def test_it_totals_the_unrounded_points_rounded_half_up(published, tmp_path):
    rows = {row["region_code"]: row for row in _rows(tmp_path)}
    for result in UnitResult.objects.filter(run=published).select_related("region"):
        points = [result.dimensions[d]["points"] for d in DIMENSIONS]
        assert result.total == math.fsum(points)  # the stored total: the exact sum, rounded once
        if result.region.code == CORPS:
            continue
        row = rows[result.region.code]
        assert row["total"] == round_half_up(math.fsum(points))
        # the total of the rounded points may differ from it; the export does not use it
        assert [row[d] for d in DIMENSIONS] == [round_half_up(p) for p in points]
    beijing = UnitResult.objects.get(run=published, region__code="110000")
    assert beijing.dimensions["D6"]["points"] == pytest.approx(10 * 17 / 18, abs=1e-12)
    # stored at full precision (82.9748…), shown as 82.97
    assert beijing.total != 82.97 and round_half_up(beijing.total) == Decimal("82.97")


def test_it_orders_rows_by_rank_then_code_with_competition_ranks(published, tmp_path):
    rows = _rows(tmp_path)
    assert rows == sorted(rows, key=lambda r: (r["rank"], r["region_code"]))
    results = {r.region.code: r for r in
               UnitResult.objects.filter(run=published).select_related("region")
               if r.region.code != CORPS}
    totals = {code: r.total for code, r in results.items()}
    for row in rows:
        code = row["region_code"]
        # standard competition ranking on the unrounded value: 1 + the number strictly ahead
        assert row["rank"] == 1 + sum(t > totals[code] for t in totals.values())
        for d in DIMENSIONS:
            mine = results[code].dimensions[d]["points"]
            ahead = sum(r.dimensions[d]["points"] > mine for r in results.values())
            assert row[f"rank_{d}"] == 1 + ahead, (code, d)
    # 江苏, 福建 and 天津 have 10.00 policy points: they share rank 1, the next rank is 4
    d6 = {row["region_code"]: row["rank_D6"] for row in rows}
    assert d6["320000"] == d6["350000"] == d6["120000"] == 1
    assert sorted(d6.values())[3] == 4
    assert d6["440000"] == d6["310000"]  # 广东 and 上海: 6.67 each, one rank

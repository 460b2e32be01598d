"""``whatif --cycle YEAR --scenario FILE.json [--format csv|json] [-o FILE]``: a scenario's
ranking against the cycle's official run, printed (or written), nothing stored."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from common.errors import ApplicationError
from common.exports import escape_formula
from scoring import studio, studio_selectors
from scoring.selectors import round_half_up
from submissions.models import Cycle


class Command(BaseCommand):
    help = ("Print a what-if scenario's ranking (watermarked as a simulation, never stored): "
            "FILE.json is "
            '{"dimension_points": {CODE: points}, "indicator_weights": {CODE: w}, '
            '"aggregation": "arithmetic"|"geometric"}, every key optional (also '
            '"normalisation": {CODE: goalposts|minmax|zscore|ordinal}, "goalposts": '
            '{CODE: [lower, upper]}, "directions": {CODE: 1|-1}); a 0 leaves a dimension or '
            "indicator out.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, required=True)
        parser.add_argument("--scenario", type=Path, required=True)
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("-o", "--output", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        parameters = _read(options["scenario"])
        cycle = Cycle.objects.filter(year=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"no cycle {options['cycle']}")
        run = studio_selectors.official_run(cycle)
        if run is None:
            raise CommandError(f"cycle {cycle.year} has no scoring run to compare with")
        data = studio_selectors.run_data(run)
        try:
            scenario = studio.parse_scenario(parameters, data.spec)
        except ApplicationError as exc:
            raise CommandError(f"{options['scenario']}: {exc.message}") from None
        result = studio.compute(data, scenario)
        rows = _rows(data, result)
        if options["format"] == "json":
            text = json.dumps({
                "watermark": str(studio.WATERMARK), "note": str(studio.NOT_OFFICIAL),
                "cycle": cycle.year, "official_run": run.number,
                "official_run_published": run.is_published,
                "aggregation": scenario.aggregation, "kendall_tau": result.kendall_tau,
                "rows": rows,
            }, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        else:
            text = _csv(data, rows)
        if options["output"]:
            encoding = "utf-8-sig" if options["format"] == "csv" else "utf-8"
            Path(options["output"]).write_text(text, encoding=encoding)
            self.stderr.write(f"{len(rows)} rows written to {options['output']}")
        else:
            self.stdout.write(text, ending="")


def _read(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                           f"{exc.msg})") from None


def _number(value: float) -> float | None:
    return None if value != value else float(value)


def _rows(data: studio.RunData, result: studio.ScenarioResult) -> list[dict[str, Any]]:
    """Every unit, the ranked ones by the scenario's rank (then the official one and the
    code), the others after them; full precision."""
    rows = []
    for i, code in enumerate(data.region_codes):
        rank = int(result.ranks[i]) or None
        rows.append({
            "region_code": code, "region_name": data.region_names[i][0],
            "dimensions": {d: _number(v) for d, v in zip(
                data.dimension_codes, result.dimension_points[i].tolist(), strict=True)},
            "total": _number(float(result.totals[i])),
            "rank": rank if data.ranked[i] else None,
            "official_rank": int(data.ranks[i]) or None,
            "rank_change": result.rank_changes[i],
        })
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["official_rank"] or 0,
                             r["region_code"]))
    return rows


def _csv(data: studio.RunData, rows: list[dict[str, Any]]) -> str:
    """The watermark line, then ``region_code, region_name``, the dimensions, ``total,
    rank, official_rank, rank_change``; points and totals to 2 decimals, half up."""
    buffer = io.StringIO()
    buffer.write("# " + gettext("{watermark}：{note}").format(
        watermark=studio.WATERMARK, note=studio.NOT_OFFICIAL) + "\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n")
    dimensions = list(data.dimension_codes)
    writer.writerow(["region_code", "region_name", *dimensions, "total", "rank",
                     "official_rank", "rank_change"])
    for row in rows:
        writer.writerow([
            row["region_code"], escape_formula(row["region_name"]),
            *[_cell(row["dimensions"][d]) for d in dimensions], _cell(row["total"]),
            _blank(row["rank"]), _blank(row["official_rank"]), _blank(row["rank_change"])])
    return buffer.getvalue()


def _cell(value: float | None) -> str:
    rounded = round_half_up(value)
    return "" if rounded is None else format(rounded, "f")


def _blank(value: int | None) -> str:
    return "" if value is None else str(value)

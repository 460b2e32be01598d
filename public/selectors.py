"""What the public pages show: published runs only. An unpublished run is never returned."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from indicators.models import Dimension, Indicator, Region
from scoring.models import ScoringRun, UnitResult
from scoring.selectors import round_half_up
from submissions.models import Cycle


def published_runs() -> QuerySet[ScoringRun]:
    return (ScoringRun.objects.filter(published_at__isnull=False)
            .select_related("cycle", "model_version", "revision_of")
            .order_by("-cycle__year", "-publication_number"))


def latest_published_year() -> int | None:
    run = published_runs().first()
    return run.cycle.year if run else None


def published_run(year: int, run_id: int | None = None) -> ScoringRun:
    """The latest publication of a cycle, or one named publication of it; 404 otherwise."""
    runs = published_runs().filter(cycle__year=year)
    run = runs.filter(pk=run_id).first() if run_id else runs.first()
    if run is None:
        raise Http404
    return run


def published_run_id(year: int, run_id: int | None = None) -> int:
    """The id of ``published_run(year, run_id)``: all that a page whose content is cached by
    run id needs on every request, so it is the cheapest query there is — plain SQL, as
    building the same query with the ORM costs four times its execution. 404 if none."""
    run, cycle = ScoringRun._meta, Cycle._meta
    sql = (f"SELECT r.id FROM {run.db_table} r JOIN {cycle.db_table} c ON c.id = r.cycle_id "  # noqa: S608 - table names from the models
           "WHERE c.year = %s AND r.published_at IS NOT NULL"
           + (" AND r.id = %s" if run_id else "")
           + " ORDER BY r.publication_number DESC LIMIT 1")
    params = [year, run_id] if run_id else [year]
    if not all(-(2**63) <= n < 2**63 for n in params):
        raise Http404  # past the database's integers: no cycle or run has it
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return int(row[0])


def region_label(region: Region) -> str:
    """北京 in Chinese, Beijing in English."""
    return region.short_name


@dataclass(frozen=True)
class RankingRow:
    rank: int | None
    region: Region
    label: str
    dimensions: list[Any]   # rounded points, in dimension order
    total: Any
    tier: str
    rank_change: int | None
    incomplete: bool
    rank_p05: float | None
    rank_p95: float | None


def tier_labels(run: ScoringRun) -> dict[str, str]:
    return {t.code: t.label for t in run.model_version.tiers.all()}


def overall_rows(run: ScoringRun, *, ranked: bool = True) -> list[RankingRow]:
    dimensions = list(run.model_version.dimensions.all())
    labels = tier_labels(run)
    rows = []
    # The indicators' JSON is the larger part of a result and the ranking does not show it.
    results = (run.results.select_related("region").filter(region__ranked=ranked)
               .defer("indicators"))
    for r in results.order_by("rank", "region__code"):
        rows.append(RankingRow(
            rank=r.rank, region=r.region, label=region_label(r.region),
            dimensions=[round_half_up(r.dimensions.get(d.code, {}).get("points"))
                        for d in dimensions],
            total=round_half_up(r.total), tier=labels.get(r.tier, ""),
            rank_change=r.rank_change, incomplete=r.incomplete,
            rank_p05=r.rank_p05, rank_p95=r.rank_p95,
        ))
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.region.code))
    return rows


@dataclass(frozen=True)
class DimensionRow:
    rank: int | None
    region: Region
    label: str
    points: Any
    indicators: list[Any]   # (value, score) rounded, in indicator order


def dimension_rows(run: ScoringRun, dimension: Dimension
                   ) -> tuple[list[Indicator], list[DimensionRow]]:
    indicators = list(dimension.indicators.order_by("order"))
    rows = []
    for r in run.results.select_related("region").filter(region__ranked=True):
        info = r.dimensions.get(dimension.code, {})
        rows.append(DimensionRow(
            rank=info.get("rank"), region=r.region, label=region_label(r.region),
            points=round_half_up(info.get("points")),
            indicators=[round_half_up(r.indicators.get(i.code, {}).get("value"))
                        for i in indicators],
        ))
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.region.code))
    return indicators, rows


def region_result(run: ScoringRun, code: str) -> UnitResult:
    result = run.results.select_related("region").filter(region__code=code).first()
    if result is None:
        raise Http404
    return result


def national_medians(run: ScoringRun) -> dict[str, float]:
    """The median of each dimension's points over the ranked units of the run."""
    values: dict[str, list[float]] = {}
    for dims in run.results.filter(region__ranked=True).values_list("dimensions", flat=True):
        for code, info in dims.items():
            if info.get("points") is not None:
                values.setdefault(code, []).append(info["points"])
    return {code: statistics.median(v) for code, v in values.items()}


def region_history(region: Region) -> list[tuple[int, UnitResult]]:
    """The region's result in the latest publication of each published cycle."""
    history = []
    for cycle in Cycle.objects.filter(runs__published_at__isnull=False).distinct().order_by("year"):
        run = published_runs().filter(cycle=cycle).first()
        result = (run.results.filter(region=region).defer("indicators", "dimensions").first()
                  if run else None)
        if result is not None:
            history.append((cycle.year, result))
    return history

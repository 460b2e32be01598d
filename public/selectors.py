"""What the public pages show: published runs only. An unpublished run is never returned."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from common.i18n import localized
from indicators.model_diff import comparable
from indicators.models import Dimension, Indicator, ModelVersion, Region, Tier
from public.models import Announcement
from scoring.models import ScoringRun, UnitResult
from scoring.selectors import (
    Coverage,
    previous_published_run,
    rank_changes_shown,
    round_half_up,
)
from submissions.models import Cycle


def published_runs() -> QuerySet[ScoringRun]:
    return (ScoringRun.objects.filter(published_at__isnull=False)
            .select_related("cycle", "model_version", "revision_of", "previous_run")
            .order_by("-cycle__year", "-publication_number"))


def published_runs_covered() -> list[tuple[ScoringRun, Coverage]]:
    """Every publication with its coverage (two queries), the latest year first."""
    of = Region.objects.filter(ranked=True).count()
    runs = published_runs().annotate(
        covered=Count("results", filter=Q(results__region__ranked=True)))
    return [(run, Coverage(covered=run.covered, of=of))  # type: ignore[attr-defined]
            for run in runs]


def published_years(of: int) -> list[tuple[int, bool]]:
    """Every published year, the latest first, and whether its latest publication is partial
    (covers fewer than ``of`` ranked regions): one query."""
    latest: dict[int, int] = {}
    for year, covered in published_runs().annotate(
            covered=Count("results", filter=Q(results__region__ranked=True))).values_list(
            "cycle__year", "covered"):
        latest.setdefault(year, covered)  # the year's latest publication comes first
    return [(year, covered < of) for year, covered in latest.items()]


def latest_published_year() -> int | None:
    """The year the landing page opens on: the latest year whose latest publication covers
    every ranked region. A partial year never replaces a complete one; only while no year is
    complete is the latest partial year the default."""
    latest: dict[int, ScoringRun] = {}
    for run in published_runs().annotate(
            covered=Count("results", filter=Q(results__region__ranked=True))):
        latest.setdefault(run.cycle.year, run)  # the year's latest publication comes first
    if not latest:
        return None
    of = Region.objects.filter(ranked=True).count()
    complete = [year for year, run in latest.items()
                if run.covered >= of]  # type: ignore[attr-defined]  # the annotation
    return max(complete) if complete else max(latest)


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


def ranked_regions() -> QuerySet[Region]:
    """The regions a ranking is about (the corps is scored, not ranked), in their order."""
    return Region.objects.filter(ranked=True).order_by("order", "code")


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


def tier_labels(run: ScoringRun, tiers: list[Tier] | None = None) -> dict[str, str]:
    return {t.code: t.label for t in (run.model_version.tiers.all() if tiers is None
                                      else tiers)}


def overall_rows(run: ScoringRun, *, ranked: bool | None = True,
                 tiers: list[Tier] | None = None,
                 dimensions: list[Dimension] | None = None,
                 changes: bool | None = None) -> list[RankingRow]:
    """The ranking of the run's ranked (or unranked, or with ``None`` all: the ranked first)
    units; ``tiers`` and ``dimensions``, the run's model's, when the caller has read them
    already. Rank changes only where ``rank_changes_shown`` (``changes=False``: a page that
    shows none need not ask)."""
    if dimensions is None:
        dimensions = list(run.model_version.dimensions.all())
    labels = tier_labels(run, tiers)
    if changes is None:
        changes = rank_changes_shown(run)
    rows = []
    # The indicators' JSON is the larger part of a result and the ranking does not show it.
    results = run.results.select_related("region").defer("indicators")
    if ranked is not None:
        results = results.filter(region__ranked=ranked)
    for r in results.order_by("rank", "region__code"):
        rows.append(RankingRow(
            rank=r.rank, region=r.region, label=region_label(r.region),
            dimensions=[round_half_up(r.dimensions.get(d.code, {}).get("points"))
                        for d in dimensions],
            total=round_half_up(r.total), tier=labels.get(r.tier, ""),
            rank_change=r.rank_change if changes else None, incomplete=r.incomplete,
            rank_p05=r.rank_p05, rank_p95=r.rank_p95,
        ))
    rows.sort(key=lambda row: (not row.region.ranked, row.rank is None, row.rank or 0,
                               row.region.code))
    return rows


@dataclass(frozen=True)
class MapClass:
    """One colour of the tile map: the totals from ``low`` to ``high`` (both shown with the
    pages' 2 decimals)."""

    shade: int
    low: Decimal
    high: Decimal


MAP_CLASSES = 5


def map_classes(totals: list[Any]) -> list[MapClass]:
    """Five classes of equal width between the lowest and the highest total, the highest
    first (the legend's order); one class when every total is the same, none without data."""
    known = sorted(Decimal(t) for t in totals if t is not None)
    if not known:
        return []
    low, high = known[0], known[-1]
    if low == high:
        return [MapClass(MAP_CLASSES - 1, low, high)]
    step = (high - low) / MAP_CLASSES
    bounds = [round_half_up(float(low + step * k)) or low for k in range(MAP_CLASSES + 1)]
    bounds[0], bounds[-1] = low, high
    return [MapClass(k, bounds[k], bounds[k + 1]) for k in reversed(range(MAP_CLASSES))]


def map_class(total: Any, classes: list[MapClass]) -> int | None:
    """The shade of a total (the darkest for the highest); ``None`` for a region without one."""
    if total is None:
        return None
    value = Decimal(total)
    for item in classes:  # the highest class first
        if value >= item.low:
            return item.shade
    return classes[-1].shade


@dataclass(frozen=True)
class DimensionRow:
    rank: int | None
    region: Region
    label: str
    points: Any
    indicators: list[Any]   # (value, score) rounded, in indicator order


def dimension_rows(run: ScoringRun, dimension: Dimension, *, ranked: bool = True
                   ) -> tuple[list[Indicator], list[DimensionRow]]:
    """A dimension's ranking of the run's ranked (or unranked) units."""
    indicators = list(dimension.indicators.order_by("order"))
    rows = []
    for r in run.results.select_related("region").filter(region__ranked=ranked):
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


@dataclass(frozen=True)
class HistoryRow:
    """The region's result in the latest publication of one published year, with the model
    that year was scored under."""

    year: int
    run: ScoringRun
    result: UnitResult
    total: Any
    same_model: bool     # scored under the model of the page's run
    coverage: Coverage | None = None

    @property
    def partial(self) -> bool:
        return self.coverage is not None and self.coverage.partial

    @property
    def model(self) -> ModelVersion:
        return self.run.model_version


def region_history(region: Region, current: ScoringRun) -> list[HistoryRow]:
    """The region's total and rank in every published year, whatever each year's model.

    Two queries: the latest publication of every published cycle, and the region's results
    in them."""
    latest: dict[int, ScoringRun] = {}
    for run in published_runs().order_by("cycle__year", "publication_number").annotate(
            covered=Count("results", filter=Q(results__region__ranked=True))):
        latest[run.cycle.year] = run
    runs = {r.pk: r for r in latest.values()}
    of = Region.objects.filter(ranked=True).count()
    results = (UnitResult.objects.filter(run_id__in=list(runs), region=region)
               .defer("indicators", "dimensions"))
    rows = [HistoryRow(runs[r.run_id].cycle.year, runs[r.run_id], r, round_half_up(r.total),
                       runs[r.run_id].model_version_id == current.model_version_id,
                       Coverage(runs[r.run_id].covered, of))  # type: ignore[attr-defined]
            for r in results]
    return sorted(rows, key=lambda row: row.year)


def published_model(code: str) -> ModelVersion:
    """A model version that a published ranking was scored under; 404 for any other (a
    draft is not public)."""
    version = ModelVersion.objects.filter(
        code=code, pk__in=ScoringRun.objects.filter(published_at__isnull=False)
        .values("model_version")).first()
    if version is None:
        raise Http404
    return version


def published_years_of(version: ModelVersion) -> list[int]:
    """The years whose published ranking was scored under ``version``."""
    return sorted(set(published_runs().filter(model_version=version)
                      .values_list("cycle__year", flat=True)))


def published_models() -> list[ModelVersion]:
    return list(ModelVersion.objects.filter(
        pk__in=ScoringRun.objects.filter(published_at__isnull=False).values("model_version"))
        .order_by("-year", "-code"))


@dataclass(frozen=True)
class ComparedFigure:
    """One figure of the region in the previous published year and in this one."""

    name: str
    unit: str
    before: Any
    now: Any
    rank_before: int | None = None
    rank_now: int | None = None


@dataclass(frozen=True)
class YearComparison:
    """The region against the previous published year, for the figures that mean the same
    under both years' models (``indicators.model_diff.comparable``)."""

    previous: ScoringRun
    same_model: bool
    rank_change: int | None
    dimensions: list[ComparedFigure]
    indicators: list[ComparedFigure]
    not_comparable: list[str]   # names of this year's dimensions and indicators left out
    partial: bool = False       # one of the two publications is partial: no rank change


def year_comparison(run: ScoringRun, result: UnitResult) -> YearComparison | None:
    # The run the stored rank changes were measured against (the overall page's column);
    # for a run scored before the year before was published, that year's publication.
    previous = run.previous_run or previous_published_run(run.cycle)
    if previous is None:
        return None
    changes = rank_changes_shown(run, previous)
    before = previous.results.filter(region=result.region).first()
    if before is None:
        return None
    ok = comparable(previous.model_version.source, run.model_version.source)
    dims = list(run.model_version.dimensions.all())
    inds = list(run.model_version.indicators.all())
    return YearComparison(
        previous=previous, same_model=previous.model_version_id == run.model_version_id,
        rank_change=(before.rank - result.rank if changes and before.rank is not None
                     and result.rank is not None else None),
        partial=not changes,
        dimensions=[_compared(d, localized(d, "name"), "", before.dimensions, result.dimensions,
                              "points", ranks=True) for d in dims if d.code in ok.dimensions],
        indicators=[_compared(i, localized(i, "name"), localized(i, "unit"), before.indicators,
                              result.indicators, "value") for i in inds
                    if i.code in ok.indicators],
        not_comparable=[localized(d, "name") for d in dims if d.code not in ok.dimensions]
        + [localized(i, "name") for i in inds if i.code not in ok.indicators],
    )


def _compared(item: Any, name: str, unit: str, before: dict[str, Any], now: dict[str, Any],
              key: str, *, ranks: bool = False) -> ComparedFigure:
    old, new = before.get(item.code, {}), now.get(item.code, {})
    return ComparedFigure(name, unit, round_half_up(old.get(key)), round_half_up(new.get(key)),
                          old.get("rank") if ranks else None, new.get("rank") if ranks else None)


# --- announcements ---------------------------------------------------------------------------


def published_announcements() -> QuerySet[Announcement]:
    """The announcements the public sees, the latest first."""
    return Announcement.objects.filter(published_at__isnull=False).order_by("-published_at",
                                                                            "-pk")


def published_announcement(pk: int) -> Announcement:
    """One published announcement; 404 for a draft, a withdrawn one or none."""
    announcement = published_announcements().filter(pk=pk).first()
    if announcement is None:
        raise Http404
    return announcement


def all_announcements() -> QuerySet[Announcement]:
    """Every announcement, drafts and withdrawn ones first, for the administrators' page."""
    return Announcement.objects.select_related("created_by").order_by(
        F("published_at").desc(nulls_first=True), "-created_at")

"""Reads of the scoring app: the model as the pure core wants it, the approved inputs of a
cycle, runs and their results as pages and exports show them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.db.models import QuerySet

from indicators.models import ModelVersion, Region
from scoring import core
from scoring.models import ScoringRun, UnitResult
from submissions.models import Cycle, Submission, Value


def model_spec(version: ModelVersion) -> core.ModelSpec:
    return core.ModelSpec(
        elements=tuple(version.elements.values_list("code", flat=True)),
        dimensions=tuple(core.DimensionSpec(d.code, float(d.points))
                         for d in version.dimensions.all()),
        indicators=tuple(
            core.IndicatorSpec(
                code=i.code, dimension=i.dimension.code, formula=i.formula,
                direction=i.direction, normalisation=i.normalisation, lower=i.lower,
                upper=i.upper, max_level=i.max_level, target=i.target, weight=i.weight,
            )
            for i in version.indicators.select_related("dimension")
        ),
        tiers=tuple(core.Tier(t.min_total, t.code) for t in version.tiers.all()),
    )


@dataclass(frozen=True)
class ApprovedInputs:
    regions: list[Region]
    versions: list[int]          # the version id read for each region
    values: np.ndarray           # regions × elements, NaN where missing
    ranked: np.ndarray           # bool per region
    elements: tuple[str, ...]


def approved_inputs(cycle: Cycle, elements: tuple[str, ...]) -> ApprovedInputs:
    """The cycle's approved data as a units × elements array, in region order.

    The same reading as ``submissions.selectors.approved_versions`` (the version each approval
    pinned, ``Submission.approved_version``: never a version that became current later),
    straight into the array: two queries, one pass over the
    values, and no ordering of the values (``Value``'s default ordering joins and sorts every
    row — 180,000 of them in a county-level cycle). Values are converted exactly as
    ``values_of_versions`` converts them (``float`` of the stored decimal), so a run and its
    verification read the same floats.
    """
    submissions = list(
        Submission.objects.filter(cycle=cycle, state=Submission.State.APPROVED,
                                  approved_version__isnull=False)
        .select_related("region").order_by("region__order", "region__code")
    )
    row_of = {s.approved_version_id: i for i, s in enumerate(submissions)}
    column = {code: j for j, code in enumerate(elements)}
    values = np.full((len(submissions), len(elements)), np.nan)
    rows = list(Value.objects.filter(version_id__in=list(row_of), value__isnull=False,
                                     element__code__in=list(column))
                .order_by().values_list("version_id", "element__code", "value"))
    if rows:  # one assignment (not one per value)
        values[[row_of[r[0]] for r in rows], [column[r[1]] for r in rows]] = [
            float(r[2]) for r in rows]  # type: ignore[arg-type]  # value__isnull=False
    return ApprovedInputs(
        regions=[s.region for s in submissions],
        versions=[s.approved_version_id for s in submissions],  # type: ignore[misc]
        values=values,
        ranked=np.array([s.region.ranked for s in submissions], dtype=bool),
        elements=elements,
    )


def latest_published_run(cycle: Cycle) -> ScoringRun | None:
    return (ScoringRun.objects.filter(cycle=cycle, published_at__isnull=False)
            .order_by("-publication_number").first())


def previous_published_run(cycle: Cycle) -> ScoringRun | None:
    before = Cycle.objects.filter(year__lt=cycle.year).order_by("-year")
    for earlier in before:
        run = latest_published_run(earlier)
        if run is not None:
            return run
    return None


def run_results(run: ScoringRun) -> QuerySet[UnitResult]:
    return run.results.select_related("region").order_by("rank", "region__code")


CENT = Decimal("0.01")


def round_half_up(value: float | None) -> Decimal | None:
    """2 decimals, half up, from the float's shortest repr (9.444… → 9.44, 2.675 → 2.68)."""
    if value is None:
        return None
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def ranking_columns(run: ScoringRun) -> list[str]:
    """The columns of a run's ranking file (``export_rankings``, the staff download): the
    region, each dimension of the run's model by its code, the total, each dimension's rank,
    then the rank interval stored with the run — ``rank, region_code, region_name, D1, …,
    total, rank_D1, …, rank_low, rank_high`` for 2017."""
    dims = dimension_codes(run)
    return ["rank", "region_code", "region_name", *dims, "total",
            *[f"rank_{code}" for code in dims], *RANK_INTERVAL_COLUMNS]


# The 5th and 95th percentile of the unit's total rank when the dimension weights vary
# (``scoring.uncertainty``): whole ranks, as they occurred in some replication.
RANK_INTERVAL_COLUMNS = ("rank_low", "rank_high")
RANK_INTERVAL_NOTE = ("rank_low, rank_high: the 90% interval of the rank (5th and 95th "
                      "percentile) when each dimension's weight varies at random by ±{spread}% "
                      "over {n} replications.")


def rank_interval_note(run: ScoringRun) -> str:
    """The one line that says what ``rank_low`` and ``rank_high`` are, for this run."""
    return RANK_INTERVAL_NOTE.format(spread=f"{run.spread * 100:g}", n=f"{run.replications:,}")


def _whole(rank: float | None) -> int | None:
    return None if rank is None else round(rank)


def dimension_codes(run: ScoringRun) -> list[str]:
    return list(run.model_version.dimensions.values_list("code", flat=True))


def ranking_rows(run: ScoringRun) -> list[dict[str, object]]:
    """The published ranking of the ranked units, as the exports and pages show it."""
    dims = dimension_codes(run)
    rows = []
    for result in run_results(run).filter(region__ranked=True):
        row: dict[str, object] = {
            "rank": result.rank, "region_code": result.region.code,
            "region_name": result.region.short_name,  # in the language of the reader
        }
        for code in dims:
            row[code] = round_half_up(result.dimensions.get(code, {}).get("points"))
        row["total"] = round_half_up(result.total)
        for code in dims:
            row[f"rank_{code}"] = result.dimensions.get(code, {}).get("rank")
        row["rank_low"], row["rank_high"] = _whole(result.rank_p05), _whole(result.rank_p95)
        rows.append(row)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["region_code"]))
    return rows

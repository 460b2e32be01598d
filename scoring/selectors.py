"""Reads of the scoring app: the model as the pure core wants it, the approved inputs of a
cycle, runs and their results as pages and exports show them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.db.models import Count, Prefetch, Q, QuerySet

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


@dataclass(frozen=True)
class Coverage:
    """How many of the regions a ranking is about (the ranked ones, 31) a run has a result
    for. A run of fewer is a partial publication: marked as such wherever it is shown, its
    rank changes and national figures provisional."""

    covered: int
    of: int

    @property
    def partial(self) -> bool:
        return self.covered < self.of


def run_coverage(run: ScoringRun) -> Coverage:
    """The run's coverage of the ranked regions, in one query. A run's results never change,
    so neither does its coverage: it is kept on the instance for the rest of the request."""
    kept = run.__dict__.get("_coverage")
    if isinstance(kept, Coverage):
        return kept
    counts = Region.objects.filter(ranked=True).aggregate(
        of=Count("pk"),
        covered=Count("pk", filter=Q(pk__in=UnitResult.objects.filter(run=run)
                                     .values("region_id"))))
    coverage = Coverage(covered=counts["covered"], of=counts["of"])
    run.__dict__["_coverage"] = coverage
    return coverage


def ranked_count() -> int:
    """How many regions a complete ranking covers (31)."""
    return Region.objects.filter(ranked=True).count()


def cycles_with_runs() -> QuerySet[Cycle]:
    """The cycles, the latest first, each with its runs; each run with ``covered``: how many
    ranked regions it has a result for (the runs page)."""
    runs = (ScoringRun.objects.select_related("created_by", "published_by")
            .annotate(covered=Count("results", filter=Q(results__region__ranked=True))))
    return (Cycle.objects.select_related("model_version")
            .prefetch_related(Prefetch("runs", queryset=runs)).order_by("-year"))


def regions_not_covered(run: ScoringRun) -> list[Region]:
    """The ranked regions the run has no result for, in region order."""
    return list(Region.objects.filter(ranked=True)
                .exclude(pk__in=run.results.values("region_id")).order_by("order", "code"))


def rank_changes_shown(run: ScoringRun, previous: ScoringRun | None = None) -> bool:
    """Rank changes against the previous publication mean something only when both
    publications cover every ranked region: against a partial year (or from one) a region
    would seem to rise only because others are missing."""
    previous = previous or run.previous_run
    if previous is None:
        return False
    # Both, always: the same queries for a partial year as for a complete one.
    now, before = run_coverage(run), run_coverage(previous)
    return not now.partial and not before.partial


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


# --- what a publication will do (the confirmation page) --------------------------------------

#: How many of the first ranks the confirmation shows.
PREVIEW_RANKS = 10


@dataclass(frozen=True)
class RankMove:
    """A region whose rank or total differs from the publication being revised."""

    region: Region
    rank_before: int | None
    rank_now: int | None
    total_before: Decimal | None
    total_now: Decimal | None


@dataclass(frozen=True)
class PublishPreview:
    """What publishing ``run`` will do, said before it is done."""

    run: ScoringRun
    coverage: Coverage
    missing: list[Region]             # ranked regions the run has no result for
    first: list[dict[str, object]]    # the first ranks, as the exports show them
    revises: ScoringRun | None        # the cycle's publication this one will be a revision of
    publication_number: int
    same_inputs: bool | None          # the revised publication read the same inputs
    added: list[Region]               # covered now, not in the revised publication
    removed: list[Region]             # in the revised publication, not covered now
    moves: list[RankMove]             # regions in both whose rank or total differs
    coverage_before: Coverage | None

    @property
    def is_revision(self) -> bool:
        return self.revises is not None


def publish_preview(run: ScoringRun) -> PublishPreview:
    """What the confirmation page says before ``run`` is published: the run, its input hash,
    the regions it covers (and misses), its first ranks, and how it differs from the
    publication of the same year it would revise."""
    coverage = run_coverage(run)
    revises = latest_published_run(run.cycle)
    now = {r.region_id: r for r in run_results(run).filter(region__ranked=True)}
    added: list[Region] = []
    removed: list[Region] = []
    moves: list[RankMove] = []
    if revises is not None:
        before = {r.region_id: r for r in run_results(revises).filter(region__ranked=True)}
        added = [r.region for pk, r in now.items() if pk not in before]
        removed = [r.region for pk, r in before.items() if pk not in now]
        for pk, result in now.items():
            old = before.get(pk)
            if old is None:
                continue
            totals = (round_half_up(old.total), round_half_up(result.total))
            if old.rank != result.rank or totals[0] != totals[1]:
                moves.append(RankMove(result.region, old.rank, result.rank, *totals))
        moves.sort(key=lambda m: (m.rank_now is None, m.rank_now or 0, m.region.code))
    return PublishPreview(
        run=run, coverage=coverage, missing=regions_not_covered(run),
        first=ranking_rows(run)[:PREVIEW_RANKS], revises=revises,
        publication_number=(revises.publication_number or 0) + 1 if revises else 1,
        same_inputs=None if revises is None else revises.input_hash == run.input_hash,
        added=sorted(added, key=lambda r: (r.order, r.code)),
        removed=sorted(removed, key=lambda r: (r.order, r.code)),
        moves=moves, coverage_before=run_coverage(revises) if revises else None,
    )

"""Reads of the API, as plain data (dicts of JSON values) for the serializers.

The public half reads published runs only (``public.selectors``) and rounds figures exactly as
the pages and ``export_rankings`` do (2 decimals, half up); the provincial half reads one
region's submission through the same selectors as the officer's pages. Every object that has
a year and a region carries ``year`` and ``region_code``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Max, QuerySet
from django.http import Http404

from common.i18n import localized
from indicators.models import ModelVersion, NationalTarget, NationalTargetValue, Region
from indicators.selectors import model_export
from national.selectors import targets_document
from public import selectors as public_selectors
from scoring.models import ScoringRun, UnitResult
from scoring.selectors import rank_changes_shown, ranking_rows, round_half_up, run_coverage
from submissions import selectors as submission_selectors
from submissions.models import Submission, ValidationIssue, Version

# --- published years, publications, rankings, results ----------------------------------------


def publication(run: ScoringRun) -> dict[str, Any]:
    """A publication, with its coverage: a partial one (fewer than all ranked regions) is
    never to be taken for a whole year (issue 15)."""
    coverage = run_coverage(run)
    return {
        "year": run.cycle.year,
        "publication_number": run.publication_number,
        "run_id": run.pk,
        "published_at": run.published_at,
        "revision_of": run.revision_of.publication_number if run.revision_of else None,
        "note": run.note,
        "model_version": run.model_version.code,
        "partial": coverage.partial,
        "covered": coverage.covered,
        "of": coverage.of,
    }


def published_years() -> list[dict[str, Any]]:
    """Each published year, newest first, with its publications (the latest first)."""
    years: dict[int, dict[str, Any]] = {}
    for run in public_selectors.published_runs():
        entry = years.setdefault(run.cycle.year, {
            "year": run.cycle.year, "model_version": run.model_version.code,
            "publications": []})
        entry["publications"].append(publication(run))
    return list(years.values())


def published_year(year: int) -> dict[str, Any]:
    for entry in published_years():
        if entry["year"] == year:
            return entry
    raise Http404


def publications(*, year: int | None = None) -> list[dict[str, Any]]:
    runs = public_selectors.published_runs()
    if year is not None:
        runs = runs.filter(cycle__year=year)
    return [publication(run) for run in runs]


def published_run(year: int, publication_number: int | None = None) -> ScoringRun:
    """The latest publication of a year, or the one numbered; 404 otherwise."""
    runs = public_selectors.published_runs().filter(cycle__year=year)
    if publication_number is not None:
        runs = runs.filter(publication_number=publication_number)
    run = runs.first()
    if run is None:
        raise Http404
    return run


def ranking(run: ScoringRun) -> list[dict[str, Any]]:
    """The ranking as ``export_rankings --format json`` writes it (the same fields, the same
    rounding), each row with its year, its rank interval, tier and completeness."""
    extra = {row[0]: row[1:] for row in run.results.filter(region__ranked=True).values_list(
        "region__code", "rank_p05", "rank_median", "rank_p95", "tier", "incomplete",
        "previous_rank")}
    labels = public_selectors.tier_labels(run)
    # As on the pages: a previous rank only between two complete publications.
    changes = rank_changes_shown(run)
    rows = []
    for row in ranking_rows(run):
        p05, median, p95, tier, incomplete, previous = extra[str(row["region_code"])]
        previous = previous if changes else None
        rows.append({"year": run.cycle.year, **row, "rank_p05": p05, "rank_median": median,
                     "rank_p95": p95, "tier": tier, "tier_label": labels.get(tier, ""),
                     "incomplete": incomplete, "previous_rank": previous})
    return rows


def _figure(value: float | None) -> Decimal | None:
    return round_half_up(value)


def region_results(run: ScoringRun, result: UnitResult) -> dict[str, Any]:
    """One region's results in a publication: its total, rank and interval, its dimensions'
    points and ranks, its indicators' values and scores (scores in percent, as the pages)."""
    labels = public_selectors.tier_labels(run)
    dimensions = list(run.model_version.dimensions.all())
    indicators = list(run.model_version.indicators.select_related("dimension"))
    changes = rank_changes_shown(run)
    return {
        "year": run.cycle.year, "publication_number": run.publication_number,
        "region_code": result.region.code, "region_name": result.region.short_name,
        "ranked": result.region.ranked, "rank": result.rank, "total": _figure(result.total),
        "tier": result.tier, "tier_label": labels.get(result.tier, ""),
        "incomplete": result.incomplete, "rank_p05": result.rank_p05,
        "rank_median": result.rank_median, "rank_p95": result.rank_p95,
        "previous_rank": result.previous_rank if changes else None,
        "rank_change": result.rank_change if changes else None,
        "dimensions": [{
            "code": d.code, "name": d.name, "max_points": d.points,
            "points": _figure(result.dimensions.get(d.code, {}).get("points")),
            "rank": result.dimensions.get(d.code, {}).get("rank"),
        } for d in dimensions],
        "indicators": [{
            "code": i.code, "dimension": i.dimension.code, "name": i.name,
            "unit": localized(i, "unit"),
            "value": _figure(result.indicators.get(i.code, {}).get("value")),
            "score_percent": _figure(_percent(result.indicators.get(i.code, {}).get("score"))),
        } for i in indicators],
    }


def _percent(score: float | None) -> float | None:
    return None if score is None else score * 100


def region_result(run: ScoringRun, region_code: str) -> UnitResult:
    return public_selectors.region_result(run, region_code)


def latest_runs(*, year: int | None = None) -> list[ScoringRun]:
    """The latest publication of each published year (of one year if given), newest first."""
    latest: dict[int, ScoringRun] = {}
    for run in public_selectors.published_runs():
        latest.setdefault(run.cycle.year, run)
    return [run for y, run in latest.items() if year is None or y == year]


def results_of(run: ScoringRun, *, region_code: str | None = None) -> QuerySet[UnitResult]:
    results = run.results.select_related("region").order_by("region__order", "region__code")
    return results.filter(region__code=region_code) if region_code else results


# --- regions, models, targets -----------------------------------------------------------------


def regions() -> QuerySet[Region]:
    return Region.objects.order_by("order", "code")


def model_versions() -> QuerySet[ModelVersion]:
    """The index models that are in use or have been: never a draft."""
    return ModelVersion.objects.exclude(state=ModelVersion.State.DRAFT).order_by("-year", "code")


def model_version(code: str) -> ModelVersion:
    version = model_versions().filter(code=code).first()
    if version is None:
        raise Http404
    return version


def model_version_row(version: ModelVersion) -> dict[str, Any]:
    return {"code": version.code, "year": version.year, "state": version.state,
            "title": localized(version, "title")}


def model_version_document(version: ModelVersion) -> dict[str, Any]:
    """The model in full, as ``export_model`` writes it, with the years that used it."""
    return {
        **model_version_row(version),
        "cycles": sorted(version.cycles.values_list("year", flat=True)),  # type: ignore[attr-defined]
        "document": model_export(version=version),
    }


def targets_stamp() -> str:
    """Changes whenever a target or one of its figures is edited (their history grows)."""
    return "{}-{}".format(
        NationalTarget.history.aggregate(m=Max("history_id"))["m"] or 0,  # type: ignore[attr-defined]
        NationalTargetValue.history.aggregate(m=Max("history_id"))["m"] or 0,  # type: ignore[attr-defined]
    )


def targets() -> list[dict[str, Any]]:
    """The national 2020 targets as ``export_targets --format json`` writes them, without
    the aggregates of approved provincial data (the national view's, not yet published)."""
    return [{key: value for key, value in item.items() if key != "provincial"}
            for item in targets_document()]


# --- one region's submission ------------------------------------------------------------------


def submission_of(*, year: int, region: Region) -> Submission:
    submission = (Submission.objects.select_related("cycle__model_version", "region",
                                                    "current_version")
                  .filter(cycle__year=year, region=region).first())
    if submission is None:
        raise Http404
    return submission


def version_summary(version: Version | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "number": version.number, "source": version.source, "validation": version.validation,
        "error_count": version.error_count, "warning_count": version.warning_count,
        "unexplained_warning_count": version.unexplained_warning_count,
        "created_at": version.created_at, "validated_at": version.validated_at,
        "created_by": str(version.created_by) if version.created_by_id else "",
    }


def submission_document(submission: Submission) -> dict[str, Any]:
    latest = submission.versions.select_related("created_by").first()
    current = submission.current_version
    return {
        "year": submission.cycle.year, "region_code": submission.region.code,
        "region_name": submission.region.short_name,
        "model_version": submission.cycle.model_version.code,
        "cycle_state": submission.cycle.state, "deadline": submission.cycle.deadline,
        "state": submission.state, "state_label": Submission.State(submission.state).label,
        "editable": submission.is_editable,
        "submitted_at": submission.submitted_at, "approved_at": submission.approved_at,
        "next_step": str(submission_selectors.officer_next_step(submission)),
        "current_version": version_summary(
            submission.versions.select_related("created_by").get(pk=current.pk)
            if current else None),
        "latest_version": version_summary(latest),
    }


def template_document(submission: Submission) -> dict[str, Any]:
    """The template's data: every element of the model with its unit, bounds, last year's
    approved value and the current value and note."""
    return {
        "year": submission.cycle.year, "region_code": submission.region.code,
        "model_version": submission.cycle.model_version.code,
        "elements": [{
            "element_code": row.code, "name": localized(row, "name"), "unit": row.unit,
            "kind": row.kind, "minimum": row.minimum,
            "minimum_exclusive": row.minimum_exclusive, "maximum": row.maximum,
            "max_level": row.max_level, "range_note": row.range_note,
            "last_value": row.last_value, "value": row.value, "note": row.note,
        } for row in submission_selectors.template_rows(submission)],
    }


def versions_of(submission: Submission) -> QuerySet[Version]:
    return submission.versions.select_related("created_by").order_by("-number")


def version_of(submission: Submission, number: int) -> Version:
    version = versions_of(submission).filter(number=number).first()
    if version is None:
        raise Http404
    return version


def issue_document(issue: ValidationIssue, *, year: int, region_code: str) -> dict[str, Any]:
    return {
        "year": year, "region_code": region_code, "element_code": issue.element_code,
        "severity": issue.severity, "rule_code": issue.rule_code,
        "message": localized(issue, "message"), "message_zh": issue.message_zh,
        "message_en": issue.message_en, "sheet": issue.sheet, "row": issue.row,
        "column": issue.column,
    }


def version_report(submission: Submission, version: Version) -> dict[str, Any]:
    """A version with its values and its validation report: every problem with its element,
    rule code and messages."""
    year, code = submission.cycle.year, submission.region.code
    return {
        "year": year, "region_code": code, **(version_summary(version) or {}),
        "current": submission.current_version_id == version.pk,
        "values": [{"element_code": v.element.code, "value": v.value, "raw": v.raw,
                    "note": v.note} for v in submission_selectors.version_values(version)],
        "issues": [issue_document(i, year=year, region_code=code)
                   for i in submission_selectors.version_issues(version)],
    }


def current_issues(submission: Submission) -> list[dict[str, Any]]:
    """The current version's problems, for a refused submit."""
    current = submission.current_version
    if current is None:
        return []
    return [issue_document(i, year=submission.cycle.year, region_code=submission.region.code)
            for i in submission_selectors.version_issues(current)]

"""The administrators' national view: completeness and timeliness of a cycle, national
aggregates of approved provincial data, and progress towards the 2020 targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.utils import timezone

from common.i18n import localized
from indicators.expressions import parse_expression
from indicators.models import DataElement, NationalTarget, Region
from indicators.targets import (
    Bound,
    Growth,
    NationalTargetData,
    growth_differs,
    growth_unit,
    parse_reported_growth,
)
from submissions.models import Cycle, Submission
from submissions.selectors import approved_versions


class Status(StrEnum):
    """Where a reporting unit stands in a cycle, as the national view counts it (coarser than
    the submission's state)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


STATUS_ORDER = tuple(Status)
# Not (yet) submitted: late once the deadline has passed.
UNSUBMITTED = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED})


@dataclass(frozen=True)
class RegionStatus:
    region: Region
    submission: Submission | None
    status: Status
    late: bool


def _status(submission: Submission | None) -> Status:
    if submission is None or (submission.state == Submission.State.DRAFT
                              and submission.current_version_id is None):
        return Status.NOT_STARTED
    state = submission.state
    if state == Submission.State.APPROVED:
        return Status.APPROVED
    if state in (Submission.State.RETURNED, Submission.State.INVALID):
        return Status.RETURNED
    if state == Submission.State.DRAFT:
        return Status.IN_PROGRESS
    return Status.SUBMITTED


def completeness(cycle: Cycle, *, today: date | None = None) -> list[RegionStatus]:
    """Every reporting unit's state in the cycle, and whether it is late: not submitted by
    the deadline, or submitted after it."""
    today = today or timezone.localdate()
    submissions = {s.region_id: s for s in Submission.objects.filter(cycle=cycle)}
    result = []
    for region in Region.objects.order_by("order"):
        submission = submissions.get(region.pk)
        status = _status(submission)
        submitted_on = (timezone.localtime(submission.submitted_at).date()
                        if submission and submission.submitted_at else None)
        if status in UNSUBMITTED:
            late = today > cycle.deadline
        else:
            late = submitted_on is not None and submitted_on > cycle.deadline
        result.append(RegionStatus(region, submission, status, late))
    return result


@dataclass(frozen=True)
class Aggregate:
    """A national figure; ``name`` and ``unit`` in the language of the page."""

    code: str
    name: str
    unit: str
    value: float | None
    regions: int          # how many regions the figure stands on
    of: int = 0           # how many ranked regions there are (31): fewer is provisional

    @property
    def provisional(self) -> bool:
        """A figure of fewer than all the provinces is not a national figure yet."""
        return self.regions < self.of


def provinces_count() -> int:
    """How many regions a national figure stands on when it is complete: the ranked ones."""
    return Region.objects.filter(ranked=True).count()


def provincial_approved(cycle: Cycle) -> list[Any]:
    """Approved data of the ranked provinces only: an unranked unit such as 新疆生产建设兵团
    is already inside its province's official figures, and would be counted twice."""
    return [a for a in approved_versions(cycle) if a.region.ranked]


def element_aggregates(cycle: Cycle) -> list[Aggregate]:
    """Σ of every element whose national aggregation is ``sum``, over approved data."""
    approved = provincial_approved(cycle)
    of = provinces_count()
    result = []
    for element in cycle.model_version.elements.filter(aggregation=DataElement.Aggregation.SUM):
        present = [a.values[element.code] for a in approved if element.code in a.values]
        result.append(Aggregate(element.code, element.name, localized(element, "unit"),
                                sum(present) if present else None, len(present), of))
    return result


def indicator_aggregates(cycle: Cycle) -> list[Aggregate]:
    """Rate indicators as a ratio of sums (Σ E401 / Σ P02 × 100), never an average of rates,
    over the regions that report every element of the formula."""
    approved = provincial_approved(cycle)
    summed = set(cycle.model_version.elements.filter(
        aggregation=DataElement.Aggregation.SUM).values_list("code", flat=True))
    of = provinces_count()
    result = []
    for indicator in cycle.model_version.indicators.all():
        expression = parse_expression(indicator.formula)
        if not expression.codes or not expression.codes <= summed or len(expression.codes) < 2:
            continue  # an index or a level has no national sum
        rows = [a.values for a in approved if expression.codes <= a.values.keys()]
        value = None
        if rows:
            sums = {code: sum(row[code] for row in rows) for code in expression.codes}
            try:
                value = float(expression.evaluate(sums))
            except ZeroDivisionError:
                value = None
        result.append(Aggregate(indicator.code, indicator.name, localized(indicator, "unit"),
                                value, len(rows), of))
    return result


# --- the national 2020 targets -----------------------------------------------------------


@dataclass(frozen=True)
class YearFigure:
    year: int
    value: str                  # as published, e.g. ">90"
    bound: Bound | None
    met: bool | None
    growth: Growth | None       # computed from the printed figures
    reported_growth: Decimal | None
    growth_differs: bool
    provincial: Aggregate | None  # the aggregate of approved provincial data, where derivable


@dataclass(frozen=True)
class TargetProgress:
    target: NationalTarget
    target_bound: Bound
    figures: list[YearFigure]

    @property
    def latest(self) -> YearFigure | None:
        return self.figures[-1] if self.figures else None


def _as_data(target: NationalTarget) -> NationalTargetData:
    return NationalTargetData(
        code=target.code, group_zh=target.group_zh, group_en=target.group_en,
        name_zh=target.name_zh, name_en=target.name_en, unit=target.unit,
        unit_en=target.unit_en, target=target.target, target_year=target.target_year,
        values={v.year: v.value for v in target.values.all()},
        reported_growth={v.year: v.reported_growth for v in target.values.all()
                         if v.reported_growth},
        provincial_formula=target.provincial_formula,
        provincial_scale=target.provincial_scale, order=target.order,
    )


def provincial_figure(target: NationalTarget, cycle: Cycle | None) -> Aggregate | None:
    """Σ-based figure of approved provincial data for a target that declares a formula."""
    if cycle is None or not target.provincial_formula:
        return None
    expression = parse_expression(target.provincial_formula)
    approved = provincial_approved(cycle)
    rows = [a.values for a in approved if expression.codes <= a.values.keys()]
    if not rows:
        return Aggregate(target.code, target.name, target.unit, None, 0, provinces_count())
    sums = {code: sum(row[code] for row in rows) for code in expression.codes}
    try:
        value = float(expression.evaluate(sums)) * target.provincial_scale
    except ZeroDivisionError:
        value = None
    return Aggregate(target.code, target.name, target.unit, value, len(rows),
                     provinces_count())


def targets_progress() -> list[TargetProgress]:
    cycles = {c.year: c for c in Cycle.objects.all()}
    result = []
    for target in NationalTarget.objects.prefetch_related("values").order_by("order"):
        data = _as_data(target)
        figures = []
        for year in sorted(data.values):
            reported = parse_reported_growth(data.reported_growth.get(year, ""))
            growth = data.growth(year)
            figures.append(YearFigure(
                year=year, value=data.values[year], bound=data.value(year),
                met=data.meets(year), growth=growth, reported_growth=reported,
                growth_differs=bool(growth and reported is not None
                                    and growth_differs(growth, reported)),
                provincial=provincial_figure(target, cycles.get(year)),
            ))
        result.append(TargetProgress(target, data.target_bound, figures))
    return result


def _number(value: Decimal | None, places: str = "0.01") -> float | None:
    return None if value is None else float(value.quantize(Decimal(places),
                                                           rounding=ROUND_HALF_UP))


def targets_document() -> list[dict[str, Any]]:
    """The targets as ``export_targets --format json`` writes them."""
    document: list[dict[str, Any]] = []
    for progress in targets_progress():
        target = progress.target
        years = {f.year for f in progress.figures}
        document.append({
            "code": target.code, "name": target.name_zh, "name_en": target.name_en,
            "unit": target.unit, "group": target.group_zh,
            "target": {"comparator": _comparator(progress.target_bound, exact_means=">="),
                       "value": float(progress.target_bound.value),
                       "year": target.target_year},
            "values": {str(f.year): {"value": float(f.bound.value) if f.bound else None,
                                     "qualifier": _comparator(f.bound) if f.bound else None}
                       for f in progress.figures},
            "growth": {str(f.year): {"value": _number(f.growth.value) if f.growth else None,
                                     "unit": growth_unit(target.unit),
                                     "reported": _number(f.reported_growth),
                                     "differs": f.growth_differs}
                       for f in progress.figures if f.year - 1 in years},
            "met": {str(f.year): f.met for f in progress.figures},
            "provincial": {str(f.year): {"value": f.provincial.value,
                                         "regions": f.provincial.regions}
                           for f in progress.figures if f.provincial is not None},
        })
    return document


def _comparator(bound: Bound, *, exact_means: str | None = None) -> str | None:
    # A printed figure without a qualifier is exact (None); a bare target means "at least".
    if bound.comparator == "=":
        return exact_means
    return bound.comparator

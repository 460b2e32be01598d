"""The administrators' national view: completeness and timeliness of a cycle, national
aggregates of approved provincial data, and progress towards the 2020 targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from indicators.expressions import parse_expression
from indicators.models import DataElement, Indicator, Region
from submissions.models import Cycle, Submission
from submissions.selectors import approved_versions

STATUS_ORDER = ("not_started", "in_progress", "submitted", "returned", "approved")


@dataclass(frozen=True)
class RegionStatus:
    region: Region
    submission: Submission | None
    status: str          # one of STATUS_ORDER
    late: bool


def _status(submission: Submission | None) -> str:
    if submission is None or (submission.state == Submission.State.DRAFT
                              and submission.current_version_id is None):
        return "not_started"
    state = submission.state
    if state == Submission.State.APPROVED:
        return "approved"
    if state in (Submission.State.RETURNED, Submission.State.INVALID):
        return "returned"
    if state == Submission.State.DRAFT:
        return "in_progress"
    return "submitted"


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
        if status in ("not_started", "in_progress", "returned"):
            late = today > cycle.deadline
        else:
            late = submitted_on is not None and submitted_on > cycle.deadline
        result.append(RegionStatus(region, submission, status, late))
    return result


@dataclass(frozen=True)
class Aggregate:
    code: str
    name: str
    unit: str
    value: float | None
    regions: int          # how many regions the figure stands on


def element_aggregates(cycle: Cycle) -> list[Aggregate]:
    """Σ of every element whose national aggregation is ``sum``, over approved data."""
    approved = approved_versions(cycle)
    result = []
    for element in cycle.model_version.elements.filter(aggregation=DataElement.Aggregation.SUM):
        present = [a.values[element.code] for a in approved if element.code in a.values]
        result.append(Aggregate(element.code, element.name, element.unit,
                                sum(present) if present else None, len(present)))
    return result


def indicator_aggregates(cycle: Cycle) -> list[Aggregate]:
    """Rate indicators as a ratio of sums (Σ E401 / Σ P02 × 100), never an average of rates,
    over the regions that report every element of the formula."""
    approved = approved_versions(cycle)
    summed = set(cycle.model_version.elements.filter(
        aggregation=DataElement.Aggregation.SUM).values_list("code", flat=True))
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
        result.append(Aggregate(indicator.code, indicator.name, indicator.unit, value,
                                len(rows)))
    return result


def indicator_by_code(cycle: Cycle, code: str) -> Indicator | None:
    return cycle.model_version.indicators.filter(code=code).first()

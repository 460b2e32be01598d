"""Reads of the submissions app. Scoring and the national view read approved data only
through the functions here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet

from indicators.expressions import parse_expression
from indicators.models import DataElement, ModelVersion, Region
from submissions.models import Cycle, Submission, ValidationIssue, Value, Version
from submissions.rules import CrossRule, ElementRule, IndicatorCheck, RuleSet, primary_code


def ruleset_for(model_version: ModelVersion) -> RuleSet:
    elements = list(model_version.elements.all())
    codes = {e.code for e in elements}
    return RuleSet(
        model=model_version.code,
        elements={e.code: element_rule(e) for e in elements},
        rules=[
            CrossRule(r.code, parse_expression(r.expression, known_codes=codes), r.severity,
                      r.message_zh, r.message_en)
            for r in model_version.rules.all()
        ],
        indicators=[
            IndicatorCheck(i.code, i.name_zh, i.name_en, expr, primary_code(expr))
            for i in model_version.indicators.all()
            if (expr := parse_expression(i.formula, known_codes=codes))
        ],
    )


def element_rule(e: DataElement) -> ElementRule:
    return ElementRule(
        code=e.code, name_zh=e.name_zh, name_en=e.name_en, unit=e.unit, kind=e.kind,
        minimum=e.min_value, minimum_exclusive=e.min_exclusive, maximum=e.max_value,
        max_level=e.max_level, yoy_threshold=e.yoy_threshold,
    )


def previous_cycle(cycle: Cycle) -> Cycle | None:
    return Cycle.objects.filter(year__lt=cycle.year).order_by("-year").first()


def approved_values_by_region(cycle: Cycle) -> dict[int, dict[str, Decimal | None]]:
    """region id → element code → value of the approved current versions of a cycle."""
    result: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    # No ordering (Value's default ordering joins four more tables and sorts every row) and
    # no join for the element codes (a few dozen, read once): a county-level cycle has
    # 180,000 values, read by every bulk load of the year after.
    rows = Value.objects.filter(
        version__submission__cycle=cycle,
        version__submission__state=Submission.State.APPROVED,
        version__submission__current_version=F("version"),
    ).order_by().values_list("version__submission__region_id", "element_id", "value")
    codes: dict[int, str] = {}
    for region_id, element_id, value in rows:
        if not codes:  # at the first row: no query for a cycle without values
            codes = element_codes(cycle)
        result[region_id][codes[element_id]] = value
    return result


def element_codes(cycle: Cycle) -> dict[int, str]:
    """element id → code of the cycle's model version, whose elements are the only ones its
    values have: a few dozen read once, instead of a join for each of up to 180,000 values
    (``approved_values_by_region`` of a county-level cycle: 0.18 s, and 0.30 s with the join;
    docs/benchmarks.md, "Speed tricks")."""
    return dict(DataElement.objects.filter(version_id=cycle.model_version_id)
                .values_list("pk", "code"))


def previous_approved_values(cycle: Cycle, region: Region) -> dict[str, Decimal | None]:
    before = previous_cycle(cycle)
    if before is None:
        return {}
    return approved_values_by_region(before).get(region.pk, {})


def current_values_by_region(cycle: Cycle) -> dict[int, dict[str, float]]:
    """region id → code → value of the cycle's current validated versions (any state)."""
    versions = Version.objects.filter(
        submission__cycle=cycle,
        validation__in=[Version.Validation.VALID, Version.Validation.INVALID],
        submission__current_version=F("pk"),
    )
    result: dict[int, dict[str, float]] = defaultdict(dict)
    codes: dict[int, str] = {}
    for region_id, element_id, value in Value.objects.filter(
        version__in=versions, value__isnull=False
    ).order_by().values_list("version__submission__region_id", "element_id", "value"):
        if not codes:
            codes = element_codes(cycle)
        result[region_id][codes[element_id]] = float(value)  # type: ignore[arg-type]
    return result


def peer_values(cycle: Cycle, *, exclude_region_id: int | None) -> list[dict[str, float]]:
    """The current validated values of the cycle's other submissions, for outlier checks."""
    return [values for region_id, values in current_values_by_region(cycle).items()
            if region_id != exclude_region_id]


def version_values(version: Version) -> QuerySet[Value]:
    return version.values.select_related("element").order_by("element__order")


def version_issues(version: Version) -> QuerySet[ValidationIssue]:
    return version.issues.order_by("severity", "row", "element_code", "id")


def submission_for_region(cycle: Cycle, region: Region) -> Submission | None:
    return Submission.objects.filter(cycle=cycle, region=region).first()


def open_cycles() -> QuerySet[Cycle]:
    return Cycle.objects.select_related("model_version").order_by("-year")


@dataclass(frozen=True)
class ApprovedVersion:
    region: Region
    version_id: int
    values: dict[str, float]


def approved_versions(cycle: Cycle) -> list[ApprovedVersion]:
    """The current versions of the cycle's approved submissions with their values, in region
    order (two queries, whatever the number of units)."""
    submissions = list(
        Submission.objects.filter(cycle=cycle, state=Submission.State.APPROVED,
                                  current_version__isnull=False)
        .select_related("region").order_by("region__order", "region__code")
    )
    values: dict[int, dict[str, float]] = defaultdict(dict)
    for version_id, code, value in Value.objects.filter(
        version_id__in=[s.current_version_id for s in submissions], value__isnull=False
    ).order_by().values_list("version_id", "element__code", "value"):
        values[version_id][code] = float(value)  # type: ignore[arg-type]
    return [ApprovedVersion(s.region, s.current_version_id, values[s.current_version_id])
            for s in submissions if s.current_version_id is not None]


def regions_without_approval(cycle: Cycle, *, ranked_only: bool = True) -> list[Region]:
    approved = Submission.objects.filter(cycle=cycle, state=Submission.State.APPROVED)
    regions = Region.objects.exclude(pk__in=approved.values("region_id")).order_by("order")
    return list(regions.filter(ranked=True) if ranked_only else regions)


def values_of_versions(version_ids: list[int]) -> dict[int, dict[str, float]]:
    """version id → element code → value, for recomputing a stored scoring run."""
    values: dict[int, dict[str, float]] = {vid: {} for vid in version_ids}
    for version_id, code, value in Value.objects.filter(
        version_id__in=version_ids, value__isnull=False
    ).order_by().values_list("version_id", "element__code", "value"):
        values[version_id][code] = float(value)  # type: ignore[arg-type]
    return values


@dataclass(frozen=True)
class ValueChange:
    code: str
    before: Decimal | None
    after: Decimal | None
    note_before: str
    note_after: str


def version_diff(before: Version, after: Version) -> list[ValueChange]:
    """The values and notes that differ between two versions of a submission."""
    old = {v.element.code: v for v in before.values.select_related("element")}
    new = {v.element.code: v for v in after.values.select_related("element")}
    order = {e.code: e.order for e in before.submission.cycle.model_version.elements.all()}
    changes = []
    for code in sorted(old.keys() | new.keys(), key=lambda c: (order.get(c, 999), c)):
        a, b = old.get(code), new.get(code)
        value_a, value_b = (a.value if a else None), (b.value if b else None)
        note_a, note_b = (a.note if a else ""), (b.note if b else "")
        if value_a != value_b or note_a != note_b:
            changes.append(ValueChange(code, value_a, value_b, note_a, note_b))
    return changes

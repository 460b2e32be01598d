"""Bulk loads of official or historic data (``import_values``): one row per value, many
regions, through the same parser and rules as an officer's upload.

All or nothing: every problem of every region is collected first; if any is an error,
nothing is stored. Otherwise one transaction stores one new version per region (and approves
it when asked), with batched inserts, so that a county-level cycle of 180,000 values loads in
seconds.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from audit.services import Action as AuditAction
from audit.services import log_actions
from indicators.models import ModelVersion, Region
from indicators.selectors import normalise_region_key, region_index
from submissions import rules
from submissions.models import Cycle, Submission, Transition, UploadedFile, Value, Version
from submissions.readers import BULK_FIELDS, FileRejected, RawRow, read_table
from submissions.selectors import (
    approved_values_by_region,
    current_values_by_region,
    previous_cycle,
    ruleset_for,
)
from submissions.services import (
    cycle_create,
    file_store,
    issues_insert_many,
    value_rows,
    values_insert,
)
from submissions.workflow import Action, Actor, TransitionError, next_state

UNKNOWN_REGION = ("地区「{value}」无法识别（可填写行政区划代码、全称、简称或英文名）",
                  "Region “{value}” is not known (use its GB/T 2260 code, full, short or "
                  "English name)")
YEAR_MISMATCH = ("年份 {value} 与导入的年度 {year} 不一致", "Year {value} does not match the "
                 "cycle being imported ({year})")
NO_MODEL = ("没有 {year} 年度的指标体系版本", "There is no index model version for {year}")
APPROVED_ALREADY = ("{region} 的填报已审核通过，需管理员先重新打开", "The submission of {region} "
                    "is approved; an administrator must reopen it first")


@dataclass(frozen=True)
class BulkProblem:
    region: str
    row: int | None
    column: str
    element_code: str
    severity: str
    rule_code: str
    message_zh: str
    message_en: str


@dataclass
class BulkResult:
    year: int
    created_cycle: bool = False
    versions: list[Version] = field(default_factory=list)
    errors: list[BulkProblem] = field(default_factory=list)
    warnings: list[BulkProblem] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _problem(region: str, issue: rules.Issue) -> BulkProblem:
    return BulkProblem(region, issue.position.row, issue.position.column, issue.element_code,
                       issue.severity, issue.rule_code, issue.message_zh, issue.message_en)


def _row_problem(row: RawRow, column_field: str, code: str, texts: tuple[str, str],
                 **params: Any) -> BulkProblem:
    cell = row.cells.get(column_field)
    return BulkProblem("", row.number, cell.column if cell else "", "", rules.ERROR, code,
                       texts[0].format(**params), texts[1].format(**params))


def _model_for_year(year: int) -> ModelVersion | None:
    cycle = Cycle.objects.filter(year=year).select_related("model_version").first()
    if cycle is not None:
        return cycle.model_version
    return (ModelVersion.objects.filter(code=str(year)).first()
            or ModelVersion.objects.filter(year=year).first())


def _group_rows(table_rows: list[RawRow], year: int, result: BulkResult
                ) -> dict[Region, list[RawRow]]:
    index = region_index()
    grouped: dict[Region, list[RawRow]] = defaultdict(list)
    # A bulk file names each region on every one of its rows: look each spelling up once,
    # and append to the region's list without hashing the model instance per row. Keyed by
    # type too, so that 110000 and 110000.0 (equal, but written differently) stay apart.
    lookups: dict[tuple[type, object], tuple[str, Region | None]] = {}
    buckets: dict[tuple[type, object], list[RawRow]] = {}
    for row in table_rows:
        region_cell = row.cells.get("region")
        value = None if region_cell is None else region_cell.value
        key: tuple[type, object] | None = (type(value), value)
        try:
            raw, region = lookups[(type(value), value)]
        except KeyError:
            raw, region = lookups.setdefault((type(value), value), _region_of(index, value))
        except TypeError:  # unhashable: no reader makes such a value, but never fail on one
            key = None
            raw, region = _region_of(index, value)
        if region is None:
            result.errors.append(_row_problem(row, "region", "UNKNOWN_REGION", UNKNOWN_REGION,
                                              value=raw))
            continue
        year_cell = row.cells.get("year")
        if year_cell is not None and year_cell.value not in (None, ""):
            text = str(year_cell.value).strip().removesuffix(".0")
            if text != str(year):
                result.errors.append(_row_problem(row, "year", "YEAR_MISMATCH", YEAR_MISMATCH,
                                                  value=text, year=year))
                continue
        bucket = buckets.get(key) if key is not None else None
        if bucket is None:
            bucket = grouped[region]  # the same list for every spelling of the region
            if key is not None:
                buckets[key] = bucket
        bucket.append(row)
    return grouped


def _region_of(index: dict[str, Region], value: object) -> tuple[str, Region | None]:
    raw = "" if value is None else str(value)
    if isinstance(value, float) and raw.endswith(".0"):
        raw = raw[:-2]  # 110000 read from a spreadsheet as 110000.0
    return raw, index.get(normalise_region_key(raw))


def bulk_check(*, content: bytes, filename: str, year: int
               ) -> tuple[BulkResult, dict[Region, dict[str, rules.Cell]], ModelVersion | None]:
    """Read and check a bulk file; store nothing."""
    result = BulkResult(year=year)
    try:
        table = read_table(content, filename, fields=BULK_FIELDS,
                           max_bytes=settings.BULK_MAX_BYTES, max_rows=settings.BULK_MAX_ROWS)
    except FileRejected as exc:
        result.errors.append(BulkProblem("", exc.row, exc.column or "", "", rules.ERROR,
                                         exc.rule_code, exc.message_zh, exc.message_en))
        return result, {}, None
    result.rows = len(table.rows)
    model = _model_for_year(year)
    if model is None:
        result.errors.append(BulkProblem("", None, "", "", rules.ERROR, "NO_MODEL",
                                         NO_MODEL[0].format(year=year),
                                         NO_MODEL[1].format(year=year)))
        return result, {}, None
    ruleset = ruleset_for(model)
    sheet = table.sheet or ""
    units: dict[Region, dict[str, rules.Cell]] = {}
    with _gc_paused():
        grouped = _group_rows(table.rows, year, result)
        del table  # from here on each region's raw rows are freed as soon as they are parsed
        for region in list(grouped):
            cells, issues = rules.parse_rows(ruleset, grouped.pop(region), sheet=sheet)
            units[region] = cells
            _collect(result, region, issues)
        _check_units(result, ruleset, units, year)
    return result, units, model


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the cells of a file are made and checked.

    A county-level file makes about a million small container objects (a cell, its
    position, the dictionaries of each unit) that all stay alive until the load is over;
    each collection would traverse all of them again (parsing took twice as long). None of
    them forms a cycle, so nothing is freed later than it would have been. The readers do
    the same while they build the rows.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_units(result: BulkResult, ruleset: rules.RuleSet,
                 units: dict[Region, dict[str, rules.Cell]], year: int) -> None:
    cycle = Cycle.objects.filter(year=year).first()
    before = previous_cycle(cycle) if cycle else Cycle.objects.filter(year__lt=year).order_by(
        "-year").first()
    previous = approved_values_by_region(before) if before else {}
    for region, cells in units.items():
        issues = [*rules.check_cells(ruleset, cells),
                  *rules.check_year_over_year(ruleset, cells, previous.get(region.pk, {}))]
        _collect(result, region, issues)
    in_file = {region.pk for region in units}
    peers = []
    if cycle is not None:
        peers = [p for rid, p in current_values_by_region(cycle).items() if rid not in in_file]
    regions = list(units)
    outliers = rules.outlier_issues(ruleset, [units[r] for r in regions], peers,
                                    threshold=settings.VALIDATION_OUTLIER_THRESHOLD)
    for region, issues in zip(regions, outliers, strict=True):
        _collect(result, region, issues)


def _collect(result: BulkResult, region: Region, issues: list[rules.Issue]) -> None:
    for issue in issues:
        problem = _problem(region.short_name_zh, issue)
        (result.errors if issue.severity == rules.ERROR else result.warnings).append(problem)


def bulk_import(*, content: bytes, filename: str, year: int, actor: Any, approve: bool
                ) -> BulkResult:
    result, units, model = bulk_check(content=content, filename=filename, year=year)
    if not result.ok or model is None:
        return result
    record = file_store(content=content, filename=filename, cycle=None, region=None,
                        purpose=UploadedFile.Purpose.BULK, actor=actor)
    with transaction.atomic():
        cycle, result.created_cycle = cycle_get_or_create(year=year, model_version=model,
                                                          actor=actor)
        record.cycle = cycle
        record.save()
        result.versions = _store_units(cycle, units, result, record, actor, approve)
    return result


def cycle_get_or_create(*, year: int, model_version: ModelVersion, actor: Any
                        ) -> tuple[Cycle, bool]:
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is not None:
        return cycle, False
    return cycle_create(year=year, model_version=model_version, opens_on=timezone.localdate(),
                        deadline=date(year + 1, 3, 31), actor=actor), True


def _store_units(cycle: Cycle, units: dict[Region, dict[str, rules.Cell]], result: BulkResult,
                 record: UploadedFile, actor: Any, approve: bool) -> list[Version]:
    # Ids, not model instances: a county-level cycle has 3,000 submissions.
    present = set(Submission.objects.filter(cycle=cycle).values_list("region_id", flat=True))
    missing = [r for r in units if r.pk not in present]
    Submission.objects.bulk_create([Submission(cycle=cycle, region=r) for r in missing],
                                   ignore_conflicts=True)
    submissions = {s.region_id: s for s in Submission.objects.select_for_update(of=("self",))
                   .filter(cycle=cycle, region__in=list(units))}
    for region in units:  # the regions at hand, instead of a join that reads them again
        if region.pk in submissions:
            submissions[region.pk].region = region
    for region in units:
        submission = submissions.get(region.pk)
        if submission is not None and submission.state == Submission.State.APPROVED:
            raise TransitionError(APPROVED_ALREADY[0].format(region=region.short_name_zh))
    warnings_by_region: dict[str, list[BulkProblem]] = defaultdict(list)
    for problem in result.warnings:
        warnings_by_region[problem.region].append(problem)
    elements = {e.code: e for e in cycle.model_version.elements.all()}
    now = timezone.now()
    versions = []
    for region in units:
        submission = submissions[region.pk]
        submission.version_count += 1
        region_warnings = warnings_by_region.get(region.short_name_zh, [])
        cells = units[region]
        versions.append(Version(
            submission=submission, number=submission.version_count, source=Version.Source.BULK,
            file=record, created_by=actor, validation=Version.Validation.VALID,
            validated_at=now, warning_count=len(region_warnings),
            unexplained_warning_count=sum(
                1 for w in region_warnings
                if not (cells.get(w.element_code) and cells[w.element_code].note.strip())),
        ))
    Version.objects.bulk_create(versions, batch_size=1000)
    _values_store(versions, units, elements)
    issue_rows: list[tuple[Version, rules.Issue]] = []
    for version, region in zip(versions, units, strict=True):
        issue_rows.extend(
            (version, rules.Issue(w.element_code, w.severity, w.rule_code, w.message_zh,
                                  w.message_en, rules.Position("", w.row, w.column)))
            for w in warnings_by_region.get(region.short_name_zh, []))
    issues_insert_many(issue_rows)
    transitions, audit = _bulk_transitions(submissions, versions, units, actor, approve, now,
                                           cycle)
    _submissions_update(submissions, now)
    Transition.objects.bulk_create(transitions, batch_size=1000)
    log_actions(actor=actor, actions=audit)
    return versions


VALUE_COLUMNS = ("version_id", "element_id", "value", "raw", "note", "sheet", "row", "column")


def _values_store(versions: list[Version], units: dict[Region, dict[str, rules.Cell]],
                  elements: dict[str, Any]) -> None:
    """The values of the new versions. On PostgreSQL the rows are COPYed straight from the
    cells (what ``services.values_insert`` writes, without a model instance per value:
    building 180,000 of them took longer than the COPY itself); elsewhere through
    ``value_rows`` and ``values_insert``."""
    if connection.vendor != "postgresql":
        rows = []
        for version, cells in zip(versions, units.values(), strict=True):
            rows.extend(value_rows(version, cells, elements))
        values_insert(rows)
        return
    _copy_values(versions, units, {code: e.pk for code, e in elements.items()})


def _copy_values(versions: list[Version], units: dict[Region, dict[str, rules.Cell]],
                 element_ids: dict[str, int]) -> None:
    columns = ", ".join(f'"{c}"' for c in VALUE_COLUMNS)
    sql = f"COPY {Value._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
        write_row = copy.write_row
        for version, cells in zip(versions, units.values(), strict=True):
            version_id = version.pk
            for code, cell in cells.items():
                element_id = element_ids.get(code)
                if element_id is None:
                    continue
                position = cell.position
                write_row((version_id, element_id, cell.value, cell.raw, cell.note,
                           position.sheet[:100], position.row, position.column))


def _submissions_update(submissions: dict[int, Submission], now: Any) -> None:
    """Store what ``_bulk_transitions`` set on the submissions, in one UPDATE per resulting
    state (a bulk_update of 3,000 rows is a CASE of 3,000 branches per column, and took 15 s).

    Each submission gets the count of versions and the current version its object holds: the
    row lock taken in ``_store_units`` keeps the stored count at one less than that, and the
    version numbered with it is the one just created.
    """
    by_state: dict[str, list[int]] = defaultdict(list)
    for submission in submissions.values():
        assert submission.current_version is not None
        by_state[submission.state].append(submission.pk)
    new_version = Version.objects.filter(
        submission=OuterRef("pk"), number=OuterRef("version_count") + 1).values("pk")[:1]
    for state, pks in by_state.items():
        fields: dict[str, Any] = {"version_count": F("version_count") + 1,
                                  "current_version": Subquery(new_version), "state": state,
                                  "updated_at": now}
        if state == Submission.State.APPROVED:
            fields["approved_at"] = now
        for start in range(0, len(pks), 1000):
            Submission.objects.filter(pk__in=pks[start:start + 1000]).update(**fields)


def _bulk_transitions(submissions: dict[int, Submission], versions: list[Version],
                      units: dict[Region, dict[str, rules.Cell]], actor: Any, approve: bool,
                      now: Any, cycle: Cycle) -> tuple[list[Transition], list[AuditAction]]:
    transitions, audit = [], []
    for version, region in zip(versions, units, strict=True):
        submission = submissions[region.pk]
        submission.current_version = version
        submission.updated_at = now
        before = submission.state
        steps = []
        if before in (Submission.State.INVALID, Submission.State.RETURNED):
            steps.append(Action.NEW_VERSION)
        if approve:
            steps.append(Action.BULK_APPROVE)
        for action in steps:
            from_state = submission.state
            submission.state = next_state(action, from_state, Actor.ADMINISTRATOR)
            transitions.append(Transition(
                submission=submission, version=version, action=action, from_state=from_state,
                to_state=submission.state, actor=actor,
                reason="import_values --approve" if action == Action.BULK_APPROVE else "",
            ))
        if submission.state == Submission.State.APPROVED:
            submission.approved_at = now
        # cycle.year, not submission.cycle.year: that would read the cycle once per region.
        audit.append(AuditAction(
            action="version.bulk_import", object_type="submissions.version",
            object_id=str(version.pk), region_code=region.code, cycle_year=cycle.year,
            data={"version": version.number, "values": len(units[region]), "from": before,
                  "to": submission.state, "sha256": version.file.sha256 if version.file else ""},
        ))
    return transitions, audit

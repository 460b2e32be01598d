"""Bulk loads of official or historic data (``import_values``): one row per value, many
regions, through the same parser and rules as an officer's upload.

All or nothing: every problem of every region is collected first; if any is an error,
nothing is stored. Otherwise one transaction stores one new version per region (and approves
it when asked), with batched inserts, so that a county-level cycle of 180,000 values loads in
seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.services import Action as AuditAction
from audit.services import log_actions
from common.db import bulk_insert
from common.errors import ApplicationError
from common.i18n import in_both_languages
from indicators.models import ModelVersion, Region
from indicators.selectors import normalise_region_key, region_index
from readers import BULK_FIELDS, FileRejected, RawRow, read_table
from readers.memory import gc_paused
from submissions import rules
from submissions.models import Cycle, Submission, Transition, UploadedFile, Version
from submissions.reader_messages import file_rejected_texts
from submissions.selectors import (
    approved_values_by_region,
    current_values_by_region,
    current_values_with_notes,
    previous_cycle,
    ruleset_for,
)
from submissions.services.cycles import cycle_create, cycle_ensure_open
from submissions.services.files import file_record, file_write
from submissions.services.validation import issue_insert_many
from submissions.services.versions import value_text, with_element_names
from submissions.value_writer import value_writer
from submissions.workflow import Action, Actor, next_state

UNKNOWN_REGION = _("地区「{value}」无法识别（可填写行政区划代码、全称、简称或英文名）")
YEAR_MISMATCH = _("年份 {value} 与导入的年度 {year} 不一致")
NO_MODEL = _("没有 {year} 年度的指标体系版本")
APPROVED_ALREADY = _("{region} 的填报已审核通过，需管理员先重新打开")
IN_REVIEW_MESSAGE = _("{region} 的填报正在审核（{state}）：导入会替换已提交的版本，"
                      "请先退回，或导入并同时审核通过")
IN_REVIEW = frozenset({Submission.State.SUBMITTED, Submission.State.VALIDATING,
                       Submission.State.AWAITING_REVIEW})


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
    regions: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _problem(region: str, issue: rules.Issue) -> BulkProblem:
    return BulkProblem(region, issue.position.row, issue.position.column, issue.element_code,
                       issue.severity, issue.rule_code, issue.message_zh, issue.message_en)


def _row_problem(row: RawRow, column_field: str, code: str, text: Promise,
                 **params: Any) -> BulkProblem:
    cell = row.cells.get(column_field)
    return BulkProblem("", row.number, cell.column if cell else "", "", rules.ERROR, code,
                       *in_both_languages(text, **params))


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


def bulk_import(*, content: bytes, filename: str, year: int, actor: Any, approve: bool,
                late_reason: str = "", dry_run: bool = False) -> BulkResult:
    """Read, check and store a bulk file, all or nothing.

    The values are written while the file is parsed (``submissions.value_writer``), in the
    transaction that stores the versions; when any check finds an error, that transaction is
    rolled back and the file's bytes are never written: nothing is stored.

    A cycle that is not open is refused (``CYCLE_CLOSED``) unless ``late_reason`` says why
    the data come late (kept in each version's audit entry). ``dry_run``: every check runs
    the same way and the same problems are reported, and the transaction is always rolled
    back (the file's bytes are never written): nothing is stored."""
    result = BulkResult(year=year, dry_run=dry_run)
    late_reason = late_reason.strip()
    try:
        table = read_table(content, filename, fields=BULK_FIELDS,
                           max_bytes=settings.BULK_MAX_BYTES, max_rows=settings.BULK_MAX_ROWS)
    except FileRejected as exc:
        result.errors.append(BulkProblem("", exc.row, exc.column or "", "", rules.ERROR,
                                         exc.rule_code, *file_rejected_texts(exc)))
        return result
    result.rows = len(table.rows)
    model = _model_for_year(year)
    if model is None:
        result.errors.append(BulkProblem("", None, "", "", rules.ERROR, "NO_MODEL",
                                         *in_both_languages(NO_MODEL, year=year)))
        return result
    sheet = table.sheet or ""
    record = file_record(content=content, filename=filename, cycle=None, region=None,
                         purpose=UploadedFile.Purpose.BULK, actor=actor)
    with gc_paused():
        grouped = _group_rows(table.rows, year, result)
        del table  # from here on each region's raw rows are freed as soon as they are parsed
        with transaction.atomic():
            cycle, created_cycle = cycle_get_or_create(year=year, model_version=model,
                                                       actor=actor)
            if cycle.state != Cycle.State.OPEN and not late_reason:
                cycle_ensure_open(cycle=cycle)
            units = _load(cycle, grouped, sheet, result, record, actor, approve)
            result.regions, result.created_cycle = len(units), created_cycle
            if not result.ok or dry_run:
                transaction.set_rollback(True)
                return result
            _store_units(cycle, units, result, actor, approve, late_reason)
            # The bytes last, once the load is sure to be kept. Inside the transaction on
            # purpose: a failed write rolls the load back instead of leaving versions whose
            # file is missing (a content-addressed write of a few MB: milliseconds).
            file_write(record=record, content=content)
    result.created_cycle = created_cycle
    result.versions = [unit.version for unit in units.values()]
    return result


@dataclass
class _Unit:
    version: Version
    cells: dict[str, rules.Cell] = field(default_factory=dict)
    # What the new version replaces: the current version's (value, note) per code; empty
    # when the submission had none (a first load: the file, by its SHA-256, is the record).
    replaced: dict[str, tuple[Decimal | None, str]] = field(default_factory=dict)


def _load(cycle: Cycle, grouped: dict[Region, list[RawRow]], sheet: str, result: BulkResult,
          record: UploadedFile, actor: Any, approve: bool = False) -> dict[Region, _Unit]:
    """The new versions of the regions in the file, with their values written while the
    rows are parsed; every problem of every region in ``result``."""
    ruleset = ruleset_for(cycle.model_version)
    # Everything the checks read from the database, before the writer holds the connection.
    before = previous_cycle(cycle)
    previous = approved_values_by_region(before) if before else {}
    in_file = {region.pk for region in grouped}
    peers = [p for rid, p in current_values_by_region(cycle).items() if rid not in in_file]
    element_ids = dict(cycle.model_version.elements.values_list("code", "pk"))

    submissions = _submissions_locked(cycle, list(grouped), approve=approve)
    replaced = current_values_with_notes(cycle, in_file)  # under the submissions' locks
    record.cycle = cycle
    record.save()
    units = _versions_create(grouped, submissions, record, actor)
    for region, unit in units.items():
        unit.replaced = replaced.get(region.pk, {})

    with value_writer(element_ids) as writer:
        for region in list(grouped):
            cells, issues = rules.parse_rows(ruleset, grouped.pop(region), sheet=sheet)
            units[region].cells = cells
            _collect(result, region, issues)
            if result.ok:  # after the first error nothing more is written: it is rolled back
                writer.write(units[region].version.pk, cells)
            # The unit's own checks here, not after the loop: the writer is usually behind,
            # and catches up meanwhile.
            _collect(result, region, [
                *rules.check_cells(ruleset, cells),
                *rules.check_year_over_year(ruleset, cells, previous.get(region.pk, {}))])
        # The outliers need every unit: while the writer finishes the last batches.
        _check_outliers(result, ruleset, units, peers)
    return units


def _versions_create(regions: Iterable[Region], submissions: dict[int, Submission],
                     record: UploadedFile, actor: Any) -> dict[Region, _Unit]:
    now = timezone.now()
    units = {region: _Unit(Version(
        submission=submissions[region.pk], number=submissions[region.pk].version_count + 1,
        source=Version.Source.BULK, file=record, created_by=actor,
        validation=Version.Validation.VALID, validated_at=now)) for region in regions}
    bulk_insert([unit.version for unit in units.values()])
    return units


def _submissions_locked(cycle: Cycle, regions: list[Region], *, approve: bool = False
                        ) -> dict[int, Submission]:
    """The submissions of ``regions`` in the cycle, created where missing, locked. One in
    review is refused unless the load approves it: a new current version would otherwise be
    reviewed in place of the one submitted."""
    # Ids, not model instances: a county-level cycle has 3,000 submissions.
    present = set(Submission.objects.filter(cycle=cycle).values_list("region_id", flat=True))
    missing = [r for r in regions if r.pk not in present]
    Submission.objects.bulk_create([Submission(cycle=cycle, region=r) for r in missing],
                                   ignore_conflicts=True)
    submissions = {s.region_id: s for s in Submission.objects.select_for_update(of=("self",))
                   .filter(cycle=cycle, region__in=regions)}
    for region in regions:  # the regions at hand, instead of a join that reads them again
        submission = submissions[region.pk]
        submission.region = region
        if submission.state == Submission.State.APPROVED:
            raise ApplicationError("APPROVED_ALREADY", APPROVED_ALREADY,
                                   params={"region": region.short_name})
        if not approve and submission.state in IN_REVIEW:
            raise ApplicationError("IN_REVIEW", IN_REVIEW_MESSAGE,
                                   params={"region": region.short_name,
                                           "state": Submission.State(submission.state).label})
    return submissions


def _check_outliers(result: BulkResult, ruleset: rules.RuleSet, units: dict[Region, _Unit],
                    peers: list[dict[str, float]]) -> None:
    regions = list(units)
    outliers = rules.outlier_issues(ruleset, [units[r].cells for r in regions], peers,
                                    threshold=settings.VALIDATION_OUTLIER_THRESHOLD)
    for region, issues in zip(regions, outliers, strict=True):
        _collect(result, region, issues)


def _collect(result: BulkResult, region: Region, issues: list[rules.Issue]) -> None:
    for issue in issues:
        problem = _problem(region.short_name_zh, issue)
        (result.errors if issue.severity == rules.ERROR else result.warnings).append(problem)


def cycle_get_or_create(*, year: int, model_version: ModelVersion, actor: Any
                        ) -> tuple[Cycle, bool]:
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is not None:
        return cycle, False
    return cycle_create(year=year, model_version=model_version, opens_on=timezone.localdate(),
                        deadline=date(year + 1, 3, 31), actor=actor), True


def _store_units(cycle: Cycle, units: dict[Region, _Unit], result: BulkResult, actor: Any,
                 approve: bool, late_reason: str) -> None:
    """What follows the values once every check has passed: the warnings, the new states
    and the audit trail."""
    warnings_by_region: dict[str, list[BulkProblem]] = defaultdict(list)
    for problem in result.warnings:
        warnings_by_region[problem.region].append(problem)
    issue_rows: list[tuple[Version, rules.Issue]] = []
    # Versions by their (warnings, unexplained warnings): one UPDATE per pair, not per version.
    counts: dict[tuple[int, int], list[int]] = defaultdict(list)
    for region, unit in units.items():
        region_warnings = warnings_by_region.get(region.short_name_zh, [])
        if not region_warnings:
            continue
        cells = unit.cells
        # A note on the value is the officer's (here the operator's) explanation.
        unexplained = sum(1 for w in region_warnings
                          if not (cells.get(w.element_code) and cells[w.element_code].note.strip()))
        counts[(len(region_warnings), unexplained)].append(unit.version.pk)
        issue_rows.extend(
            (unit.version, rules.Issue(w.element_code, w.severity, w.rule_code, w.message_zh,
                                       w.message_en, rules.Position("", w.row, w.column)))
            for w in region_warnings)
    for (warning_count, unexplained), pks in counts.items():
        Version.objects.filter(pk__in=pks).update(warning_count=warning_count,
                                                  unexplained_warning_count=unexplained)
    issue_insert_many(rows=issue_rows)
    submissions = {unit.version.submission.region_id: unit.version.submission
                   for unit in units.values()}
    elements = {e.code: e for e in cycle.model_version.elements.only("code", "name_zh",
                                                                       "name_en")}
    transitions, audit = _bulk_transitions(units, actor, approve, timezone.now(), cycle,
                                           late_reason, elements)
    _submissions_update(submissions, timezone.now())
    bulk_insert(transitions)
    log_actions(actor=actor, actions=audit)


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
            fields["approved_version"] = Subquery(new_version)
        for start in range(0, len(pks), 1000):
            Submission.objects.filter(pk__in=pks[start:start + 1000]).update(**fields)


def _bulk_transitions(units: dict[Region, _Unit], actor: Any, approve: bool, now: Any,
                      cycle: Cycle, late_reason: str, elements: Mapping[str, Any]
                      ) -> tuple[list[Transition], list[AuditAction]]:
    transitions, audit = [], []
    for region, unit in units.items():
        version = unit.version
        submission = version.submission
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
            data={"version": version.number, "values": len(unit.cells), "from": before,
                  "to": submission.state, "sha256": version.file.sha256 if version.file else "",
                  **({"late": True, "late_reason": late_reason} if late_reason else {}),
                  **({"changes": _value_changes(unit.replaced, unit.cells, elements)}
                     if unit.replaced else {})},
        ))
    return transitions, audit


def _value_changes(replaced: Mapping[str, tuple[Decimal | None, str]],
                   cells: Mapping[str, rules.Cell], elements: Mapping[str, Any]
                   ) -> list[dict[str, Any]]:
    """Per value the load changes, its old and new value and note (as an upload's
    ``version.values`` entry has them), with the element's names for the audit page."""
    changes = []
    for code in sorted(replaced.keys() | cells.keys()):
        old_value, old_note = replaced.get(code, (None, ""))
        cell = cells.get(code)
        new_value, new_note = (cell.value, cell.note) if cell else (None, "")
        if old_value != new_value or old_note != new_note:
            changes.append({"code": code, "old": value_text(old_value),
                            "new": value_text(new_value), "old_note": old_note,
                            "new_note": new_note})
    return with_element_names(changes, elements)

"""Validating a version in the worker: read the file (for uploads), run the rules, store the
values and issues, advance the submission; and re-queueing what a lost message left behind.

Slow work (reading a file, running the rules) happens outside the transaction; the results
are written in one transaction under the submission's row lock, with the audit entry.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.services import log_action
from common.db import bulk_insert
from common.i18n import localized
from common.tasks import enqueue, enqueue_on_commit, task_named
from indicators.models import DataElement, Region
from readers import TEMPLATE_FIELDS, FileRejected, read_table, read_template_meta
from submissions import rules
from submissions.models import Submission, ValidationIssue, Value, Version
from submissions.reader_messages import file_rejected_texts
from submissions.selectors import peer_values, previous_approved_values, ruleset_for
from submissions.services.files import file_read_checked
from submissions.services.progress import Stage, progress_set
from submissions.services.review import submission_advance, submission_lock
from submissions.services.versions import version_log_values, version_point_at

logger = logging.getLogger(__name__)
S = Submission.State
V = Version.Validation

TEMPLATE_OTHER_REGION = _("此模板属于 {other}（{other_code}），不能上传到 {own}（{own_code}）")
TEMPLATE_OTHER_YEAR = _("此模板属于 {other} 年度，不能上传到 {own} 年度的填报")


@dataclass
class ValidationOutcome:
    cells: dict[str, rules.Cell]
    issues: list[rules.Issue]
    rejected: bool = False


def version_validate(*, version_id: int) -> Version | None:
    """Read (for uploads), check and store the results of one version; advance its submission.

    Idempotent: a task delivered twice (a worker killed mid-way) finds the version validated
    and does nothing, and the results are written in one transaction, so a half-run leaves
    nothing behind.
    """
    version = (Version.objects.select_related("submission__cycle__model_version",
                                              "submission__region", "file")
               .filter(pk=version_id).first())
    if version is None or version.is_validated or version.validation == V.FAILED:
        return version
    if not _validation_start(version):
        version.refresh_from_db()
        return version
    submission = version.submission
    progress_set(version_id=version_id, percent=10, stage=Stage.READING)
    ruleset = ruleset_for(submission.cycle.model_version)
    needs_reading = version.source == Version.Source.UPLOAD and not version.values.exists()
    outcome = (_read_upload(version, ruleset) if needs_reading
               else ValidationOutcome(_stored_cells(version), []))
    progress_set(version_id=version_id, percent=50, stage=Stage.CHECKING)
    if not outcome.rejected:
        outcome.issues.extend(_run_rules(
            ruleset, outcome.cells,
            previous=previous_approved_values(submission.cycle, submission.region),
            peers=peer_values(submission.cycle, exclude_region_id=submission.region_id),
        ))
    progress_set(version_id=version_id, percent=80, stage=Stage.SAVING)
    version = _results_store(version, outcome, needs_reading=needs_reading)
    progress_set(version_id=version_id, percent=100, stage=Stage.DONE)
    return version


def _validation_start(version: Version) -> bool:
    """Record that a worker started the version (committed at once, before the work, so that
    the officer's page and the sweep see it); ``False`` when there is nothing to do: another
    run finished it, or it has used up its attempts (marked failed here, for a task the
    broker keeps delivering again: one killed by its time limit, say)."""
    started = Version.objects.filter(
        pk=version.pk, validation__in=[V.PENDING, V.RUNNING],
    ).update(validation=V.RUNNING, validation_started_at=timezone.now(),
             validation_attempts=F("validation_attempts") + 1)
    if not started:
        return False
    attempts = Version.objects.values_list("validation_attempts", flat=True).get(pk=version.pk)
    if attempts > settings.VALIDATION_MAX_ATTEMPTS:
        _give_up([version.pk])
        return False
    return True


@transaction.atomic
def _results_store(version: Version, outcome: ValidationOutcome, *, needs_reading: bool
                   ) -> Version:
    """The values read, the issues found and the result, under the submission's lock; the
    submission advances if it waited for this version."""
    locked = submission_lock(submission_id=version.submission_id)
    version = Version.objects.select_for_update().get(pk=version.pk)
    if version.is_validated:
        return version
    if needs_reading and not outcome.rejected:
        elements = {e.code: e for e in locked.cycle.model_version.elements.all()}
        bulk_insert(_value_rows(version, outcome.cells, elements))
        version_log_values(version=version)
    issue_insert_many(rows=[(version, issue) for issue in outcome.issues])
    _finish(version, outcome)
    if not outcome.rejected:
        version_point_at(submission=locked, version=version)
    if locked.current_version_id == version.pk:
        locked.current_version = version  # the instance loaded under the lock is stale
    submission_advance(submission=locked)
    log_action(
        actor=None, action="version.validate", obj=version, region_code=locked.region.code,
        cycle_year=locked.cycle.year,
        data={"version": version.number, "result": version.validation,
              "errors": version.error_count, "warnings": version.warning_count},
    )
    return version


def _read_upload(version: Version, ruleset: rules.RuleSet) -> ValidationOutcome:
    assert version.file is not None
    content = file_read_checked(record=version.file)  # a damaged file raises: retried
    try:
        table = read_table(content, version.file.original_name, fields=TEMPLATE_FIELDS,
                           max_bytes=settings.UPLOAD_MAX_BYTES)
    except FileRejected as exc:
        issue = rules.Issue("", rules.ERROR, exc.rule_code, *file_rejected_texts(exc),
                            rules.Position(exc.sheet or "", exc.row, exc.column or ""))
        return ValidationOutcome({}, [issue], rejected=True)
    limit = row_limit(len(ruleset.elements))
    if len(table.rows) > limit:
        return ValidationOutcome({}, [_too_many_rows(len(table.rows), len(ruleset.elements),
                                                     limit)], rejected=True)
    foreign = _template_meta_issues(content, version.submission)
    if foreign:  # refused whole: kept as a rejected upload, never the current version
        return ValidationOutcome({}, foreign, rejected=True)
    cells, issues = rules.parse_rows(ruleset, table.rows, sheet=table.sheet or "")
    return ValidationOutcome(cells, issues)


def row_limit(elements: int) -> int:
    """The most rows an officer's file may have: ``UPLOAD_ROWS_PER_ELEMENT`` (10) per element
    of the model plus ``UPLOAD_EXTRA_ROWS`` (100). A template has one row per element; the
    rest is room for what people add (notes, subtotals, a repeated header). A file past it is
    refused whole: its rows would each be an issue (one had 249,000), and none is data."""
    return settings.UPLOAD_ROWS_PER_ELEMENT * elements + settings.UPLOAD_EXTRA_ROWS


def _too_many_rows(rows: int, elements: int, limit: int) -> rules.Issue:
    zh, en = rules.message("TOO_MANY_ROWS_FOR_MODEL", rows=f"{rows:,}", elements=elements,
                           limit=f"{limit:,}")
    return rules.Issue("", rules.ERROR, "TOO_MANY_ROWS_FOR_MODEL", zh, en)


def _template_meta_issues(content: bytes, submission: Submission) -> list[rules.Issue]:
    """The error that refuses a file whole when it is the template made for another region
    or another year (its hidden "_meta" sheet says which)."""
    meta = read_template_meta(content) or {}
    code = meta.get("region_code")
    if code and code != submission.region.code:
        other = Region.objects.filter(code=code).first()
        # The issue is stored in both languages, as the rules' own messages are.
        zh, en = (_other_region(language, other=other, code=code, own=submission.region)
                  for language in ("zh-hans", "en"))
        return [rules.Issue("", rules.ERROR, "TEMPLATE_OTHER_REGION", zh, en)]
    year = (meta.get("cycle") or "").strip().removesuffix(".0")
    if year and year != str(submission.cycle.year):
        zh, en = (_other_year(language, other=year, own=submission.cycle.year)
                  for language in ("zh-hans", "en"))
        return [rules.Issue("", rules.ERROR, "TEMPLATE_OTHER_YEAR", zh, en)]
    return []


def _other_region(language: str, *, other: Region | None, code: str, own: Region) -> str:
    with translation.override(language):
        return str(TEMPLATE_OTHER_REGION).format(
            other=localized(other, "short_name") if other else code, other_code=code,
            own=localized(own, "short_name"), own_code=own.code)


def _other_year(language: str, *, other: str, own: int) -> str:
    with translation.override(language):
        return str(TEMPLATE_OTHER_YEAR).format(other=other, own=own)


def _stored_cells(version: Version) -> dict[str, rules.Cell]:
    return {
        v.element.code: rules.Cell(v.element.code, v.value, v.raw, v.note,
                                   rules.Position(v.sheet, v.row, v.column))
        for v in version.values.select_related("element")
    }


def _run_rules(
    ruleset: rules.RuleSet, cells: Mapping[str, rules.Cell], *,
    previous: Mapping[str, Decimal | None], peers: Sequence[Mapping[str, float]],
) -> list[rules.Issue]:
    return [
        *rules.check_cells(ruleset, cells),
        *rules.check_year_over_year(ruleset, cells, previous),
        *rules.check_outliers(ruleset, cells, peers,
                              threshold=settings.VALIDATION_OUTLIER_THRESHOLD),
    ]


def _finish(version: Version, outcome: ValidationOutcome) -> None:
    version.error_count = sum(1 for i in outcome.issues if i.severity == rules.ERROR)
    version.warning_count = sum(1 for i in outcome.issues if i.severity == rules.WARNING)
    version.unexplained_warning_count = rules.unexplained_warnings(outcome.issues, outcome.cells)
    if outcome.rejected:
        version.validation = Version.Validation.REJECTED
    else:
        version.validation = (Version.Validation.INVALID if version.error_count
                              else Version.Validation.VALID)
    version.validated_at = timezone.now()
    version.save(update_fields=["error_count", "warning_count", "unexplained_warning_count",
                                "validation", "validated_at"])


def _value_rows(version: Version, cells: Mapping[str, rules.Cell],
                elements: Mapping[str, DataElement]) -> list[Value]:
    return [
        Value(version=version, element=elements[code], value=cell.value, raw=cell.raw,
              note=cell.note, sheet=cell.position.sheet[:100], row=cell.position.row,
              column=cell.position.column)
        for code, cell in cells.items() if code in elements
    ]


def issue_insert_many(*, rows: Sequence[tuple[Version, rules.Issue]]) -> None:
    """Store the issues found, each with its version (a bulk load stores many versions'), at
    most ``rules.MAX_ISSUES_PER_RULE`` of a rule and ``rules.MAX_ISSUES_PER_VERSION`` of a
    version (``rules.cap_issues``: the first ones, and how many more)."""
    by_version: dict[int, tuple[Version, list[rules.Issue]]] = {}
    for version, issue in rows:
        by_version.setdefault(id(version), (version, []))[1].append(issue)
    ValidationIssue.objects.bulk_create(
        (ValidationIssue(
            version=version, element_code=i.element_code, sheet=i.position.sheet[:100],
            row=i.position.row, column=i.position.column, severity=i.severity,
            rule_code=i.rule_code, message_zh=i.message_zh[:500], message_en=i.message_en[:500],
        ) for version, issues in by_version.values() for i in rules.cap_issues(issues)),
        batch_size=2000,
    )


def validation_requeue_stuck(*, older_than_seconds: int | None = None
                             ) -> tuple[list[int], list[int]]:
    """Re-queue what a lost message or a dead worker left behind (the beat runs this every
    30 s): versions queued ``VALIDATION_STUCK_AFTER_SECONDS`` ago (or re-queued) and not
    started, versions "running" past their hard time limit (their worker died), and
    submissions still submitted or validating. A version is re-queued once per period, not
    at every sweep, and one whose runs never finish is given up after
    ``VALIDATION_MAX_ATTEMPTS`` and marked failed for an operator. ``older_than_seconds``
    (tests, an operator after an incident) replaces both periods. Both tasks are idempotent,
    so a version that was only slow is validated once all the same."""
    now = timezone.now()
    queued_cutoff, running_cutoff = _cutoffs(now, older_than_seconds)
    pending = Version.objects.filter(validation=V.PENDING).filter(
        Q(validation_queued_at__lte=queued_cutoff)
        | Q(validation_queued_at__isnull=True, created_at__lte=queued_cutoff))
    lost = Version.objects.filter(validation=V.RUNNING).filter(
        Q(validation_started_at__lte=running_cutoff)
        | Q(validation_started_at__isnull=True, created_at__lte=running_cutoff))
    exhausted = list(lost.filter(validation_attempts__gte=settings.VALIDATION_MAX_ATTEMPTS)
                     .values_list("pk", flat=True))
    if exhausted:
        _give_up(exhausted)
    versions = sorted({*pending.values_list("pk", flat=True),
                       *lost.exclude(pk__in=exhausted).values_list("pk", flat=True)})
    Version.objects.filter(pk__in=versions).update(validation=V.PENDING,
                                                   validation_queued_at=now)
    submissions = list(Submission.objects.filter(
        state__in=[S.SUBMITTED, S.VALIDATING], updated_at__lte=queued_cutoff,
    ).values_list("pk", flat=True))
    validate, check = (task_named("submissions.tasks.validate_version"),
                       task_named("submissions.tasks.check_submission"))
    for version_id in versions:
        enqueue(validate, version_id)
    for submission_id in submissions:
        enqueue(check, submission_id)
    if versions or submissions:
        logger.warning("re-queued %d stuck version(s) and %d submission(s)", len(versions),
                       len(submissions))
    return versions, submissions


def _cutoffs(now: datetime, older_than_seconds: int | None) -> tuple[datetime, datetime]:
    """(queued before, started before): what counts as lost."""
    if older_than_seconds is not None:
        cutoff = now - timedelta(seconds=older_than_seconds)
        return cutoff, cutoff
    return (now - timedelta(seconds=settings.VALIDATION_STUCK_AFTER_SECONDS),
            now - timedelta(seconds=settings.VALIDATION_TIME_LIMIT + 5))


@transaction.atomic
def _give_up(version_ids: Sequence[int]) -> None:
    """Mark versions whose validation never finishes as failed, for an operator: logged at
    ERROR and in the audit log; the sweep no longer re-queues them."""
    versions = list(Version.objects.select_for_update()
                    .filter(pk__in=version_ids, validation__in=[V.PENDING, V.RUNNING])
                    .select_related("submission__region", "submission__cycle"))
    for version in versions:
        version.validation = V.FAILED
        version.save(update_fields=["validation"])
        logger.error("gave up validating version %s (%s) after %d attempts: see the worker "
                     "logs; python manage.py retry_validations --id %s re-queues it",
                     version.pk, version, version.validation_attempts, version.pk)
        log_action(actor=None, action="version.validation_failed", obj=version,
                   region_code=version.submission.region.code,
                   cycle_year=version.submission.cycle.year,
                   data={"version": version.number, "attempts": version.validation_attempts})


def validation_retry_failed(*, version_ids: Sequence[int] | None = None, actor: Any = None
                            ) -> list[int]:
    """An operator re-queues failed validations (all of them without ``version_ids``), their
    attempts counted from zero again."""
    with transaction.atomic():
        failed = Version.objects.select_for_update().filter(validation=V.FAILED)
        if version_ids is not None:
            failed = failed.filter(pk__in=version_ids)
        chosen = list(failed.select_related("submission__region", "submission__cycle"))
        for version in chosen:
            version.validation, version.validation_attempts = V.PENDING, 0
            version.validation_queued_at = timezone.now()
            version.save(update_fields=["validation", "validation_attempts",
                                        "validation_queued_at"])
            log_action(actor=actor, action="version.validation_retry", obj=version,
                       region_code=version.submission.region.code,
                       cycle_year=version.submission.cycle.year,
                       data={"version": version.number})
        for version in chosen:
            enqueue_on_commit("submissions.tasks.validate_version", version.pk)
    return [v.pk for v in chosen]

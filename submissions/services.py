"""Writes of the submissions app: versions, validation, transitions.

Callers (views, tasks, commands) have already checked who may act on which submission
(``submissions.permissions``); these functions check what may happen in which state. Slow
work (reading a file, running the rules) happens outside the transactions; each write happens
in one transaction under the submission's row lock, with its audit entry.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import log_action
from common.db import bulk_insert
from common.tasks import enqueue
from indicators.models import DataElement, Region
from readers import TEMPLATE_FIELDS, FileRejected, read_table, read_template_meta
from submissions import rules
from submissions.models import (
    EDITABLE_STATES,
    Comment,
    Cycle,
    Submission,
    Transition,
    UploadedFile,
    ValidationIssue,
    Value,
    Version,
    upload_path,
)
from submissions.reader_messages import file_rejected_texts
from submissions.selectors import peer_values, previous_approved_values, ruleset_for
from submissions.workflow import Action, Actor, TransitionError, next_state

logger = logging.getLogger(__name__)
S = Submission.State

NOT_EDITABLE = _("该填报当前状态为「{state}」，不能修改")
SUBMIT_WITHOUT_VERSION = _("还没有可提交的数据，请先上传或在线填写")
SUBMIT_HAS_ERRORS = _("当前版本有 {count} 个错误，请改正后再提交")
SUBMIT_REJECTED_FILE = _("当前版本的文件无法读取，请重新上传")
APPROVE_UNEXPLAINED = _("还有 {count} 个警告没有填报单位的说明，不能通过")
FILE_EMPTY = _("文件为空")
FILE_TOO_LARGE = _("文件大小 {size} 超过上限 {limit}")


class UploadRejected(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# --- progress ------------------------------------------------------------------------------
# Progress lives in the cache, not the database: the worker writes it while its own
# transaction is still open, and a web request must read it at that moment.

def progress_key(version_id: int) -> str:
    return f"validation-progress:{version_id}"


def progress_set(version_id: int, *, percent: int, stage: str) -> None:
    try:
        cache.set(progress_key(version_id), {"percent": percent, "stage": stage}, timeout=3600)
    except Exception:
        logger.warning("cache unreachable: progress of version %s not written", version_id)


def progress_get(version_id: int) -> dict[str, Any] | None:
    try:
        return cache.get(progress_key(version_id))
    except Exception:
        logger.warning("cache unreachable: progress of version %s not read", version_id)
        return None


# --- transitions ---------------------------------------------------------------------------

def _transition(
    submission: Submission,
    *,
    action: Action,
    actor_role: Actor,
    actor: Any,
    reason: str = "",
    version: Version | None = None,
) -> None:
    """Apply one transition to a submission the caller has locked."""
    before = submission.state
    submission.state = next_state(action, before, actor_role, reason)
    now = timezone.now()
    if submission.state == S.SUBMITTED:
        submission.submitted_at = now
    if submission.state == S.APPROVED:
        submission.approved_at = now
    submission.save(update_fields=["state", "submitted_at", "approved_at", "updated_at"])
    Transition.objects.create(
        submission=submission, version=version or submission.current_version, action=action,
        from_state=before, to_state=submission.state, actor=actor, reason=reason,
    )
    log_action(
        actor=actor, action=f"submission.{action}", obj=submission,
        region_code=submission.region.code, cycle_year=submission.cycle.year,
        data={"from": before, "to": submission.state, "reason": reason,
              "version": version.number if version else None},
    )


def _locked(submission_id: int) -> Submission:
    """The submission, row-locked, with its region, cycle and current version.

    Lock first, read after: on PostgreSQL (READ COMMITTED) a ``SELECT ... FOR UPDATE`` that
    waited for another transaction returns the locked row as that one left it, but the rows
    joined to it as they were before: its current version could be the one the other
    transaction replaced (two simultaneous uploads then both saw v1 as current, and v1 won).
    The second statement sees everything committed before the lock was granted."""
    list(Submission.objects.select_for_update().filter(pk=submission_id).values_list("pk"))
    return (Submission.objects.select_related("region", "cycle", "current_version")
            .get(pk=submission_id))


@transaction.atomic
def submission_transition(
    *, submission_id: int, action: Action, actor: Any, actor_role: Actor, reason: str = ""
) -> Submission:
    submission = _locked(submission_id)
    if action == Action.APPROVE:
        current = submission.current_version
        if current is not None and current.unexplained_warning_count:
            raise TransitionError(str(APPROVE_UNEXPLAINED).format(
                count=current.unexplained_warning_count))
    _transition(submission, action=action, actor_role=actor_role, actor=actor, reason=reason)
    if action in (Action.APPROVE, Action.RETURN):
        from submissions.tasks import notify_decision_task

        transaction.on_commit(lambda: enqueue(notify_decision_task, submission.pk))
    return submission


@transaction.atomic
def submission_submit(*, submission_id: int, actor: Any) -> Submission:
    submission = _locked(submission_id)
    current = submission.current_version
    if current is None:
        raise TransitionError(str(SUBMIT_WITHOUT_VERSION))
    if current.validation == Version.Validation.REJECTED:
        raise TransitionError(str(SUBMIT_REJECTED_FILE))
    if current.error_count:
        raise TransitionError(str(SUBMIT_HAS_ERRORS).format(count=current.error_count))
    _transition(submission, action=Action.SUBMIT, actor_role=Actor.OFFICER, actor=actor,
                version=current)
    from submissions.tasks import check_submission

    transaction.on_commit(lambda: enqueue(check_submission, submission.pk))
    return submission


@transaction.atomic
def submission_check(*, submission_id: int) -> Submission | None:
    """The worker's side of a submit: validating, then invalid or awaiting review."""
    if not Submission.objects.filter(pk=submission_id).exists():
        return None  # a stale message (the row is gone with a test database, say): nothing to do
    submission = _locked(submission_id)
    _advance(submission)
    return submission


def _advance(submission: Submission) -> None:
    if submission.state == S.SUBMITTED:
        _transition(submission, action=Action.START_VALIDATION, actor_role=Actor.SYSTEM,
                    actor=None)
    current = submission.current_version
    if submission.state != S.VALIDATING or current is None or not current.is_validated:
        return  # the version's own validation task advances it when it ends
    passed = current.validation == Version.Validation.VALID
    _transition(
        submission,
        action=Action.VALIDATION_PASSED if passed else Action.VALIDATION_FAILED,
        actor_role=Actor.SYSTEM, actor=None, version=current,
    )


# --- versions ------------------------------------------------------------------------------

def submission_get_or_create(*, cycle: Cycle, region: Region) -> Submission:
    submission, _ = Submission.objects.get_or_create(cycle=cycle, region=region)
    return submission


def _check_upload(content: bytes) -> None:
    if not content:
        raise UploadRejected(str(FILE_EMPTY))
    limit = settings.UPLOAD_MAX_BYTES
    if len(content) > limit:
        raise UploadRejected(
            str(FILE_TOO_LARGE).format(size=_size(len(content)), limit=_size(limit)))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def file_store(
    *, content: bytes, filename: str, cycle: Cycle | None, region: Region | None, purpose: str,
    actor: Any,
) -> UploadedFile:
    """Write the bytes (content-addressed, so a retry or a second upload of the same file
    writes nothing new) and return an unsaved record of them. Call outside a transaction."""
    record = file_record(content=content, filename=filename, cycle=cycle, region=region,
                         purpose=purpose, actor=actor)
    file_write(record, content)
    return record


def file_record(
    *, content: bytes, filename: str, cycle: Cycle | None, region: Region | None, purpose: str,
    actor: Any,
) -> UploadedFile:
    """The unsaved record of a file, named by its content; ``file_write`` writes the bytes."""
    record = UploadedFile(
        cycle=cycle, region=region, purpose=purpose, original_name=filename[:255],
        size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor,
    )
    record.file.name = upload_path(record, filename)
    return record


def file_write(record: UploadedFile, content: bytes) -> None:
    name = str(record.file.name)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(content))


def _new_version(submission: Submission, *, source: str, actor: Any, file: UploadedFile | None,
                 based_on: Version | None = None, diff: list[Any] | None = None) -> Version:
    if not submission.is_editable:
        raise TransitionError(str(NOT_EDITABLE).format(state=S(submission.state).label))
    submission.version_count += 1
    submission.save(update_fields=["version_count", "updated_at"])
    version = Version.objects.create(
        submission=submission, number=submission.version_count, source=source, file=file,
        created_by=actor, based_on=based_on, diff=diff or [],
    )
    if submission.state in (S.INVALID, S.RETURNED):
        role = Actor.ADMINISTRATOR if source == Version.Source.BULK else Actor.OFFICER
        _transition(submission, action=Action.NEW_VERSION, actor_role=role, actor=actor,
                    version=version)
    return version


def version_create_from_upload(
    *, submission: Submission, content: bytes, filename: str, actor: Any
) -> Version:
    """Store an uploaded file as a new version and queue its validation after commit."""
    _check_upload(content)
    record = file_store(content=content, filename=filename, cycle=submission.cycle,
                        region=submission.region, purpose=UploadedFile.Purpose.SUBMISSION,
                        actor=actor)
    with transaction.atomic():
        locked = _locked(submission.pk)
        if not locked.is_editable:
            raise TransitionError(str(NOT_EDITABLE).format(state=S(locked.state).label))
        record.save()
        version = _new_version(locked, source=Version.Source.UPLOAD, actor=actor, file=record)
        log_action(
            actor=actor, action="version.upload", obj=version, region_code=locked.region.code,
            cycle_year=locked.cycle.year,
            data={"version": version.number, "file": record.original_name,
                  "sha256": record.sha256, "size": record.size},
        )
        _queue_validation(version.pk)
    return version


def _queue_validation(version_id: int) -> None:
    from submissions.tasks import validate_version

    transaction.on_commit(lambda: enqueue(validate_version, version_id))


@dataclass(frozen=True)
class EditedValue:
    value: Decimal | None
    raw: str
    note: str


def version_create_from_edit(
    *, submission: Submission, values: Mapping[str, EditedValue], actor: Any
) -> Version:
    """An online correction: a new version with every value, its diff against the current
    version, validated in the worker."""
    with transaction.atomic():
        locked = _locked(submission.pk)
        current = locked.current_version
        before = ({v.element.code: v for v in current.values.select_related("element")}
                  if current else {})
        elements = {e.code: e for e in locked.cycle.model_version.elements.all()}
        diff = []
        for code, new in values.items():
            old = before.get(code)
            old_value, old_note = (old.value, old.note) if old else (None, "")
            if _differs(old_value, new.value) or old_note != new.note:
                diff.append({"code": code, "old": _plain(old_value), "new": _plain(new.value),
                             "old_note": old_note, "new_note": new.note})
        version = _new_version(locked, source=Version.Source.EDIT, actor=actor, file=None,
                               based_on=current, diff=diff)
        Value.objects.bulk_create(
            Value(version=version, element=elements[code], value=new.value, raw=new.raw[:200],
                  note=new.note, sheet=old.sheet if (old := before.get(code)) else "",
                  row=old.row if old else None, column=old.column if old else "")
            for code, new in values.items() if code in elements
        )
        _point_at(locked, version)
        log_action(
            actor=actor, action="version.edit", obj=version, region_code=locked.region.code,
            cycle_year=locked.cycle.year, data={"version": version.number, "changes": diff},
        )
        _queue_validation(version.pk)
    return version


def _differs(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None) != (b is None) or (a is not None and b is not None and a != b)


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _point_at(submission: Submission, version: Version) -> None:
    """Move the current pointer forward only: a slow early upload never replaces a later one."""
    current = submission.current_version
    if current is None or version.number > current.number:
        submission.current_version = version
        submission.save(update_fields=["current_version", "updated_at"])


# --- validation ----------------------------------------------------------------------------

@dataclass
class ValidationOutcome:
    cells: dict[str, rules.Cell]
    issues: list[rules.Issue]
    rejected: bool = False


def _read_upload(version: Version, ruleset: rules.RuleSet) -> ValidationOutcome:
    assert version.file is not None
    with version.file.file.open("rb") as handle:
        content = handle.read()
    try:
        table = read_table(content, version.file.original_name, fields=TEMPLATE_FIELDS,
                           max_bytes=settings.UPLOAD_MAX_BYTES)
    except FileRejected as exc:
        issue = rules.Issue("", rules.ERROR, exc.rule_code, *file_rejected_texts(exc),
                            rules.Position(exc.sheet or "", exc.row, exc.column or ""))
        return ValidationOutcome({}, [issue], rejected=True)
    cells, issues = rules.parse_rows(ruleset, table.rows, sheet=table.sheet or "")
    issues.extend(_template_meta_issues(content, version.submission))
    return ValidationOutcome(cells, issues)


TEMPLATE_OTHER_REGION = ("这是{other}的填报模板，不是本地区（{own}）的", "This is the template of "
                         "{other_en}, not of your region ({own_en})")


def _template_meta_issues(content: bytes, submission: Submission) -> list[rules.Issue]:
    meta = read_template_meta(content) or {}
    code = meta.get("region_code")
    if not code or code == submission.region.code:
        return []
    other = Region.objects.filter(code=code).first()
    zh, en = TEMPLATE_OTHER_REGION
    name_zh, name_en = (other.name_zh, other.name_en) if other else (code, code)
    return [rules.Issue("", rules.ERROR, "TEMPLATE_OTHER_REGION",
                        zh.format(other=name_zh, own=submission.region.name_zh),
                        en.format(other_en=name_en, own_en=submission.region.name_en))]


def _stored_cells(version: Version) -> dict[str, rules.Cell]:
    return {
        v.element.code: rules.Cell(v.element.code, v.value, v.raw, v.note,
                                   rules.Position(v.sheet, v.row, v.column))
        for v in version.values.select_related("element")
    }


def run_rules(
    ruleset: rules.RuleSet, cells: Mapping[str, rules.Cell], *,
    previous: Mapping[str, Decimal | None], peers: Sequence[Mapping[str, float]],
) -> list[rules.Issue]:
    return [
        *rules.check_cells(ruleset, cells),
        *rules.check_year_over_year(ruleset, cells, previous),
        *rules.check_outliers(ruleset, cells, peers,
                              threshold=settings.VALIDATION_OUTLIER_THRESHOLD),
    ]


def version_validate(*, version_id: int) -> Version | None:
    """Read (for uploads), check and store the results of one version; advance its submission.

    Idempotent: a task delivered twice (a worker killed mid-way) finds the version validated
    and does nothing, and the results are written in one transaction, so a half-run leaves
    nothing behind.
    """
    version = (Version.objects.select_related("submission__cycle__model_version",
                                              "submission__region", "file")
               .filter(pk=version_id).first())
    if version is None or version.is_validated:
        return version
    submission = version.submission
    progress_set(version_id, percent=10, stage="reading")
    ruleset = ruleset_for(submission.cycle.model_version)
    needs_reading = version.source == Version.Source.UPLOAD and not version.values.exists()
    if needs_reading:
        outcome = _read_upload(version, ruleset)
    else:
        outcome = ValidationOutcome(_stored_cells(version), [])
    progress_set(version_id, percent=50, stage="checking")
    if not outcome.rejected:
        outcome.issues.extend(run_rules(
            ruleset, outcome.cells,
            previous=previous_approved_values(submission.cycle, submission.region),
            peers=peer_values(submission.cycle, exclude_region_id=submission.region_id),
        ))
    progress_set(version_id, percent=80, stage="saving")
    with transaction.atomic():
        locked = _locked(submission.pk)
        version = Version.objects.select_for_update().get(pk=version_id)
        if version.is_validated:
            return version
        if needs_reading and not outcome.rejected:
            elements = {e.code: e for e in locked.cycle.model_version.elements.all()}
            values_insert(value_rows(version, outcome.cells, elements))
        issues_insert(version, outcome.issues)
        _finish(version, outcome)
        if not outcome.rejected:
            _point_at(locked, version)
        if locked.current_version_id == version.pk:
            locked.current_version = version  # the instance loaded under the lock is stale
        _advance(locked)
        log_action(
            actor=None, action="version.validate", obj=version, region_code=locked.region.code,
            cycle_year=locked.cycle.year,
            data={"version": version.number, "result": version.validation,
                  "errors": version.error_count, "warnings": version.warning_count},
        )
    progress_set(version_id, percent=100, stage="done")
    return version


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


def value_rows(version: Version, cells: Mapping[str, rules.Cell],
                elements: Mapping[str, DataElement]) -> list[Value]:
    return [
        Value(version=version, element=elements[code], value=cell.value, raw=cell.raw,
              note=cell.note, sheet=cell.position.sheet[:100], row=cell.position.row,
              column=cell.position.column)
        for code, cell in cells.items() if code in elements
    ]


def values_insert(rows: Sequence[Value]) -> None:
    """Insert values; on PostgreSQL through COPY (``common.db.bulk_insert``)."""
    bulk_insert(rows)


def issues_insert(version: Version, issues: Sequence[rules.Issue]) -> None:
    issues_insert_many([(version, issue) for issue in issues])


def issues_insert_many(rows: Sequence[tuple[Version, rules.Issue]]) -> None:
    ValidationIssue.objects.bulk_create(
        (ValidationIssue(
            version=version, element_code=i.element_code, sheet=i.position.sheet[:100],
            row=i.position.row, column=i.position.column, severity=i.severity,
            rule_code=i.rule_code, message_zh=i.message_zh[:500], message_en=i.message_en[:500],
        ) for version, i in rows),
        batch_size=2000,
    )


# --- cycles --------------------------------------------------------------------------------

@transaction.atomic
def cycle_create(*, year: int, model_version: Any, opens_on: Any, deadline: Any, actor: Any
                 ) -> Cycle:
    """A reporting cycle and an empty draft submission for every reporting unit."""
    cycle = Cycle.objects.create(year=year, model_version=model_version, opens_on=opens_on,
                                 deadline=deadline)
    Submission.objects.bulk_create(
        [Submission(cycle=cycle, region=region) for region in Region.objects.all()],
        batch_size=1000,
    )
    log_action(actor=actor, action="cycle.create", obj=cycle, cycle_year=year,
               data={"model_version": model_version.code, "opens_on": str(opens_on),
                     "deadline": str(deadline)})
    return cycle


# --- comments, notifications, cycles -------------------------------------------------------

COMMENT_EMPTY = _("评论不能为空")


@transaction.atomic
def comment_add(*, submission: Submission, author: Any, body: str) -> Comment:
    body = body.strip()
    if not body:
        raise TransitionError(str(COMMENT_EMPTY))
    comment = Comment.objects.create(submission=submission, author=author, body=body[:5000])
    log_action(actor=author, action="submission.comment", obj=comment,
               region_code=submission.region.code, cycle_year=submission.cycle.year,
               data={"submission": submission.pk, "body": comment.body})
    return comment


def _notify_officers(submission: Submission, subject: str, body: str) -> None:
    from django.core.mail import send_mass_mail

    from accounts.models import User

    recipients = list(User.objects.filter(region=submission.region, is_active=True)
                      .exclude(email="").values_list("email", flat=True))
    if recipients:
        send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients],
                       fail_silently=True)


def notify_decision(*, submission_id: int) -> None:
    """E-mail the region's officers that their submission was returned or approved."""
    submission = (Submission.objects.select_related("region", "cycle")
                  .filter(pk=submission_id).first())
    if submission is None or submission.state not in (S.RETURNED, S.APPROVED):
        return
    last = submission.transitions.order_by("-created_at", "-id").first()
    reason = last.reason if last else ""
    verb = "已退回，请修改后重新提交" if submission.state == S.RETURNED else "已审核通过"
    subject = (f"【信息化发展评价】{submission.cycle.year} 年度 "
               f"{submission.region.name_zh} 填报{verb}")
    body = f"{subject}\n\n{('退回原因：' + reason) if reason else ''}\n"
    _notify_officers(submission, subject, body)


def remind_deadlines(*, today: Any = None, days: int = 3) -> int:
    """Remind the officers of submissions not yet submitted, ``days`` before the deadline."""
    today = today or timezone.localdate()
    due = today + timedelta(days=days)
    count = 0
    for submission in Submission.objects.filter(
        cycle__deadline=due, cycle__state=Cycle.State.OPEN, state__in=list(EDITABLE_STATES)
    ).select_related("region", "cycle"):
        subject = (f"【信息化发展评价】{submission.cycle.year} 年度填报将于 "
                   f"{submission.cycle.deadline} 截止")
        _notify_officers(submission, subject, f"{subject}\n\n{submission.region.name_zh}："
                                               f"当前状态为「{submission.get_state_display()}」。\n")
        count += 1
    return count


CYCLE_EXISTS = _("{year} 年度的填报周期已经存在")
CYCLE_STEPS: dict[str, str] = {Cycle.State.OPEN: Cycle.State.CLOSED,
                               Cycle.State.CLOSED: Cycle.State.OPEN}


@transaction.atomic
def cycle_set_state(*, cycle: Cycle, state: str, actor: Any) -> Cycle:
    """Close an open cycle or reopen a closed one; scoring and publication move it further."""
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if CYCLE_STEPS.get(locked.state) != state:
        raise TransitionError(str(_("当前状态（{state}）下不能执行该操作")).format(
            state=locked.get_state_display()))
    before, locked.state = locked.state, state
    locked.save(update_fields=["state"])
    log_action(actor=actor, action="cycle.state", obj=locked, cycle_year=locked.year,
               data={"from": before, "to": state})
    return locked


@transaction.atomic
def cycle_set_deadline(*, cycle: Cycle, deadline: Any, actor: Any) -> Cycle:
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    before, locked.deadline = locked.deadline, deadline
    locked.save(update_fields=["deadline"])
    log_action(actor=actor, action="cycle.deadline", obj=locked, cycle_year=locked.year,
               data={"from": str(before), "to": str(deadline)})
    return locked


def sweep_stuck(*, older_than_seconds: int | None = None) -> tuple[list[int], list[int]]:
    """Re-queue what a lost message left behind: versions not validated and submissions still
    submitted or validating after ``older_than_seconds``. Both tasks are idempotent, so a
    version that was only slow is validated once all the same."""
    from submissions.tasks import check_submission, validate_version

    seconds = older_than_seconds or settings.VALIDATION_STUCK_AFTER_SECONDS
    cutoff = timezone.now() - timedelta(seconds=seconds)
    versions = list(Version.objects.filter(
        validation__in=[Version.Validation.PENDING, Version.Validation.RUNNING],
        created_at__lt=cutoff).values_list("pk", flat=True))
    submissions = list(Submission.objects.filter(
        state__in=[S.SUBMITTED, S.VALIDATING], updated_at__lt=cutoff,
    ).values_list("pk", flat=True))
    for version_id in versions:
        validate_version.delay(version_id)
    for submission_id in submissions:
        check_submission.delay(submission_id)
    if versions or submissions:
        logger.warning("re-queued %d stuck version(s) and %d submission(s)", len(versions),
                       len(submissions))
    return versions, submissions

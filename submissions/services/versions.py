"""New versions of a submission and their values: an officer's upload or online correction.

Nothing is overwritten: each is a new version, validated in the worker after commit, and the
submission's current pointer only ever moves forward.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import log_action
from common.errors import ApplicationError
from common.numbers import plain_decimal
from common.tasks import enqueue_on_commit
from submissions.models import Cycle, Submission, UploadedFile, Value, Version
from submissions.services.cycles import cycle_ensure_open
from submissions.services.files import file_check_size, file_store
from submissions.services.review import submission_lock, transition_apply
from submissions.workflow import Action, Actor

S = Submission.State

NOT_EDITABLE = _("该填报当前状态为「{state}」，不能修改")


def submission_ensure_editable(*, submission: Submission) -> None:
    """Refuse a change to a submission that is submitted, in review or approved."""
    if not submission.is_editable:
        raise ApplicationError("NOT_EDITABLE", NOT_EDITABLE,
                               params={"state": S(submission.state).label})


def _version_create(submission: Submission, *, source: str, actor: Any,
                    file: UploadedFile | None, based_on: Version | None = None,
                    diff: list[Any] | None = None) -> Version:
    """The next version of a submission the caller has locked; an invalid or returned
    submission goes back to draft with it."""
    submission_ensure_editable(submission=submission)
    submission.version_count += 1
    submission.save(update_fields=["version_count", "updated_at"])
    version = Version.objects.create(
        submission=submission, number=submission.version_count, source=source, file=file,
        created_by=actor, based_on=based_on, diff=diff or [],
        validation_queued_at=timezone.now(),  # queued when this transaction commits
    )
    if submission.state in (S.INVALID, S.RETURNED):
        role = Actor.ADMINISTRATOR if source == Version.Source.BULK else Actor.OFFICER
        transition_apply(submission=submission, action=Action.NEW_VERSION, actor_role=role,
                         actor=actor, version=version)
    return version


def _validation_queue(version: Version) -> None:
    enqueue_on_commit("submissions.tasks.validate_version", version.pk)


def version_create_from_upload(
    *, submission: Submission, content: bytes, filename: str, actor: Any
) -> Version:
    """Store an uploaded file as a new version and queue its validation after commit.

    Refused (``CYCLE_CLOSED``) while the cycle is not open: checked before the bytes are
    stored, and again under the submission's lock, which a close waits for."""
    file_check_size(size=len(content))
    cycle_ensure_open(cycle=Cycle.objects.get(pk=submission.cycle_id))  # as stored now
    record = file_store(content=content, filename=filename, cycle=submission.cycle,
                        region=submission.region, purpose=UploadedFile.Purpose.SUBMISSION,
                        actor=actor)
    with transaction.atomic():
        locked = submission_lock(submission_id=submission.pk)
        cycle_ensure_open(cycle=locked.cycle)
        submission_ensure_editable(submission=locked)
        record.save()
        version = _version_create(locked, source=Version.Source.UPLOAD, actor=actor,
                                  file=record)
        log_action(
            actor=actor, action="version.upload", obj=version, region_code=locked.region.code,
            cycle_year=locked.cycle.year,
            data={"version": version.number, "file": record.original_name,
                  "sha256": record.sha256, "size": record.size},
        )
        _validation_queue(version)
    return version


@dataclass(frozen=True)
class EditedValue:
    value: Decimal | None
    raw: str
    note: str


def version_create_from_edit(
    *, submission: Submission, values: Mapping[str, EditedValue], actor: Any
) -> Version:
    """An online correction or explanation (a value's note): a new version with every value,
    its diff against the current version, validated in the worker. Refused while the cycle
    is not open (``CYCLE_CLOSED``)."""
    with transaction.atomic():
        locked = submission_lock(submission_id=submission.pk)
        cycle_ensure_open(cycle=locked.cycle)
        current = locked.current_version
        before = ({v.element.code: v for v in current.values.select_related("element")}
                  if current else {})
        elements = {e.code: e for e in locked.cycle.model_version.elements.all()}
        diff = _diff(before, values)
        version = _version_create(locked, source=Version.Source.EDIT, actor=actor, file=None,
                                  based_on=current, diff=diff)
        Value.objects.bulk_create(
            Value(version=version, element=elements[code], value=new.value, raw=new.raw[:200],
                  note=new.note, sheet=old.sheet if (old := before.get(code)) else "",
                  row=old.row if old else None, column=old.column if old else "")
            for code, new in values.items() if code in elements
        )
        version_point_at(submission=locked, version=version)
        log_action(
            actor=actor, action="version.edit", obj=version, region_code=locked.region.code,
            cycle_year=locked.cycle.year,
            data={"version": version.number, "previous": current.number if current else None,
                  "changes": with_element_names(diff, elements)},
        )
        _validation_queue(version)
    return version


def _diff(before: Mapping[str, Value], values: Mapping[str, EditedValue]) -> list[Any]:
    """The values and notes an edit changes, as the version stores them (JSON)."""
    diff = []
    for code, new in values.items():
        old = before.get(code)
        old_value, old_note = (old.value, old.note) if old else (None, "")
        if old_value != new.value or old_note != new.note:
            diff.append({"code": code, "old": value_text(old_value), "new": value_text(new.value),
                         "old_note": old_note, "new_note": new.note})
    return diff


def with_element_names(diff: list[Any], elements: Mapping[str, Any]) -> list[Any]:
    """The diff with each element's names, for the audit log's readable entries."""
    return [{**change, "name_zh": getattr(elements.get(change["code"]), "name_zh", ""),
             "name_en": getattr(elements.get(change["code"]), "name_en", "")}
            for change in diff]


def version_log_values(*, version: Version, actor: Any = None) -> None:
    """Audit the values a version read from its file: per value that differs from the
    previous version with values (the latest one before it that was read), the old value and
    the new one (and the notes). Called where the values are written, in their transaction."""
    previous = (Version.objects.filter(submission_id=version.submission_id,
                                       number__lt=version.number,
                                       validation__in=[Version.Validation.VALID,
                                                       Version.Validation.INVALID])
                .order_by("-number").first())
    before = ({v.element.code: v for v in previous.values.select_related("element")}
              if previous else {})
    after = {v.element.code: v for v in version.values.select_related("element")}
    edited = {code: EditedValue(value=v.value, raw=v.raw, note=v.note)
              for code, v in after.items()}
    diff = _diff(before, edited)
    # A value the new file no longer has: gone, its old value kept in the log.
    diff += [{"code": code, "old": value_text(old.value), "new": None, "old_note": old.note,
              "new_note": ""} for code, old in before.items() if code not in after]
    elements = {v.element.code: v.element for v in [*before.values(), *after.values()]}
    submission = version.submission
    log_action(
        actor=actor or version.created_by, action="version.values", obj=version,
        region_code=submission.region.code, cycle_year=submission.cycle.year,
        data={"version": version.number, "previous": previous.number if previous else None,
              "changes": with_element_names(diff, elements)},
    )


def value_text(value: Decimal | None) -> str | None:
    return None if value is None else plain_decimal(value)


def version_point_at(*, submission: Submission, version: Version) -> None:
    """Move the current pointer forward only: a slow early upload never replaces a later one;
    and only while the submission may change: a version whose validation ends after the
    submission was submitted (or approved) never replaces the version submitted."""
    if not submission.is_editable:
        return
    current = submission.current_version
    if current is None or version.number > current.number:
        submission.current_version = version
        submission.save(update_fields=["current_version", "updated_at"])

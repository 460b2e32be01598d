"""A submission's way through the state machine (``submissions.workflow``): submitting, the
worker's check, approving, returning, reopening; and the comments beside it.

Callers (views, tasks, commands) have already checked who may act on which submission
(``submissions.permissions``); these functions check what may happen in which state. Each
write happens in one transaction under the submission's row lock, with its audit entry.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import log_action
from common.errors import ApplicationError
from common.tasks import enqueue_on_commit
from submissions.models import Comment, Submission, Transition, Version
from submissions.services.cycles import cycle_ensure_open
from submissions.workflow import Action, Actor, next_state

S = Submission.State

SUBMIT_WITHOUT_VERSION = _("还没有可提交的数据，请先上传或在线填写")
SUBMIT_HAS_ERRORS = _("当前版本有 {count} 个错误，请改正后再提交")
SUBMIT_REJECTED_FILE = _("当前版本的文件无法读取，请重新上传")
SUBMIT_VALIDATION_PENDING = _("第 {number} 版还在校验，校验结束后才能提交")
WARNINGS_UNEXPLAINED = "WARNINGS_UNEXPLAINED"
SUBMIT_UNEXPLAINED = _("还有 {count} 个警告没有说明：请在各数值的备注中说明后再提交")
APPROVE_NOT_SUBMITTED = _("当前版本（第 {number} 版）不是提交审核的版本，不能通过")
APPROVE_NOT_VALID = _("当前版本（第 {number} 版）未通过校验，不能通过")
APPROVE_UNEXPLAINED = _("还有 {count} 个警告没有填报单位的说明，不能通过")
COMMENT_EMPTY = _("评论不能为空")
COMMENT_TOO_LONG = _("评论最多 {limit} 个字")
COMMENT_MAX_LENGTH = 5000
# A reason is shown on the officer's pages and e-mailed: bounded here for every caller (the
# web's form, the command line), not only in the form.
REASON_TOO_LONG = _("原因最多 {limit} 个字")
REASON_MAX_LENGTH = 2000


def submission_lock(*, submission_id: int) -> Submission:
    """The submission, row-locked, with its region, cycle and current version.

    Lock first, read after: on PostgreSQL (READ COMMITTED) a ``SELECT ... FOR UPDATE`` that
    waited for another transaction returns the locked row as that one left it, but the rows
    joined to it as they were before: its current version could be the one the other
    transaction replaced (two simultaneous uploads then both saw v1 as current, and v1 won).
    The second statement sees everything committed before the lock was granted."""
    # No ordering: the model's default one joins the cycle and the region, and FOR UPDATE would
    # lock their rows too (every submission of a cycle waiting on one another, and a close of
    # the cycle, which locks the cycle and then its submissions, deadlocking with a submit).
    list(Submission.objects.select_for_update().filter(pk=submission_id).order_by()
         .values_list("pk"))
    return (Submission.objects.select_related("region", "cycle", "current_version")
            .get(pk=submission_id))


def transition_apply(
    *,
    submission: Submission,
    action: Action,
    actor_role: Actor,
    actor: Any,
    reason: str = "",
    version: Version | None = None,
) -> None:
    """Apply one transition to a submission the caller has locked, with its record and its
    audit entry."""
    before = submission.state
    submission.state = next_state(action, before, actor_role, reason)
    now = timezone.now()
    if submission.state == S.SUBMITTED:
        submission.submitted_at = now
        submission.submitted_version = version or submission.current_version
        submission.submitted_late = timezone.localdate(now) > submission.cycle.deadline
    if submission.state == S.APPROVED:
        submission.approved_at = now
        submission.approved_version = submission.current_version
    elif before == S.APPROVED:
        submission.approved_version = None
    submission.save(update_fields=["state", "submitted_at", "submitted_version",
                                   "submitted_late", "approved_at", "approved_version",
                                   "updated_at"])
    Transition.objects.create(
        submission=submission, version=version or submission.current_version, action=action,
        from_state=before, to_state=submission.state, actor=actor, reason=reason,
    )
    log_action(
        actor=actor, action=f"submission.{action}", obj=submission,
        region_code=submission.region.code, cycle_year=submission.cycle.year,
        data={"from": before, "to": submission.state, "reason": reason,
              "version": version.number if version else None,
              **({"late": True} if submission.state == S.SUBMITTED and submission.submitted_late
                 else {})},
    )


@transaction.atomic
def submission_transition(
    *, submission_id: int, action: Action, actor: Any, actor_role: Actor, reason: str = ""
) -> Submission:
    """A reviewer's or administrator's decision: approve, return or reopen."""
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError("REASON_TOO_LONG", REASON_TOO_LONG, field="reason",
                               params={"limit": REASON_MAX_LENGTH})
    submission = submission_lock(submission_id=submission_id)
    if action == Action.APPROVE:
        current = submission.current_version
        if (submission.submitted_version_id is not None
                and submission.current_version_id != submission.submitted_version_id):
            raise ApplicationError("APPROVE_NOT_SUBMITTED", APPROVE_NOT_SUBMITTED,
                                   params={"number": current.number if current else "—"})
        if current is not None and current.validation != Version.Validation.VALID:
            raise ApplicationError("APPROVE_NOT_VALID", APPROVE_NOT_VALID,
                                   params={"number": current.number})
        if current is not None and current.unexplained_warning_count:
            raise ApplicationError("APPROVE_UNEXPLAINED", APPROVE_UNEXPLAINED,
                                   params={"count": current.unexplained_warning_count})
    transition_apply(submission=submission, action=action, actor_role=actor_role, actor=actor,
                     reason=reason)
    if action in (Action.APPROVE, Action.RETURN, Action.REOPEN):
        enqueue_on_commit("submissions.tasks.notify_decision_task", submission.pk)
    return submission


@transaction.atomic
def submission_submit(*, submission_id: int, actor: Any) -> Submission:
    """The officer submits the current version, which is pinned from now on (no later
    version replaces it: ``versions.version_point_at``); the worker checks it after commit.

    Refused while the cycle is not open (``CYCLE_CLOSED``), while the current version or a
    newer one awaits its validation (the officer would submit an older one, or one not yet
    checked), and while a warning has no explanation (``WARNINGS_UNEXPLAINED``). After the
    deadline of an open cycle the submission is accepted and marked late."""
    submission = submission_lock(submission_id=submission_id)
    cycle_ensure_open(cycle=submission.cycle)
    current = submission.current_version
    if current is None:
        raise ApplicationError("SUBMIT_WITHOUT_VERSION", SUBMIT_WITHOUT_VERSION)
    newer = (submission.versions.filter(number__gte=current.number,
                                        validation__in=[Version.Validation.PENDING,
                                                        Version.Validation.RUNNING])
             .order_by("-number").first())
    if newer is not None:
        raise ApplicationError("SUBMIT_VALIDATION_PENDING", SUBMIT_VALIDATION_PENDING,
                               params={"number": newer.number})
    if current.validation == Version.Validation.REJECTED:
        raise ApplicationError("SUBMIT_REJECTED_FILE", SUBMIT_REJECTED_FILE)
    if current.error_count:
        raise ApplicationError("SUBMIT_HAS_ERRORS", SUBMIT_HAS_ERRORS,
                               params={"count": current.error_count})
    if current.unexplained_warning_count:
        raise ApplicationError(WARNINGS_UNEXPLAINED, SUBMIT_UNEXPLAINED,
                               params={"count": current.unexplained_warning_count})
    transition_apply(submission=submission, action=Action.SUBMIT, actor_role=Actor.OFFICER,
                     actor=actor, version=current)
    enqueue_on_commit("submissions.tasks.check_submission", submission.pk)
    return submission


@transaction.atomic
def submission_check(*, submission_id: int) -> Submission | None:
    """The worker's side of a submit: validating, then invalid or awaiting review."""
    if not Submission.objects.filter(pk=submission_id).exists():
        return None  # a stale message (the row is gone with a test database, say): nothing to do
    submission = submission_lock(submission_id=submission_id)
    submission_advance(submission=submission)
    return submission


def submission_advance(*, submission: Submission) -> None:
    """Move a submitted submission (locked by the caller) as far as its current version's
    validation allows: to validating, then to invalid or awaiting review."""
    if submission.state == S.SUBMITTED:
        transition_apply(submission=submission, action=Action.START_VALIDATION,
                         actor_role=Actor.SYSTEM, actor=None)
    current = submission.current_version
    if submission.state != S.VALIDATING or current is None or not current.is_validated:
        return  # the version's own validation task advances it when it ends
    passed = current.validation == Version.Validation.VALID
    transition_apply(
        submission=submission,
        action=Action.VALIDATION_PASSED if passed else Action.VALIDATION_FAILED,
        actor_role=Actor.SYSTEM, actor=None, version=current,
    )


@transaction.atomic
def comment_add(*, submission: Submission, author: Any, body: str) -> Comment:
    body = body.strip()
    if not body:
        raise ApplicationError("COMMENT_EMPTY", COMMENT_EMPTY, field="body")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ApplicationError("COMMENT_TOO_LONG", COMMENT_TOO_LONG, field="body",
                               params={"limit": COMMENT_MAX_LENGTH})
    comment = Comment.objects.create(submission=submission, author=author, body=body)
    log_action(actor=author, action="submission.comment", obj=comment,
               region_code=submission.region.code, cycle_year=submission.cycle.year,
               data={"submission": submission.pk, "body": comment.body})
    return comment

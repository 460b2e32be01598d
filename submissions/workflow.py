"""The submission state machine as one explicit table.

``draft → submitted → validating → (invalid | awaiting review) → (returned | approved)``;
``invalid`` and ``returned`` go back to ``draft`` when a new version is made; only an
administrator reopens an approved submission, with a reason. Services apply a transition
under the submission's row lock (``services.review.submission_transition``); nothing else
writes ``Submission.state``. A reporting cycle's own two steps (close, reopen) are here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from submissions.models import Cycle, Submission

S = Submission.State


class Action(StrEnum):
    NEW_VERSION = "new_version"          # an upload or edit of an invalid/returned submission
    SUBMIT = "submit"
    START_VALIDATION = "start_validation"
    VALIDATION_PASSED = "validation_passed"
    VALIDATION_FAILED = "validation_failed"
    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"
    BULK_APPROVE = "bulk_approve"        # an operator's import_values --approve


class Actor(StrEnum):
    OFFICER = "officer"
    REVIEWER = "reviewer"
    ADMINISTRATOR = "administrator"
    SYSTEM = "system"


@dataclass(frozen=True)
class Step:
    to_state: str
    actors: frozenset[Actor]
    reason_required: bool = False


def _step(to: str, *actors: Actor, reason: bool = False) -> Step:
    return Step(to, frozenset(actors), reason)


TRANSITIONS: dict[tuple[Action, str], Step] = {
    (Action.NEW_VERSION, S.INVALID): _step(S.DRAFT, Actor.OFFICER, Actor.ADMINISTRATOR),
    (Action.NEW_VERSION, S.RETURNED): _step(S.DRAFT, Actor.OFFICER, Actor.ADMINISTRATOR),
    (Action.SUBMIT, S.DRAFT): _step(S.SUBMITTED, Actor.OFFICER),
    (Action.START_VALIDATION, S.SUBMITTED): _step(S.VALIDATING, Actor.SYSTEM),
    (Action.VALIDATION_PASSED, S.VALIDATING): _step(S.AWAITING_REVIEW, Actor.SYSTEM),
    (Action.VALIDATION_FAILED, S.VALIDATING): _step(S.INVALID, Actor.SYSTEM),
    (Action.APPROVE, S.AWAITING_REVIEW): _step(S.APPROVED, Actor.REVIEWER, Actor.ADMINISTRATOR),
    (Action.RETURN, S.AWAITING_REVIEW): _step(S.RETURNED, Actor.REVIEWER, Actor.ADMINISTRATOR,
                                             reason=True),
    (Action.REOPEN, S.APPROVED): _step(S.DRAFT, Actor.ADMINISTRATOR, reason=True),
    **{
        (Action.BULK_APPROVE, state): _step(S.APPROVED, Actor.ADMINISTRATOR)
        for state in (S.DRAFT, S.SUBMITTED, S.INVALID, S.AWAITING_REVIEW, S.RETURNED)
    },
}


class TransitionError(ApplicationError):
    """A transition that the table does not allow, by someone it does not name, or without
    the reason it requires. The other refusals of the services are ``ApplicationError``."""


NOT_ALLOWED = _("当前状态（{state}）下不能执行该操作")
REASON_REQUIRED = _("请填写原因")
NOT_YOUR_ROLE = _("您的角色不能执行该操作")


def next_state(action: Action, state: str, actor: Actor, reason: str = "") -> str:
    step = TRANSITIONS.get((action, state))
    if step is None:
        raise TransitionError("TRANSITION_NOT_ALLOWED", NOT_ALLOWED,
                              params={"state": S(state).label})
    if actor not in step.actors:
        raise TransitionError("NOT_YOUR_ROLE", NOT_YOUR_ROLE)
    if step.reason_required and not reason.strip():
        raise TransitionError("REASON_REQUIRED", REASON_REQUIRED, field="reason")
    return step.to_state


# A cycle is closed and reopened by an administrator; scoring and publication move it further.
CYCLE_STEPS: dict[str, str] = {Cycle.State.OPEN: Cycle.State.CLOSED,
                               Cycle.State.CLOSED: Cycle.State.OPEN}
# What the button that takes a cycle to the state says.
CYCLE_STEP_LABELS: dict[str, str | Promise] = {Cycle.State.CLOSED: _("截止填报"),
                                               Cycle.State.OPEN: _("重新开放")}


def next_cycle_state(state: str, wanted: str) -> str:
    if CYCLE_STEPS.get(state) != wanted:
        raise TransitionError("TRANSITION_NOT_ALLOWED", NOT_ALLOWED,
                              params={"state": Cycle.State(state).label})
    return wanted

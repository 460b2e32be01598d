"""Reporting cycles: creating one (with a draft submission for every reporting unit), closing
and reopening it, moving its deadline."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import log_action
from common.errors import ApplicationError
from common.tasks import enqueue_on_commit
from indicators.models import ModelVersion, Region
from submissions.models import Cycle, Submission
from submissions.workflow import REASON_REQUIRED, TransitionError, next_cycle_state

CYCLE_CLOSED = "CYCLE_CLOSED"
CYCLE_CLOSED_MESSAGE = _("{year} 年度填报已截止（截止日期 {deadline}，周期状态：{state}），"
                         "不能再上传、修改、说明或提交")


@transaction.atomic
def cycle_create(*, year: int, model_version: ModelVersion, opens_on: date | str,
                 deadline: date | str, actor: Any) -> Cycle:
    """A reporting cycle and an empty draft submission for every reporting unit.

    From now on the cycle's model version is frozen (``indicators.services``): its row is
    locked first, so that an edit of the draft saved at this moment either ends before the
    cycle exists or sees it and is refused."""
    ModelVersion.objects.select_for_update().filter(pk=model_version.pk).first()
    cycle = Cycle.objects.create(year=year, model_version=model_version, opens_on=opens_on,
                                 deadline=deadline)
    Submission.objects.bulk_create(
        [Submission(cycle=cycle, region=region) for region in Region.objects.all()],
        batch_size=1000,
    )
    if cycle.state == Cycle.State.OPEN:
        enqueue_on_commit("submissions.tasks.notify_cycle_open_task", cycle.pk)
    log_action(actor=actor, action="cycle.create", obj=cycle, cycle_year=year,
               data={"model_version": model_version.code, "opens_on": str(opens_on),
                     "deadline": str(deadline)})
    return cycle


def cycle_ensure_open(*, cycle: Cycle) -> None:
    """Refuse an officer's change (upload, edit, explanation, submit) to a cycle that is not
    open. Callers that race with a close read ``cycle`` after taking the submission's row lock
    (``submission_lock``): ``cycle_set_state`` locks every submission of the cycle before it
    changes the state, so a close and a submit end in one order or the other."""
    if cycle.state != Cycle.State.OPEN:
        raise ApplicationError(CYCLE_CLOSED, CYCLE_CLOSED_MESSAGE,
                               params={"year": cycle.year, "deadline": cycle.deadline,
                                       "state": Cycle.State(cycle.state).label})


@transaction.atomic
def cycle_set_state(*, cycle: Cycle, state: str, actor: Any, reason: str = "") -> Cycle:
    """Close an open cycle or reopen a closed one (a reopening needs a reason); scoring and
    publication move it further.

    The cycle's row and then every submission's row are locked, in that order: an upload or a
    submit holding a submission's lock ends before the close (and is kept), and one that
    waits for it reads the closed cycle after (and is refused)."""
    # NO KEY: an upload that holds a submission's lock inserts its file row, which references
    # the cycle (a KEY SHARE lock); a plain FOR UPDATE here would wait for it while it waits
    # for this: a deadlock.
    locked = Cycle.objects.select_for_update(no_key=True).get(pk=cycle.pk)
    wanted = next_cycle_state(locked.state, state)
    reason = reason.strip()
    if wanted == Cycle.State.OPEN and not reason:
        raise TransitionError("REASON_REQUIRED", REASON_REQUIRED, field="reason")
    list(Submission.objects.select_for_update().filter(cycle=locked).order_by("pk")
         .values_list("pk"))
    before, locked.state = locked.state, wanted
    locked.save(update_fields=["state"])
    cycle.state = locked.state  # the caller's instance too
    if locked.state == Cycle.State.OPEN and before != locked.state:
        enqueue_on_commit("submissions.tasks.notify_cycle_open_task", locked.pk)
    log_action(actor=actor, action="cycle.state", obj=locked, cycle_year=locked.year,
               data={"from": before, "to": locked.state, "reason": reason})
    return locked


def cycle_close(*, cycle: Cycle, actor: Any) -> Cycle:
    return cycle_set_state(cycle=cycle, state=Cycle.State.CLOSED, actor=actor)


def cycle_reopen(*, cycle: Cycle, actor: Any, reason: str) -> Cycle:
    return cycle_set_state(cycle=cycle, state=Cycle.State.OPEN, actor=actor, reason=reason)


@transaction.atomic
def cycle_set_deadline(*, cycle: Cycle, deadline: date, actor: Any) -> Cycle:
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    before, locked.deadline = locked.deadline, deadline
    locked.save(update_fields=["deadline"])
    log_action(actor=actor, action="cycle.deadline", obj=locked, cycle_year=locked.year,
               data={"from": str(before), "to": str(deadline)})
    return locked

"""Reporting cycles: creating one (with a draft submission for every reporting unit), closing
and reopening it, moving its deadline."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from audit.services import log_action
from common.tasks import enqueue_on_commit
from indicators.models import ModelVersion, Region
from submissions.models import Cycle, Submission
from submissions.workflow import next_cycle_state


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


@transaction.atomic
def cycle_set_state(*, cycle: Cycle, state: str, actor: Any) -> Cycle:
    """Close an open cycle or reopen a closed one; scoring and publication move it further."""
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    before, locked.state = locked.state, next_cycle_state(locked.state, state)
    locked.save(update_fields=["state"])
    if locked.state == Cycle.State.OPEN and before != locked.state:
        enqueue_on_commit("submissions.tasks.notify_cycle_open_task", locked.pk)
    log_action(actor=actor, action="cycle.state", obj=locked, cycle_year=locked.year,
               data={"from": before, "to": locked.state})
    return locked


@transaction.atomic
def cycle_set_deadline(*, cycle: Cycle, deadline: date, actor: Any) -> Cycle:
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    before, locked.deadline = locked.deadline, deadline
    locked.save(update_fields=["deadline"])
    log_action(actor=actor, action="cycle.deadline", obj=locked, cycle_year=locked.year,
               data={"from": str(before), "to": str(deadline)})
    return locked

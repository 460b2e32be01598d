"""A close and a submit at the same moment end in one consistent state (issue 15): closed and
the submit refused, or submitted before the close; never a submit into a closed cycle."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from common.errors import ApplicationError
from submissions.models import Cycle, Submission, Version
from submissions.services.cycles import CYCLE_CLOSED, cycle_close
from submissions.services.review import submission_submit
from submissions.services.versions import version_create_from_upload
from tests.factories import CycleFactory
from tests.submissions.helpers import template_csv, valid_values

S = Submission.State


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(4))
def test_a_close_and_a_submit_racing_end_consistently(officer_bj, administrator, attempt):
    cycle = CycleFactory()
    submission = Submission.objects.get_or_create(cycle=cycle, region=officer_bj.region)[0]
    version = version_create_from_upload(submission=submission,
                                         content=template_csv(valid_values()),
                                         filename="data.csv", actor=officer_bj)
    version.refresh_from_db()
    assert version.validation == Version.Validation.VALID  # validated on commit (eager)
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}
    errors: list[BaseException] = []

    def close() -> None:
        try:
            barrier.wait()
            cycle_close(cycle=Cycle.objects.get(pk=cycle.pk), actor=administrator)
            outcome["close"] = "done"
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def submit() -> None:
        try:
            barrier.wait()
            submission_submit(submission_id=submission.pk, actor=officer_bj)
            outcome["submit"] = "done"
        except ApplicationError as exc:
            outcome["submit"] = exc.code
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=f) for f in ((close, submit) if attempt % 2
                                                     else (submit, close))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert outcome["close"] == "done"
    cycle.refresh_from_db()
    submission.refresh_from_db()
    assert cycle.state == Cycle.State.CLOSED
    if outcome["submit"] == "done":
        assert submission.state != S.DRAFT and submission.submitted_version_id == version.pk
        close_entry_time = cycle.history.latest("history_date").history_date
        assert submission.submitted_at <= close_entry_time
    else:
        assert outcome["submit"] == CYCLE_CLOSED
        assert submission.state == S.DRAFT and submission.submitted_at is None

"""Queueing by Celery name: services name the task, never import it (common/tasks.py)."""

from __future__ import annotations

import contextlib
from unittest import mock

import pytest
from django.db import transaction

from common.tasks import enqueue_on_commit, task_named

# Every name a service or view queues by (grep "enqueue_on_commit(" / "task_named(").
QUEUED_BY_NAME = [
    "submissions.tasks.validate_version",
    "submissions.tasks.check_submission",
    "submissions.tasks.notify_decision_task",
    "scoring.tasks.score_cycle",
]


@pytest.mark.parametrize("name", QUEUED_BY_NAME)
def test_it_finds_every_task_the_code_queues_by_name(name):
    assert task_named(name).name == name


def test_it_names_every_task_as_its_module_path():
    from scoring import tasks as scoring_tasks
    from submissions import tasks as submission_tasks

    for module in (submission_tasks, scoring_tasks):
        for attribute, task in vars(module).items():
            if hasattr(task, "delay"):
                assert task.name == f"{module.__name__}.{attribute}"


def test_it_queues_the_named_task_once_the_transaction_commits(
        db, django_capture_on_commit_callbacks):
    with mock.patch("submissions.tasks.check_submission.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit("submissions.tasks.check_submission", 7)
            delay.assert_not_called()  # not before the commit
        delay.assert_called_once_with(7)


def test_it_queues_nothing_when_the_transaction_rolls_back(
        db, django_capture_on_commit_callbacks):
    with mock.patch("submissions.tasks.check_submission.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks, \
                contextlib.suppress(RuntimeError), transaction.atomic():
            enqueue_on_commit("submissions.tasks.check_submission", 7)
            raise RuntimeError("the write failed")
        assert callbacks == []
        delay.assert_not_called()


def test_it_refuses_an_unknown_name_before_anything_is_queued(db):
    with pytest.raises(KeyError):
        enqueue_on_commit("submissions.tasks.no_such_task", 7)

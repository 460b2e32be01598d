"""Queueing tasks: by their Celery name, once the transaction commits, without letting a
broker outage fail the request.

Services queue through ``enqueue_on_commit("submissions.tasks.validate_version", id)`` and
never import a tasks module: tasks import services, so the name is the only link back, and
the import graph has no circle.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


def task_named(name: str) -> Any:
    """The registered task called ``name``.

    A web process has imported no tasks module when it first queues (Celery discovers them
    in the worker): the discovery runs then, once. A name that is still unknown is a
    programming error and raises ``KeyError`` before anything is queued."""
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def enqueue(task: Any, *args: Any) -> None:
    """``task.delay(*args)``; with the broker unreachable, log it and go on.

    Callers queue after their transaction committed: the work is stored, and the periodic
    sweep (``submissions.services.validation.validation_requeue_stuck``) re-queues what was
    not queued.
    """
    try:
        task.delay(*args)
    except (BrokerError, OSError) as exc:
        logger.warning("broker unreachable, %s%s not queued now: %s", task.name, args, exc)


def enqueue_on_commit(name: str, *args: Any) -> None:
    """Queue the task called ``name`` with ``args`` once the current transaction commits
    (at once outside a transaction); nothing is queued if it rolls back."""
    task = task_named(name)
    transaction.on_commit(lambda: enqueue(task, *args))

"""Queueing a task from a request without letting a broker outage fail the request."""

from __future__ import annotations

import logging
from typing import Any

from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any) -> None:
    """``task.delay(*args)``; with the broker unreachable, log it and go on.

    Callers queue after their transaction committed: the work is stored, and the periodic
    sweep (``submissions.services.sweep_stuck``) re-queues validations that were not queued.
    """
    try:
        task.delay(*args)
    except (BrokerError, OSError) as exc:
        logger.warning("broker unreachable, %s%s not queued now: %s", task.name, args, exc)

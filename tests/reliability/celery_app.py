"""The platform's Celery app with the fault hooks of the reliability tests (never in production).

A worker started as ``celery -A tests.reliability.celery_app worker`` runs the real tasks of
``config.celery``; two environment variables, set only by ``tests/reliability/conftest.py``, add:

``IFDI_REL_HOLD_FILE``
    The first validation that reaches the end of its write transaction (values, issues and the
    version's result inserted, nothing committed yet) writes its process id to this file and
    waits before committing — until a file of the same name plus ``.release`` appears, or at
    most ``IFDI_REL_HOLD_SECONDS`` — the moment a test kills the process. Later deliveries (the
    file exists) run at full speed.
``IFDI_REL_VISIBILITY_TIMEOUT``
    The Redis visibility timeout in seconds (the product uses 3600): an unacknowledged message of
    a worker that died whole is delivered again after it, to the next worker that starts or
    sweeps.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from celery.signals import worker_process_init

from config.celery import app

__all__ = ["app"]

_visibility = os.environ.get("IFDI_REL_VISIBILITY_TIMEOUT")
if _visibility:
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "visibility_timeout": int(_visibility),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


def _wait_for_release(release: Path, seconds: float) -> None:
    """Hold until ``release`` exists (a test lets the task go on) or the deadline passes,
    looking every 0.1 s: never a fixed sleep."""
    deadline = time.monotonic() + seconds
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.1)


@worker_process_init.connect
def _hold_first_validation(**_: Any) -> None:
    hold = os.environ.get("IFDI_REL_HOLD_FILE")
    if not hold:
        return
    from submissions.services import validation

    seconds = float(os.environ.get("IFDI_REL_HOLD_SECONDS", "30"))
    finish = validation._finish

    def held(version: Any, outcome: Any) -> None:
        finish(version, outcome)
        path = Path(hold)
        try:
            with path.open("x") as marker:  # the first delivery only
                marker.write(str(os.getpid()))
        except FileExistsError:
            return
        _wait_for_release(path.with_name(path.name + ".release"), seconds)

    validation._finish = held

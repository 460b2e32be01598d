"""A real Celery worker for the integration (and browser) tests.

The unit tests run queued tasks eagerly in their own thread (``tests/conftest.py``). These
tests switch eager mode off and start a worker thread consuming the configured broker — Redis
when ``REDIS_URL`` is set, kombu's filesystem transport under ``DATA_DIR/broker`` otherwise — on
the default queue (one per test process, see ``CELERY_TASK_DEFAULT_QUEUE``).

The worker thread has its own database connection, so the tests that use it must be
``@pytest.mark.django_db(transaction=True)``: it only sees committed rows. Its connections are
closed after every task, or PostgreSQL could not drop the test database at the end.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import after_task_publish, task_postrun, task_prerun
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse

from config.celery import app as celery_app
from submissions.models import Submission, Version

T = TypeVar("T")

WAIT_SECONDS = 30.0


def wait_for(probe: Callable[[], T], *, timeout: float = WAIT_SECONDS, interval: float = 0.2,
             what: str = "the worker") -> T:
    """Call ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:.0f} s for {what}")
        time.sleep(interval)


FINAL = {Version.Validation.VALID, Version.Validation.INVALID, Version.Validation.REJECTED}


def upload(client: Any, submission: Submission, content: bytes, name: str = "data.csv"
           ) -> Version:
    """An officer's upload through the page; the version it made."""
    response = client.post(reverse("submissions:upload", args=[submission.pk]),
                           {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    return Version.objects.filter(submission=submission).latest("number")


def validated(version: Version) -> Version:
    """The version once the worker has validated it (whatever the outcome)."""
    def probe() -> Version | None:
        version.refresh_from_db()
        return version if version.validation in FINAL else None

    return wait_for(probe, what=f"the validation of version {version.pk}")


class WorkerGate:
    """Holds the worker at the start of each task while closed: a test can look at a page
    while a version is still waiting for its validation, then let the worker go on."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self.waiting = threading.Event()  # set once a task is held at the gate

    def close(self) -> None:
        self.waiting.clear()
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    def pass_through(self) -> None:
        if not self._open.is_set():
            self.waiting.set()
            self._open.wait(timeout=120)


def _close_thread_connections(**kwargs: Any) -> None:
    # Runs in the worker thread after each task: its connections are its own (thread-local).
    connections.close_all()


@contextmanager
def running_worker(gate: WorkerGate | None = None) -> Iterator[Any]:
    """A worker thread on the configured broker and default queue, eager mode off meanwhile."""
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("task_always_eager", "worker_hijack_root_logger")}
    root = logging.getLogger()
    root_level, root_handlers = root.level, list(root.handlers)
    conf.task_always_eager = False
    conf.worker_hijack_root_logger = False  # leave pytest's log capture alone
    queue = conf.task_default_queue
    task_postrun.connect(_close_thread_connections, weak=False,
                         dispatch_uid="tests.integration.close_connections")

    ran: list[tuple[str, str, str]] = []  # (task name, task id, thread) of each task run

    def hold(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
        ran.append((getattr(task, "name", ""), task_id, threading.current_thread().name))
        if gate is not None:
            gate.pass_through()

    task_prerun.connect(hold, weak=False, dispatch_uid="tests.integration.gate")
    # Messages published (by the test or by a task) and tasks finished: equal when idle.
    counts = {"published": 0, "finished": 0}
    counted = threading.Condition()

    def published(**kwargs: Any) -> None:
        with counted:
            counts["published"] += 1

    def finished(**kwargs: Any) -> None:
        with counted:
            counts["finished"] += 1
            counted.notify_all()

    def wait_idle(timeout: float = WAIT_SECONDS) -> None:
        with counted:
            if not counted.wait_for(lambda: counts["finished"] >= counts["published"],
                                    timeout=timeout):
                pytest.fail(f"the worker was still busy after {timeout:.0f} s: {counts}")

    after_task_publish.connect(published, weak=False, dispatch_uid="tests.integration.sent")
    task_postrun.connect(finished, weak=False, dispatch_uid="tests.integration.done")
    try:
        # Messages left over by an interrupted earlier run would be run against this run's
        # database (the ids start again at 1): start from an empty queue.
        celery_app.control.purge()
        with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False,
                          loglevel="WARNING", queues=[queue], shutdown_timeout=30) as worker:
            worker.tasks_run = ran
            worker.wait_idle = wait_idle
            yield worker
    finally:
        if gate is not None:
            gate.open()
        task_prerun.disconnect(dispatch_uid="tests.integration.gate")
        after_task_publish.disconnect(dispatch_uid="tests.integration.sent")
        task_postrun.disconnect(dispatch_uid="tests.integration.done")
        task_postrun.disconnect(dispatch_uid="tests.integration.close_connections")
        conf.update(saved)
        root.setLevel(root_level)
        root.handlers = root_handlers
        connections.close_all()


@pytest.fixture(scope="module")
def worker_gate() -> WorkerGate:
    return WorkerGate()


@pytest.fixture(scope="module")
def celery_worker_thread(worker_gate: WorkerGate) -> Iterator[Any]:
    """A real worker for the tests of a module (starting and stopping one takes seconds).
    Each transactional test empties the database at its end; the tests wait for the tasks
    they queue, so none is left running on rows that are gone."""
    with running_worker(worker_gate) as worker:
        yield worker


@pytest.fixture(autouse=True)
def _worker_idle_before_the_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test empties the database at its end (TRUNCATE on PostgreSQL). A task
    still running then holds locks the TRUNCATE waits for while it waits for the TRUNCATE's:
    a deadlock, the flush failed and the next test found the rows. Set up after the database
    (so torn down before its flush), this waits until every task published has run."""
    if "celery_worker_thread" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    worker = request.getfixturevalue("celery_worker_thread")
    yield
    worker.wait_idle()

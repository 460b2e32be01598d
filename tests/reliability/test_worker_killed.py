"""A Celery worker killed in the middle of a validation: the task is delivered again and the
version ends validated exactly once.

The validation is held (``tests/reliability/celery_app.py``) at the worst moment: its values,
issues and result are inserted and its transaction is still open. The kill then loses the
transaction (PostgreSQL rolls it back when the connection drops) and the message is still
unacknowledged (``acks_late``):

* only the pool child dies: the worker's main process sees the child lost and, with
  ``reject_on_worker_lost``, hands the message back to the queue at once; a new child runs it;
* the whole worker dies (a machine lost): the message stays in Redis's "unacked" set; after the
  visibility timeout the next worker that starts (or its periodic restore) puts it back;
* on the embedded default (filesystem broker) the message dies with the worker: the periodic
  sweep of stuck validations re-queues the version.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import Stack, Worker, manage, wait_for

pytestmark = pytest.mark.integration

ELEMENTS = 26  # of the 2017 model

# One value that is not a number (an error): the version has an issue, so a second run would
# show as a duplicate.
UPLOAD_WITH_ISSUES = """
values = valid_values("110000")
values[next(iter(values))] = "abc"
version = upload("110000", values)
print(json.dumps(version.pk))
"""


def hold(stack: Stack, tmp_path: Path, **extra: str) -> Path:
    marker = tmp_path / "held.pid"
    stack.extra.update(IFDI_REL_HOLD_FILE=str(marker), IFDI_REL_HOLD_SECONDS="40", **extra)
    return marker


def held_pid(stack: Stack, marker: Path) -> int:
    text = wait_for(lambda: marker.exists() and marker.read_text().strip(), timeout=30,
                    message=lambda: f"the validation to reach its commit\n{stack.worker_logs()}")
    return int(text)


def queue_harmless_task(stack: Stack) -> str:
    """Queue, by its Celery name, a validation of a version that does not exist (a no-op);
    return the task's id."""
    return str(stack.shell("from config.celery import app\n"
                           "print(json.dumps(app.send_task("
                           "'submissions.tasks.validate_version', args=[10**9]).id))"))


def has_run(worker: Worker, task_id: str) -> bool:
    return f"[{task_id}] succeeded" in worker.log.read_text(errors="replace")


def validation_of(stack: Stack, version_id: int) -> str:
    return stack.scalar("SELECT validation FROM submissions_version WHERE id = %s", version_id)


def validated(stack: Stack, version_id: int) -> bool:
    return validation_of(stack, version_id) in ("valid", "invalid", "rejected")


def assert_open_uncommitted(stack: Stack, version_id: int) -> None:
    """Held: nothing visible from outside but the running state (committed when the worker
    started it, so that the officer's page says so), a transaction open in the database."""
    assert validation_of(stack, version_id) == "running"
    assert stack.scalar("SELECT count(*) FROM submissions_value WHERE version_id = %s",
                        version_id) == 0
    assert stack.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                        "AND state = 'idle in transaction'", stack.database) >= 1


def assert_validated_once(stack: Stack, version_id: int) -> None:
    validation, errors, warnings = stack.query(
        "SELECT validation, error_count, warning_count FROM submissions_version WHERE id = %s",
        version_id)[0]
    assert (validation, errors) == ("invalid", 1)
    assert stack.scalar("SELECT count(*) FROM submissions_value WHERE version_id = %s",
                        version_id) == ELEMENTS
    issues, distinct = stack.query(
        "SELECT count(*), count(DISTINCT (element_code, rule_code, sheet, row, \"column\")) "
        "FROM submissions_validationissue WHERE version_id = %s", version_id)[0]
    assert issues == distinct == errors + warnings
    assert stack.scalar(
        "SELECT count(*) FROM audit_auditentry WHERE action = 'version.validate' "
        "AND object_type = 'submissions.version' AND object_id = %s", str(version_id)) == 1
    assert "audit log intact" in manage(stack.env, "verify_audit").stdout


def test_a_killed_pool_child_has_its_task_run_again(redis_stack: Stack, tmp_path: Path) -> None:
    stack = redis_stack
    marker = hold(stack, tmp_path)
    worker = stack.worker(concurrency=1, wait=False)
    version_id = stack.shell(UPLOAD_WITH_ISSUES)  # queued while the worker starts
    worker.wait_ready()

    child = held_pid(stack, marker)
    assert child != worker.pid
    assert_open_uncommitted(stack, version_id)
    killed_at = time.monotonic()
    os.kill(child, signal.SIGKILL)

    wait_for(lambda: validated(stack, version_id), timeout=30,
             message=lambda: f"the validation to run again\n{stack.worker_logs()}")
    elapsed = time.monotonic() - killed_at
    assert_validated_once(stack, version_id)
    log = worker.log.read_text(errors="replace")
    assert "WorkerLostError" in log or "signal 9" in log, log[-3000:]
    assert worker.proc is not None and worker.proc.poll() is None  # the main process lived on
    print(f"\n[worker-killed/child] validated {elapsed:.1f} s after the SIGKILL of the child")


def test_a_worker_killed_whole_has_its_task_delivered_to_a_new_worker(
        redis_stack: Stack, tmp_path: Path) -> None:
    import redis

    stack = redis_stack
    visibility = 10  # longer than it takes to reach the hold and kill (the worker restores its own)
    marker = hold(stack, tmp_path, IFDI_REL_VISIBILITY_TIMEOUT=str(visibility))
    first = stack.worker(concurrency=1, wait=False)
    version_id = stack.shell(UPLOAD_WITH_ISSUES)
    first.wait_ready()

    held_pid(stack, marker)
    assert_open_uncommitted(stack, version_id)
    killed_at = time.monotonic()
    first.kill()  # the main process, then its pool child

    second = stack.worker(concurrency=1, wait=False)  # starting takes longer than the timeout
    broker = redis.Redis.from_url(stack.redis_url)
    assert broker.hlen("unacked") == 1  # not lost: delivered, never acknowledged
    assert broker.llen(stack.queue) == 0
    assert validation_of(stack, version_id) == "running"  # the transaction was rolled back
    assert stack.scalar("SELECT count(*) FROM submissions_value WHERE version_id = %s",
                        version_id) == 0

    second.wait_ready()
    wait_for(lambda: validated(stack, version_id), timeout=visibility + 30,
             message=lambda: f"the new worker to run the task\n{stack.worker_logs()}")
    elapsed = time.monotonic() - killed_at
    assert_validated_once(stack, version_id)
    assert broker.hlen("unacked") == 0
    print(f"\n[worker-killed/whole] validated {elapsed:.1f} s after the SIGKILL of the worker "
          f"(visibility timeout {visibility} s)")


def test_on_the_embedded_default_the_sweep_recovers_the_task_of_a_worker_killed_whole(
        stack: Stack, tmp_path: Path) -> None:
    """Kombu's filesystem transport deletes a message's file when it hands the message out, so a
    worker killed whole takes the message with it: nothing comes back by itself, and the
    periodic sweep (here run once, 1 s instead of its periods) re-queues the version."""
    marker = hold(stack, tmp_path)
    first = stack.worker(concurrency=1, wait=False)
    version_id = stack.shell(UPLOAD_WITH_ISSUES)
    first.wait_ready()

    held_pid(stack, marker)
    assert_open_uncommitted(stack, version_id)
    killed_at = time.monotonic()
    first.kill()
    assert not list((stack.data_dir / "broker" / "in").iterdir())  # the message is gone

    second = stack.worker(concurrency=1)
    # Nobody will deliver it again: a task queued after it is run, and the version is still
    # pending (the queue is read in order, so the lost message would have come first).
    task_id = queue_harmless_task(stack)
    wait_for(lambda: has_run(second, task_id), timeout=30,
             message=lambda: f"the new worker to run a task\n{stack.worker_logs()}")
    assert validation_of(stack, version_id) == "running"  # and its worker is gone
    swept, _ = stack.shell(
        "print(json.dumps(validation.validation_requeue_stuck(older_than_seconds=1)))")
    assert swept == [version_id]
    wait_for(lambda: validated(stack, version_id), timeout=30,
             message=lambda: f"the swept task to run\n{stack.worker_logs()}")
    elapsed = time.monotonic() - killed_at
    assert_validated_once(stack, version_id)
    print(f"\n[worker-killed/embedded] lost with the worker; validated {elapsed:.1f} s after the "
          "SIGKILL, once the sweep re-queued it")


def test_a_worker_killed_whole_is_recovered_by_the_sweep_within_two_minutes(
        redis_stack: Stack, tmp_path: Path) -> None:
    """With the production settings (a visibility timeout of an hour), the message of a worker
    killed whole stays in Redis's unacked set; the beat's sweep (every 30 s) finds the version
    "running" past its hard time limit (VALIDATION_TIME_LIMIT, 60 s) and re-queues it."""
    stack = redis_stack
    marker = hold(stack, tmp_path)
    first = stack.worker(concurrency=1, wait=False)
    version_id = stack.shell(UPLOAD_WITH_ISSUES)
    first.wait_ready()
    held_pid(stack, marker)
    assert_open_uncommitted(stack, version_id)
    killed_at = time.monotonic()
    first.kill()
    stack.worker(concurrency=1)  # the supervisor starts it again
    stack.beat()
    wait_for(lambda: validated(stack, version_id), timeout=150,
             message=lambda: f"the sweep to recover the version\n{stack.worker_logs()}")
    elapsed = time.monotonic() - killed_at
    assert_validated_once(stack, version_id)
    assert elapsed < 120, f"recovered after {elapsed:.0f} s"
    print(f"\n[worker-killed/sweep] validated {elapsed:.1f} s after the SIGKILL of the worker "
          "(production settings: the beat's sweep re-queued it)")

"""The broker restarts with messages in it: what it held is lost, the periodic sweep recovers it.

100 uploads are queued on a private Redis without persistence; once the workers are consuming,
the Redis is killed and started again, empty. Validation messages still queued (and those the
workers held unacknowledged) are gone; the versions stay "pending" in the database, which is
what the sweep (``sweep-stuck-validations``, every 30 s under celery beat) looks for. A real
beat runs it here, with the production settings (re-queued 60 s after they were queued). Every
version must end validated, exactly once, and the worker must live on.

During the outage an officer also uploads a file through the upload view: it must answer as
usual (the redirect to the submission page, not a 500), store the version, and that version too
must end validated once the sweep re-queues it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import PrivateRedis, Stack, wait_for

pytestmark = pytest.mark.integration

UPLOADS = 100

QUEUE_UPLOADS = f"""
codes = list(Region.objects.filter(ranked=True).order_by("code").values_list("code", flat=True))
ids = [upload(codes[i % len(codes)]).pk for i in range({UPLOADS})]
print(json.dumps(ids))
"""

# The upload view while the broker is down (Django's test client inside the platform's process).
UPLOAD_THROUGH_THE_VIEW = """
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
submission = Submission.objects.get(cycle=open_cycle(), region__code="310000")
before = set(submission.versions.values_list("pk", flat=True))
client = Client(raise_request_exception=False, HTTP_HOST="localhost")
client.force_login(officer("310000"), backend="django.contrib.auth.backends.ModelBackend")
upload_file = SimpleUploadedFile("310000.csv", template_csv(valid_values("310000")))
started = time.monotonic()
response = client.post(f"/submissions/{submission.pk}/upload/", {"file": upload_file})
seconds = time.monotonic() - started
after = set(submission.versions.values_list("pk", flat=True))
print(json.dumps({"status": response.status_code, "seconds": seconds,
                  "stored": sorted(after - before)}))
"""


def validated(stack: Stack) -> int:
    return stack.scalar("SELECT count(*) FROM submissions_version "
                        "WHERE validation IN ('valid', 'invalid', 'rejected')")


def swept(stack: Stack) -> int:
    """How many versions the beat's sweeps re-queued (their log lines, in the worker's log)."""
    logs = "".join(w.log.read_text(errors="replace") for w in stack.workers)
    return sum(int(n) for n in re.findall(r"re-queued (\d+) stuck version", logs))


def test_versions_lost_with_the_broker_are_recovered_by_the_sweep(
        redis_stack: Stack, private_redis: PrivateRedis, tmp_path: Path) -> None:
    stack = redis_stack
    ids = stack.shell(QUEUE_UPLOADS)  # all queued before a worker consumes
    assert len(ids) == UPLOADS
    worker = stack.worker(concurrency=2)
    stack.beat()  # the production schedule: the sweep every 30 s
    wait_for(lambda: validated(stack) >= 10, timeout=60,
             message=lambda: f"the worker to consume\n{stack.worker_logs()}")

    go = tmp_path / "go"
    officer_upload = stack.shell_when(go, UPLOAD_THROUGH_THE_VIEW)
    private_redis.stop()  # SIGKILL: nothing persisted, every message in it lost
    stopped_at = time.monotonic()
    at_stop = validated(stack)
    go.touch()
    during = stack.finish(officer_upload)
    private_redis.start()
    back_at = time.monotonic()
    assert during["status"] == 302, during  # stored; queueing is left to the sweep
    assert len(during["stored"]) == 1, during
    outage = back_at - stopped_at
    assert at_stop < UPLOADS, "the broker died too late: every message had been delivered"

    # The worker reconnects by itself (it retries after 2, 4, 6, ... s), and a task it was
    # running when Redis died acknowledges on the closed channel without killing it
    # (config/celery.py; test_ack_after_reconnect.py). The beat's sweep re-queues the versions
    # whose messages were lost, VALIDATION_STUCK_AFTER_SECONDS (60 s) after they were queued.
    everything = [*ids, *during["stored"]]
    first_swept = wait_for(lambda: swept(stack) and time.monotonic(), timeout=120,
                           message=lambda: f"a sweep to re-queue\n{stack.worker_logs()}")
    wait_for(lambda: validated(stack) == len(everything), timeout=180,
             message=lambda: f"every version validated ({validated(stack)}/{len(everything)})"
                             f"\n{stack.worker_logs()}")
    done_at = time.monotonic()
    assert worker.proc is not None and worker.proc.poll() is None  # the worker lived on
    assert "AttributeError" not in worker.log.read_text(errors="replace")

    pending = stack.query("SELECT id FROM submissions_version "
                          "WHERE validation NOT IN ('valid', 'invalid', 'rejected')")
    assert not pending
    # Exactly once: one result entry and one set of values per version.
    per_version = dict(stack.query(
        "SELECT object_id, count(*) FROM audit_auditentry WHERE action = 'version.validate' "
        "GROUP BY object_id"))
    assert {int(k) for k in per_version} == set(everything)
    assert set(per_version.values()) == {1}
    value_counts = {n for (n,) in stack.query(
        "SELECT count(*) FROM submissions_value GROUP BY version_id")}
    assert value_counts == {26}
    print(f"\n[broker-restart] {UPLOADS} uploads: {at_stop} validated when Redis was killed "
          f"(down {outage:.1f} s); {swept(stack)} re-queued by the beat's sweep, the first "
          f"{first_swept - back_at:.0f} s after Redis came back; all {len(everything)} "
          f"validated {done_at - back_at:.0f} s after it came back; the upload view answered "
          f"{during['status']} in {during['seconds']:.1f} s during the outage")

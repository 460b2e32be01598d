"""The broker restarts with messages in it: what it held is lost, the periodic sweep recovers it.

100 uploads are queued on a private Redis without persistence; once the workers are consuming,
the Redis is killed and started again, empty. Validation messages still queued (and those the
workers held unacknowledged) are gone; the versions stay "pending" in the database, which is
what ``sweep_stuck`` (every minute under celery beat, ``sweep-stuck-validations``) looks for.
Here the sweep runs once by hand with a 1 s age instead of the production 600 s. Every version
must end validated, exactly once.

During the outage an officer also uploads a file through the upload view: it must answer as
usual (the redirect to the submission page, not a 500), store the version, and that version too
must end validated once the sweep re-queues it.
"""

from __future__ import annotations

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


def settled(stack: Stack, *, quiet: float = 3.0, timeout: float = 60.0) -> int:
    """The validated count once it has not moved for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    last, since = validated(stack), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = validated(stack)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    raise AssertionError(f"validations still moving after {timeout:.0f} s")


def test_versions_lost_with_the_broker_are_recovered_by_the_sweep(
        redis_stack: Stack, private_redis: PrivateRedis, tmp_path: Path) -> None:
    stack = redis_stack
    ids = stack.shell(QUEUE_UPLOADS)  # all queued before a worker consumes
    assert len(ids) == UPLOADS
    worker = stack.worker(concurrency=2)
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
    assert during["status"] == 302, during  # stored; queueing is left to the sweep
    assert len(during["stored"]) == 1, during
    outage = time.monotonic() - stopped_at

    # The worker reconnects by itself (it retries after 2, 4, 6, ... s).
    wait_for(lambda: worker.log.read_text(errors="replace").count("Connected to redis") >= 2,
             timeout=60, message=lambda: f"the worker to reconnect\n{stack.worker_logs()}")
    normal = settled(stack)
    assert normal < UPLOADS, "the broker died too late: every message had been delivered"

    swept_versions, _swept_submissions = stack.shell(
        "print(json.dumps(validation.validation_requeue_stuck(older_than_seconds=1)))")
    everything = [*ids, *during["stored"]]
    wait_for(lambda: validated(stack) == len(everything), timeout=120,
             message=lambda: f"every version validated ({validated(stack)}/{len(everything)})"
                             f"\n{stack.worker_logs()}")

    pending = set(stack.query("SELECT id FROM submissions_version "
                              "WHERE validation IN ('pending', 'running')"))
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
    # Every version the workers had not validated was swept (a task still held in a worker's
    # memory when Redis died may have run after the count: then it is counted twice, and its
    # second run did nothing, as the audit count above shows).
    assert set(swept_versions) <= set(everything)
    assert normal + len(swept_versions) >= len(everything)
    print(f"\n[broker-restart] {UPLOADS} uploads: {at_stop} validated when Redis was killed "
          f"(down {outage:.1f} s), "
          f"{normal} delivered normally, {len(swept_versions)} recovered by the sweep "
          f"(including {len(during['stored'])} stored during the outage); the upload view "
          f"answered {during['status']} in {during['seconds']:.1f} s during the outage")

"""The broker or the cache unreachable: requests still answer; the sweep re-queues later."""

from __future__ import annotations

from unittest import mock

from kombu.exceptions import OperationalError as BrokerError

from common.tasks import enqueue
from submissions.models import Version
from submissions.services.progress import progress_get
from submissions.services.versions import version_create_from_upload
from tests.submissions.helpers import template_csv, valid_values


def test_it_stores_the_upload_when_the_broker_is_away(
        bj_submission, officer_bj, django_capture_on_commit_callbacks):
    with mock.patch("submissions.tasks.validate_version.delay",
                    side_effect=BrokerError("Error 111 connecting to 127.0.0.1:6379")), \
            django_capture_on_commit_callbacks(execute=True):
        version = version_create_from_upload(submission=bj_submission,
                                             content=template_csv(valid_values()),
                                             filename="d.csv", actor=officer_bj)
    version.refresh_from_db()
    assert version.validation == Version.Validation.PENDING  # for the sweep to re-queue


def test_it_logs_what_it_could_not_queue(caplog):
    task = mock.Mock(name="task")
    task.name = "submissions.tasks.validate_version"
    task.delay.side_effect = ConnectionRefusedError("refused")
    enqueue(task, 7)
    assert "not queued now" in caplog.text


def test_it_reads_no_progress_when_the_cache_is_away(bootstrapped):
    with mock.patch("submissions.services.progress.cache.get", side_effect=ConnectionError("down")):
        assert progress_get(version_id=1) is None

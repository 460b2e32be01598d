"""Validation and submission checks run by a real Celery worker on the configured broker.

Run in both configurations (see README): with ``REDIS_URL`` (and PostgreSQL), and with neither
(SQLite file database, kombu's filesystem transport under ``DATA_DIR/broker``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from celery.result import AsyncResult, EagerResult
from django.conf import settings
from django.urls import reverse

from config.celery import app as celery_app
from submissions.models import Submission, Transition, ValidationIssue, Version
from submissions.services.progress import progress_get
from submissions.tasks import check_submission, notify_decision_task, validate_version
from tests.integration.conftest import upload, validated, wait_for
from tests.submissions.helpers import template_csv, valid_values

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]



def test_the_worker_validates_an_officers_upload(celery_worker_thread, bj_client,
                                                 bj_submission):
    version = upload(bj_client, bj_submission, template_csv(valid_values()))
    validated(version)
    assert version.validation == Version.Validation.VALID, list(
        version.issues.values_list("rule_code", "message_zh"))
    assert version.values.count() == 26
    assert version.error_count == 0
    assert progress_get(version_id=version.pk) == {"percent": 100, "stage": "done"}
    bj_submission.refresh_from_db()
    assert bj_submission.current_version_id == version.pk
    assert bj_submission.state == Submission.State.DRAFT


def test_the_worker_stores_the_error_of_an_invalid_upload(celery_worker_thread, bj_client,
                                                          bj_submission):
    values = {**valid_values(), "E102": "150"}
    version = upload(bj_client, bj_submission, template_csv(values))
    validated(version)
    assert version.validation == Version.Validation.INVALID
    assert version.error_count == 1
    issue = ValidationIssue.objects.get(version=version)
    assert (issue.element_code, issue.severity, issue.rule_code) == ("E102", "error",
                                                                     "ABOVE_MAX")
    assert "150" in issue.message_zh
    assert progress_get(version_id=version.pk) == {"percent": 100, "stage": "done"}
    page = bj_client.get(reverse("submissions:detail", args=[bj_submission.pk])).content.decode()
    assert 'data-rule="ABOVE_MAX"' in page


def test_the_worker_moves_a_submitted_submission_to_awaiting_review(
        celery_worker_thread, bj_client, bj_submission):
    version = upload(bj_client, bj_submission, template_csv(valid_values()))
    assert validated(version).validation == Version.Validation.VALID
    response = bj_client.post(reverse("submissions:submit", args=[bj_submission.pk]))
    assert response.status_code == 302

    def probe() -> bool:
        bj_submission.refresh_from_db()
        return bj_submission.state == Submission.State.AWAITING_REVIEW

    wait_for(probe, what="the submission check")
    steps = list(Transition.objects.filter(submission=bj_submission)
                 .order_by("created_at", "id").values_list("from_state", "to_state", "actor"))
    assert [(a, b) for a, b, _ in steps] == [("draft", "submitted"),
                                             ("submitted", "validating"),
                                             ("validating", "awaiting_review")]
    assert [actor for *_, actor in steps][1:] == [None, None]  # the worker's own steps


def test_the_worker_consumes_the_configured_broker(celery_worker_thread, bj_client,
                                                   bj_submission):
    expected = "redis://" if os.environ.get("REDIS_URL") else "filesystem://"
    assert settings.CELERY_BROKER_URL.startswith(expected)
    assert str(celery_app.conf.broker_url).startswith(expected)
    assert celery_worker_thread.consumer.connection.as_uri().startswith(expected)
    assert celery_app.conf.task_always_eager is False
    assert celery_worker_thread.consumer.task_consumer.queues[0].name == (
        celery_app.conf.task_default_queue)

    version = upload(bj_client, bj_submission, template_csv(valid_values()))
    validated(version)
    # Queued by hand, the message goes through the broker to the worker thread; the task is
    # idempotent.
    result = validate_version.delay(version.pk)
    assert isinstance(result, AsyncResult) and not isinstance(result, EagerResult)
    runs = wait_for(lambda: [r for r in celery_worker_thread.tasks_run if r[1] == result.id],
                    what="the worker to take the message")
    assert runs[0][0] == "submissions.tasks.validate_version"
    assert runs[0][2] != threading.current_thread().name
    version.refresh_from_db()
    assert version.validation == Version.Validation.VALID


def test_stale_messages_for_missing_rows_are_harmless(celery_worker_thread, bj_client,
                                                      bj_submission):
    # Messages of another test database (a test's rows are gone when the next one starts).
    missing = 10**9
    validate_version.delay(missing)
    check_submission.delay(missing)
    notify_decision_task.delay(missing)
    version = upload(bj_client, bj_submission, template_csv(valid_values()))
    assert validated(version).validation == Version.Validation.VALID
    assert celery_worker_thread.consumer.connection is not None  # still consuming


def test_broker_files_stay_under_data_dir():
    # Without "control_folder", kombu writes the exchange tables to ./control, relative to
    # the working directory of every process that publishes a task.
    if os.environ.get("REDIS_URL"):
        pytest.skip("only the filesystem transport keeps files")
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    folders = [options.get(name) for name in ("data_folder_in", "data_folder_out",
                                              "processed_folder", "control_folder")]
    assert all(folder and Path(folder).is_relative_to(settings.DATA_DIR) for folder in folders)

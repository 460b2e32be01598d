"""The validation task in a worker (issue 16, point 9): transient errors retried with backoff
instead of acknowledged and lost, the running state recorded when a worker starts, and an
always-failing validation given up after ``VALIDATION_MAX_ATTEMPTS`` and marked for an
operator."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.db import OperationalError

from audit.models import AuditEntry
from config.celery import app as celery_app
from submissions.models import Version
from submissions.services import validation
from submissions.services.versions import version_create_from_upload
from submissions.tasks import validate_version
from tests.submissions.helpers import template_csv, valid_values


@pytest.fixture
def version(bj_submission, officer_bj, monkeypatch):
    """A version stored but not validated (its queued task is kept from running)."""
    monkeypatch.setattr(validate_version, "delay", lambda *args: None)
    return version_create_from_upload(submission=bj_submission,
                                      content=template_csv(valid_values()), filename="d.csv",
                                      actor=officer_bj)


def test_it_records_the_running_state_when_a_worker_starts(version, monkeypatch):
    assert version.validation == Version.Validation.PENDING
    assert version.validation_queued_at is not None
    seen = []
    run_rules = validation._run_rules

    def spy(*args, **kwargs):
        seen.append(Version.objects.values_list(
            "validation", "validation_attempts", "validation_started_at").get(pk=version.pk))
        return run_rules(*args, **kwargs)

    monkeypatch.setattr(validation, "_run_rules", spy)
    validate_version.apply(args=[version.pk])
    state, attempts, started = seen[0]
    assert state == Version.Validation.RUNNING and attempts == 1 and started is not None
    version.refresh_from_db()
    assert version.validation == Version.Validation.VALID


@pytest.mark.parametrize("error", [
    OperationalError("connection failed: connection to server at \"127.0.0.1\" refused"),
    OperationalError("server closed the connection unexpectedly"),
])
def test_a_transient_database_error_is_retried_not_lost(version, monkeypatch, error):
    calls = []
    store = validation._results_store

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) <= 2:
            raise error
        return store(*args, **kwargs)

    monkeypatch.setattr(validation, "_results_store", flaky)
    # Run eagerly as a worker would: a retry is applied again (at once), not raised.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    validate_version.apply(args=[version.pk])
    assert len(calls) == 3
    version.refresh_from_db()
    assert version.validation == Version.Validation.VALID


def test_the_task_retries_with_backoff_on_transient_errors_only():
    assert validate_version.retry_backoff and validate_version.max_retries >= 5
    assert OperationalError in validate_version.autoretry_for
    assert ValueError not in validate_version.autoretry_for
    assert validate_version.acks_late and validate_version.reject_on_worker_lost


def test_a_validation_that_always_fails_is_given_up_and_marked_for_an_operator(
        version, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in a rule")

    monkeypatch.setattr(validation, "_run_rules", broken)
    requeued = []
    monkeypatch.setattr(validate_version, "delay", requeued.append)
    for attempt in range(1, settings.VALIDATION_MAX_ATTEMPTS + 1):
        with pytest.raises(RuntimeError):
            validation.version_validate(version_id=version.pk)
        if attempt < settings.VALIDATION_MAX_ATTEMPTS:
            validation.validation_requeue_stuck(older_than_seconds=0)
    assert len(requeued) == settings.VALIDATION_MAX_ATTEMPTS - 1
    with caplog.at_level(logging.ERROR):
        validation.validation_requeue_stuck(older_than_seconds=0)
    version.refresh_from_db()
    assert version.validation == Version.Validation.FAILED
    assert version.validation_attempts == settings.VALIDATION_MAX_ATTEMPTS
    assert any("gave up" in r.getMessage() for r in caplog.records)
    assert AuditEntry.objects.filter(action="version.validation_failed",
                                     object_id=str(version.pk)).count() == 1
    requeued.clear()
    validation.validation_requeue_stuck(older_than_seconds=0)
    assert requeued == []  # never again, until an operator re-queues it
    assert validation.version_validate(version_id=version.pk).validation == "failed"


def test_a_redelivered_task_past_its_attempts_gives_up_itself(version, monkeypatch):
    """A task killed by its hard time limit is redelivered by the broker (reject on worker
    lost), without the sweep: the attempts are counted at each start all the same."""
    Version.objects.filter(pk=version.pk).update(
        validation=Version.Validation.RUNNING,
        validation_attempts=settings.VALIDATION_MAX_ATTEMPTS)
    validate_version.apply(args=[version.pk])
    version.refresh_from_db()
    assert version.validation == Version.Validation.FAILED


def test_an_operator_requeues_a_failed_validation(version, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    Version.objects.filter(pk=version.pk).update(validation=Version.Validation.FAILED,
                                                 validation_attempts=5)
    queued = []
    monkeypatch.setattr(validate_version, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        assert validation.validation_retry_failed(version_ids=[version.pk]) == [version.pk]
    version.refresh_from_db()
    assert version.validation == Version.Validation.PENDING
    assert version.validation_attempts == 0 and queued == [version.pk]

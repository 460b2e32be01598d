"""`retry_validations`: the validations the sweep gave up on, listed and re-queued."""

from __future__ import annotations

import io

from django.core.management import call_command

from audit.models import AuditEntry
from submissions.models import Version
from submissions.services.versions import version_create_from_upload
from submissions.tasks import validate_version
from tests.submissions.helpers import template_csv, valid_values


def _failed(submission, officer, monkeypatch) -> Version:
    monkeypatch.setattr(validate_version, "delay", lambda *args: None)
    version = version_create_from_upload(submission=submission,
                                         content=template_csv(valid_values()),
                                         filename="d.csv", actor=officer)
    Version.objects.filter(pk=version.pk).update(validation=Version.Validation.FAILED,
                                                 validation_attempts=5)
    return version


def test_it_lists_the_failed_validations(bj_submission, officer_bj, monkeypatch):
    version = _failed(bj_submission, officer_bj, monkeypatch)
    out = io.StringIO()
    call_command("retry_validations", stdout=out)
    assert f"{version.pk}\t" in out.getvalue() and "1 failed validation(s)" in out.getvalue()


def test_it_requeues_one_and_records_who(bj_submission, officer_bj, monkeypatch,
                                         django_capture_on_commit_callbacks):
    version = _failed(bj_submission, officer_bj, monkeypatch)
    monkeypatch.undo()  # the task runs (eagerly in tests) once re-queued
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retry_validations", "--id", str(version.pk), stdout=out)
    assert f"re-queued 1 validation(s): {version.pk}" in out.getvalue()
    version.refresh_from_db()
    assert version.validation == Version.Validation.VALID
    entry = AuditEntry.objects.get(action="version.validation_retry")
    assert entry.actor_name == "operator"

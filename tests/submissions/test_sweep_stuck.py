from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from submissions.models import Submission, Version
from submissions.services.validation import validation_requeue_stuck
from submissions.services.versions import version_create_from_upload
from tests.submissions.helpers import template_csv, valid_values


def test_it_requeues_versions_and_submissions_left_behind(bj_submission, officer_bj):
    version = version_create_from_upload(submission=bj_submission,
                                         content=template_csv(valid_values()),
                                         filename="d.csv", actor=officer_bj)
    long_ago = timezone.now() - timedelta(hours=1)
    Version.objects.filter(pk=version.pk).update(created_at=long_ago)
    Submission.objects.filter(pk=bj_submission.pk).update(
        state=Submission.State.SUBMITTED, updated_at=long_ago, current_version=version)
    with mock.patch("submissions.tasks.check_submission.delay") as check:
        versions, submissions = validation_requeue_stuck(older_than_seconds=600)
    assert versions == [version.pk] and submissions == [bj_submission.pk]
    version.refresh_from_db()
    assert version.validation == Version.Validation.VALID  # eager in tests: validated now
    check.assert_called_once_with(bj_submission.pk)


def test_it_leaves_recent_work_alone(bj_submission, officer_bj):
    version_create_from_upload(submission=bj_submission, content=template_csv(valid_values()),
                               filename="d.csv", actor=officer_bj)
    with mock.patch("submissions.tasks.validate_version.delay") as validate:
        assert validation_requeue_stuck(older_than_seconds=600) == ([], [])
    validate.assert_not_called()

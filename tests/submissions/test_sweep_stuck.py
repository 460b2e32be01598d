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
    Version.objects.filter(pk=version.pk).update(created_at=long_ago,
                                                 validation_queued_at=long_ago)
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


def test_it_requeues_a_version_once_per_period_not_at_every_sweep(bj_submission, officer_bj):
    """A pending version's message may still be queued behind others: it is queued again only
    once it has waited the whole period since it was last queued (no multiplied queue)."""
    version = version_create_from_upload(submission=bj_submission,
                                         content=template_csv(valid_values()),
                                         filename="d.csv", actor=officer_bj)
    Version.objects.filter(pk=version.pk).update(
        validation=Version.Validation.PENDING,
        validation_queued_at=timezone.now() - timedelta(minutes=5))
    with mock.patch("submissions.tasks.validate_version.delay") as validate:
        assert validation_requeue_stuck(older_than_seconds=60)[0] == [version.pk]
        assert validation_requeue_stuck(older_than_seconds=60)[0] == []
    assert validate.call_count == 1


def test_it_takes_zero_seconds_as_zero(bj_submission, officer_bj):
    version = version_create_from_upload(submission=bj_submission,
                                         content=template_csv(valid_values()),
                                         filename="d.csv", actor=officer_bj)
    Version.objects.filter(pk=version.pk).update(validation=Version.Validation.PENDING)
    with mock.patch("submissions.tasks.validate_version.delay"):
        assert validation_requeue_stuck(older_than_seconds=0)[0] == [version.pk]


def test_a_running_validation_is_left_alone_within_its_time_limit(bj_submission, officer_bj,
                                                                   settings):
    version = version_create_from_upload(submission=bj_submission,
                                         content=template_csv(valid_values()),
                                         filename="d.csv", actor=officer_bj)
    started = timezone.now() - timedelta(seconds=settings.VALIDATION_TIME_LIMIT - 10)
    Version.objects.filter(pk=version.pk).update(validation=Version.Validation.RUNNING,
                                                 validation_started_at=started)
    with mock.patch("submissions.tasks.validate_version.delay") as validate:
        assert validation_requeue_stuck()[0] == []
        Version.objects.filter(pk=version.pk).update(
            validation_started_at=started - timedelta(seconds=30))
        assert validation_requeue_stuck()[0] == [version.pk]  # lost with its worker
    validate.assert_called_once_with(version.pk)


def test_the_sweep_runs_every_thirty_seconds():
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-validations"]["schedule"]
    assert schedule <= 30
    # Recovery of a lost validation: its period plus the sweep's, under two minutes.
    assert settings.VALIDATION_STUCK_AFTER_SECONDS + schedule + 5 < 120
    assert settings.VALIDATION_TIME_LIMIT + schedule + 5 < 120

"""Celery tasks: an id in, one service call. Services queue them by these names
(``common.tasks.enqueue_on_commit``) and never import this module."""

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.models import User
from submissions.bulk import bulk_import
from submissions.services.notifications import (
    cycle_open_notify,
    deadline_remind,
    decision_notify,
    review_digest,
)
from submissions.services.review import submission_check
from submissions.services.validation import validation_requeue_stuck, version_validate

# A database or broker that is away for a moment (a restart, a failover) fails the task with
# one of these: retried with a growing delay (2, 4, 8, 16, then every 30 s, jittered: about
# five minutes in all) instead of acknowledged and lost; the sweep covers what is left.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError, RedisConnectionError)


@shared_task(name="submissions.tasks.validate_version", acks_late=True,
             reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=2,
             retry_backoff_max=30, retry_jitter=True, max_retries=12,
             soft_time_limit=settings.VALIDATION_TIME_LIMIT - 10,
             time_limit=settings.VALIDATION_TIME_LIMIT)
def validate_version(version_id: int) -> None:
    version_validate(version_id=version_id)


@shared_task(name="submissions.tasks.check_submission", acks_late=True,
             reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def check_submission(submission_id: int) -> None:
    submission_check(submission_id=submission_id)


@shared_task(name="submissions.tasks.bulk_import_file", acks_late=True,
             reject_on_worker_lost=True, soft_time_limit=1800, time_limit=1900)
def bulk_import_file(path: str, filename: str, year: int, actor_id: int, approve: bool,
                     late_reason: str = "") -> None:
    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    bulk_import(content=content, filename=filename, year=year,
                actor=User.objects.get(pk=actor_id), approve=approve, late_reason=late_reason)


@shared_task(name="submissions.tasks.notify_decision_task", acks_late=True,
             reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def notify_decision_task(submission_id: int) -> None:
    decision_notify(submission_id=submission_id)


@shared_task(name="submissions.tasks.notify_cycle_open_task", acks_late=True,
             reject_on_worker_lost=True, soft_time_limit=120, time_limit=150)
def notify_cycle_open_task(cycle_id: int) -> None:
    cycle_open_notify(cycle_id=cycle_id)


@shared_task(name="submissions.tasks.review_digest_task", soft_time_limit=120, time_limit=150)
def review_digest_task() -> int:
    return review_digest()


@shared_task(name="submissions.tasks.remind_deadlines_task", soft_time_limit=300,
             time_limit=360)
def remind_deadlines_task() -> int:
    return deadline_remind()


@shared_task(name="submissions.tasks.sweep_stuck_task", soft_time_limit=25, time_limit=29)
def sweep_stuck_task() -> None:
    validation_requeue_stuck()

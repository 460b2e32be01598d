"""Celery tasks: an id in, one service call. Queued with ``transaction.on_commit``."""

from celery import shared_task

from submissions import services


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=240, time_limit=300)
def validate_version(version_id: int) -> None:
    services.version_validate(version_id=version_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def check_submission(submission_id: int) -> None:
    services.submission_check(submission_id=submission_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=1800, time_limit=1900)
def bulk_import_file(path: str, filename: str, year: int, actor_id: int, approve: bool) -> None:
    from django.core.files.storage import default_storage

    from accounts.models import User
    from submissions.bulk import bulk_import

    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    bulk_import(content=content, filename=filename, year=year,
                actor=User.objects.get(pk=actor_id), approve=approve)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def notify_decision_task(submission_id: int) -> None:
    services.notify_decision(submission_id=submission_id)


@shared_task(soft_time_limit=300, time_limit=360)
def remind_deadlines_task() -> int:
    return services.remind_deadlines()


@shared_task(soft_time_limit=120, time_limit=150)
def sweep_stuck_task() -> None:
    services.sweep_stuck()

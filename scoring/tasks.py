"""Celery tasks: an id in, one service call."""

from celery import shared_task

from scoring import services


@shared_task(name="scoring.tasks.score_cycle", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=600, time_limit=660)
def score_cycle(cycle_id: int, actor_id: int) -> None:
    from accounts.models import User
    from submissions.models import Cycle

    services.run_create(cycle=Cycle.objects.get(pk=cycle_id),
                        actor=User.objects.get(pk=actor_id))

"""The Celery application. Tasks live in each app's ``tasks.py``; their settings are the
``CELERY_*`` names of ``config.settings``."""

import os
from typing import Any

from celery import Celery, bootsteps
from celery.signals import before_task_publish, worker_init

from config.broker import install as install_broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
install_broker()  # filesystem:// writes each message whole (config/broker.py)

app = Celery("ifdi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@before_task_publish.connect
def _make_broker_folders(**kwargs: Any) -> None:
    """On the embedded default, kombu's filesystem transport lists and writes its folders
    without making them: make them when a worker starts and before a task is published (not
    when the settings are imported). Two ``mkdir`` calls that find the folder: nothing next to
    writing the message's file."""
    from config.folders import broker_folders, ensure_folders

    ensure_folders(broker_folders())


class HeartbeatStep(bootsteps.StartStopStep):
    """Every worker records a heartbeat while it runs (``common/heartbeat.py``): the readiness
    probe turns unhealthy when no worker has beaten for READYZ_WORKER_MAX_AGE seconds."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None

    def start(self, worker: Any) -> None:
        from common.heartbeat import HEARTBEAT_SECONDS, heartbeat

        heartbeat()
        self.tref = worker.timer.call_repeatedly(HEARTBEAT_SECONDS, heartbeat, priority=10)

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()


app.steps["worker"].add(HeartbeatStep)

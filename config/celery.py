"""The Celery application. Tasks live in each app's ``tasks.py``; their settings are the
``CELERY_*`` names of ``config.settings``."""

import os
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

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

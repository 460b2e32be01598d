"""The Celery application. Tasks live in each app's ``tasks.py``; their settings are the
``CELERY_*`` names of ``config.settings``."""

import os
from typing import Any

import redis
from celery import Celery, bootsteps
from celery.signals import before_task_publish, worker_init
from kombu.transport import redis as kombu_redis

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


def _closed_channel_is_a_connection_error() -> None:
    """kombu 5.7 (and every version since 3.0, celery/kombu#582): a Redis channel closed by a
    broker reconnection still acknowledges the message of a task that finishes afterwards,
    builds a connection pool from its closed transport, and raises ``AttributeError`` ("'NoneType'
    object has no attribute 'hostname'"), which Celery does not expect from an acknowledgement
    and which escapes into the worker. Raise the connection error it is instead: Celery logs
    "Couldn't ack" and goes on; the message belonged to the closed channel (gone with a
    restarted Redis; otherwise handed out again after the visibility timeout, and the tasks are
    idempotent). Reproduced in tests/reliability/test_ack_after_reconnect.py."""
    channel_class: Any = kombu_redis.Channel  # the stubs do not know its private methods
    original = channel_class._get_pool
    if getattr(original, "_ifdi_guard", False):
        return

    def _get_pool(self: Any, asynchronous: bool = False) -> object:
        transport = self.connection
        if transport is None or getattr(transport, "client", None) is None:
            raise redis.exceptions.ConnectionError(
                "the channel's connection was closed (a broker reconnection)")
        return original(self, asynchronous=asynchronous)

    _get_pool._ifdi_guard = True  # type: ignore[attr-defined]
    channel_class._get_pool = _get_pool


_closed_channel_is_a_connection_error()

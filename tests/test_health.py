"""The probes: ``/healthz`` (the process answers) and ``/readyz`` (database, broker, a worker's
heartbeat within READYZ_WORKER_MAX_AGE, free disk), JSON without secrets, open to the probe
(no login, no second factor, no HTTPS redirect)."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from common.heartbeat import KEY, heartbeat, last_heartbeat
from config import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeat():
    from django.core.cache import cache

    cache.delete(KEY)


def test_healthz_says_the_process_is_alive(anon_client):
    response = anon_client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_with_a_live_worker(anon_client):
    heartbeat()
    response = anon_client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "worker", "disk"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["worker"]["age_seconds"] < 5
    assert body["checks"]["disk"]["free_mb"] > 0


def test_readyz_turns_unhealthy_when_the_worker_stops(anon_client, settings):
    settings.READYZ_WORKER_MAX_AGE = 60
    heartbeat(now=time.time() - 61)  # the last beat of a worker that stopped a minute ago
    response = anon_client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["age_seconds"] >= 61
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_unhealthy_before_any_worker_started(anon_client):
    body = anon_client.get("/readyz").json()
    assert body["checks"]["worker"] == {"ok": False, "age_seconds": None,
                                        "ms": body["checks"]["worker"]["ms"]}


def test_readyz_names_a_failed_part_without_its_secrets(anon_client, settings):
    heartbeat()
    secret = "postgres://ifdi:s3cret-password@db.internal:5432/ifdi"
    failing = mock.Mock(side_effect=OperationalError(f"could not connect to {secret}"))
    with mock.patch.dict(health.CHECKS, {"database": failing}):
        response = anon_client.get("/readyz")
    assert response.status_code == 503
    text = response.content.decode()
    assert response.json()["checks"]["database"]["error"] == "OperationalError"
    assert "s3cret" not in text and "db.internal" not in text and settings.SECRET_KEY not in text


def test_readyz_wants_free_disk(anon_client, settings):
    heartbeat()
    settings.READYZ_MIN_FREE_MB = 10**12
    assert anon_client.get("/readyz").status_code == 503


def test_the_worker_step_records_a_heartbeat():
    from config.celery import HeartbeatStep

    worker = mock.Mock()
    step = HeartbeatStep(worker)
    step.start(worker)
    assert last_heartbeat() is not None
    worker.timer.call_repeatedly.assert_called_once()
    step.stop(worker)
    step.tref.cancel.assert_called_once()


def test_the_probes_pass_the_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("accounts:login")).status_code == 301  # to https://

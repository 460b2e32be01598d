"""Probes for load balancers and supervisors: ``/healthz`` (the process answers) and
``/readyz`` (it can do its work: database, broker, a live worker, free disk). Plain JSON, no
secrets: no host names, URLs, versions or error messages — only what failed and how long it
took. Exempt from the login, the second factor and the HTTPS redirect (settings)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from common.heartbeat import last_heartbeat
from config.celery import app as celery_app


@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _timed(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a probe reports every failure; it never raises
        result = {"ok": False, "error": type(exc).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_broker() -> dict[str, Any]:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
    return {"ok": True}


def check_worker() -> dict[str, Any]:
    beat = last_heartbeat()
    if beat is None:
        return {"ok": False, "age_seconds": None}
    age = max(0.0, time.time() - beat)
    return {"ok": age <= settings.READYZ_WORKER_MAX_AGE, "age_seconds": round(age, 1)}


def check_disk() -> dict[str, Any]:
    usage = shutil.disk_usage(settings.DATA_DIR)
    free_mb = usage.free // (1024 * 1024)
    return {"ok": free_mb >= settings.READYZ_MIN_FREE_MB, "free_mb": free_mb}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database, "broker": check_broker, "worker": check_worker,
    "disk": check_disk,
}


@never_cache
@require_http_methods(["GET", "HEAD"])
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {name: _timed(check) for name, check in CHECKS.items()}
    ready = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status=200 if ready else 503)

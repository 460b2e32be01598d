"""A worker's heartbeat: the time a Celery worker last said it is alive, kept in the cache
(Redis, or the file cache of the embedded default, both shared with the web processes) for the
readiness probe (``/readyz``). Written every HEARTBEAT_SECONDS by a step of every worker
(``config/celery.py``)."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

KEY = "worker-heartbeat"
HEARTBEAT_SECONDS = 15.0


def heartbeat(now: float | None = None) -> None:
    """Record that a worker is alive now; a cache outage only loses the beat."""
    try:
        cache.set(KEY, time.time() if now is None else now, timeout=None)
    except Exception:  # any cache backend's error: the worker's own work goes on
        logger.warning("worker heartbeat not recorded", exc_info=True)


def last_heartbeat() -> float | None:
    value = cache.get(KEY)
    return float(value) if value is not None else None

"""How far the worker is with a version's validation, for the page that polls it.

Progress lives in the cache, not the database: the worker writes it while its own
transaction is still open, and a web request must read it at that moment. A cache that is
down loses the progress bar, never the request or the validation.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)


class Stage(StrEnum):
    QUEUED = "queued"
    READING = "reading"
    CHECKING = "checking"
    SAVING = "saving"
    DONE = "done"


def _key(version_id: int) -> str:
    return f"validation-progress:{version_id}"


def progress_set(*, version_id: int, percent: int, stage: Stage) -> None:
    try:
        cache.set(_key(version_id), {"percent": percent, "stage": str(stage)}, timeout=3600)
    except Exception:
        logger.warning("cache unreachable: progress of version %s not written", version_id)


def progress_get(*, version_id: int) -> dict[str, Any] | None:
    try:
        return cache.get(_key(version_id))
    except Exception:
        logger.warning("cache unreachable: progress of version %s not read", version_id)
        return None

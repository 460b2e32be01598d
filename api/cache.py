"""The public API's answers, cached like the public pages.

A published run never changes, so what the API says about it is built once per run, answer
and language, and kept in the shared cache for ``PUBLIC_CACHE_SECONDS`` (0 turns it off):
the key carries the run's id (a revision is another run), exactly as the content blocks of the
public pages (``public.views``). Only the data are cached, never the response: throttling and
the audit of token calls still run for every request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

from common.i18n import language_code
from public.page_cache import cache_seconds

logger = logging.getLogger(__name__)

T = TypeVar("T")


def cached(key: str, build: Callable[[], T]) -> T:
    """``build()``, kept under ``key`` and the active language."""
    seconds = cache_seconds()
    if seconds <= 0:
        return build()
    try:
        value: Any = cache.get_or_set(f"api:{key}:{language_code()}", build, seconds)
    except Exception:  # the shared cache is unreachable: answer without it
        logger.warning("cache unreachable: %s built without it", key)
        return build()
    return value  # type: ignore[no-any-return]

"""The Redis cache clears its own keys, never the database it shares with the broker and the
other test processes (Django's ``RedisCache.clear()`` flushes the whole database)."""

from __future__ import annotations

import os

import pytest
import redis

from common.cache import PrefixedRedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")
# The embedded default has no Redis: its cache is a folder per test process.
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no Redis cache")


def _cache(prefix: str) -> PrefixedRedisCache:
    return PrefixedRedisCache(REDIS_URL, {"KEY_PREFIX": prefix})


def test_it_deletes_its_own_keys_and_leaves_the_others():
    mine, theirs = _cache("cache-test-mine"), _cache("cache-test-theirs")
    raw = redis.Redis.from_url(REDIS_URL)
    try:
        for i in range(1200):  # more than one batch of deletions
            mine.set(f"k{i}", i)
        theirs.set("kept", 1)
        raw.set("celery-queue-like-key", b"message")

        mine.clear()

        assert mine.get("k0") is None and mine.get("k1199") is None
        assert theirs.get("kept") == 1
        assert raw.get("celery-queue-like-key") == b"message"
    finally:
        theirs.clear()
        raw.delete("celery-queue-like-key")

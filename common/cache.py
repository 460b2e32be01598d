"""The shared cache on Redis, cleared by its own keys only."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache

_DELETE_BATCH = 500


class PrefixedRedisCache(RedisCache):
    """Django's ``RedisCache.clear()`` flushes the whole Redis database. Here the database is
    shared: the Celery broker's queues live in it (one ``REDIS_URL``), and under tests the
    parallel test processes keep their keys in it under their own prefixes — a flush from one
    wiped the others' login-failure counts and queued tasks. ``clear()`` deletes the keys under
    this cache's ``KEY_PREFIX`` and nothing else."""

    def clear(self) -> None:
        if not self.key_prefix:
            super().clear()  # nothing tells this cache's keys from others'
            return
        client = self._cache.get_client(write=True)
        batch: list[bytes] = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=_DELETE_BATCH):
            batch.append(key)
            if len(batch) == _DELETE_BATCH:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)

"""A growing delay before each password check of an account others are guessing at.

django-axes locks a user name at one client address after ``AXES_FAILURE_LIMIT`` failures.
A stranger guessing from many addresses is not locked: each of their addresses is. Locking the
account itself would let anyone lock any officer out; instead every login attempt on an account
with recent failures (from any address) waits before its password is checked, longer after each
failure, at most ``MAX_DELAY_SECONDS``: the owner's right password still logs in, a few seconds
late, and guessing slows to a crawl. A successful login clears the count.

The failures are counted in the shared cache (Redis with several web machines) for
``AXES_COOLOFF_TIME``; without a reachable cache there is no delay, the lock-out still holds.
The delay is a backend that never authenticates, listed after axes' (a locked-out attempt is
refused at once, unslowed) and before Django's, which checks the password. The signal
receivers below are connected when Django loads the backends, before the first attempt.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest

logger = logging.getLogger(__name__)

FREE_FAILURES = 2  # a mistyped password or two cost nothing
FIRST_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 5
_sleep = time.sleep  # replaced by tests


def delay_for(failures: int) -> float:
    """0 for the first ``FREE_FAILURES``, then 0.5 s, doubling, at most 5 s."""
    if failures <= FREE_FAILURES:
        return 0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES - 1))


def _key(username: str) -> str:
    return "login-failures:" + hashlib.sha256(username.casefold().encode()).hexdigest()


def _window_seconds() -> int:
    return int(float(settings.AXES_COOLOFF_TIME) * 3600)


def failures_of(username: str) -> int:
    try:
        return int(cache.get(_key(username), 0))
    except Exception:
        logger.warning("cache unreachable: login attempts are not slowed")
        return 0


class LoginThrottleBackend(BaseBackend):
    """Waits ``delay_for(failures)`` and lets the next backend decide."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if username:
            delay = delay_for(failures_of(username))
            if delay > 0:
                _sleep(delay)
        return None


@receiver(user_login_failed)
def _count_failure(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    username = str(credentials.get("username") or "")
    if not username:
        return
    key = _key(username)
    try:
        if not cache.add(key, 1, _window_seconds()):
            cache.incr(key)
    except Exception:
        logger.warning("cache unreachable: a failed login was not counted")


@receiver(user_logged_in)
def _clear_failures(sender: Any, user: Any, **kwargs: Any) -> None:
    try:
        cache.delete(_key(user.get_username()))
    except Exception:
        logger.warning("cache unreachable: the failed logins of %s were not cleared", user.pk)

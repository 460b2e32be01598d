"""The WSGI application of ``bench_public_ranking.py``: ``config.wsgi`` with the public pages'
cache length taken from the environment (``PUBLIC_CACHE_SECONDS``, 0 turns the cache off),
for as long as config/settings.py does not read that variable itself."""

from __future__ import annotations

import os

from django.conf import settings

from config.wsgi import application

if os.environ.get("PUBLIC_CACHE_SECONDS", "") != "":
    settings.PUBLIC_CACHE_SECONDS = int(os.environ["PUBLIC_CACHE_SECONDS"])

__all__ = ["application"]

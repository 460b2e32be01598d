"""Whole public pages for anonymous visitors, kept in each web process's own memory.

A published run never changes, so what an anonymous visitor sees on a public page depends only
on the path (with its ``?run=``), the language, and which runs are published. The last is the
*publication generation*: a token in the shared cache, replaced whenever a run is published
(``public.signals``). Each process reads it at most once every ``GENERATION_CHECK_SECONDS``,
so a new publication reaches every process within that time, and a page is kept under the
generation it was built in, for at most ``MAX_KEEP_SECONDS``.

Serving from memory skips the database, the shared cache and the rest of the middleware: it is
what lets the ranking page keep up with 50 clients on two cores (``docs/benchmarks.md``).
Anyone who is signed in, carries a cookie other than the language's, or asks with any other
query string gets the page built as usual (its content block still cached by run id in
``public.views``).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language_from_request

logger = logging.getLogger(__name__)

GENERATION_KEY = "public:generation"
GENERATION_CHECK_SECONDS = 1.0
MAX_PAGES = 256  # per process: 31 regions × a few pages × 2 languages, with room
MAX_PAGE_BYTES = 2 * 1024 * 1024
# A page is rebuilt at least this often (it costs one process ~40 ms), so that a publication
# whose new generation could not reach the shared cache shows within minutes, not a day.
MAX_KEEP_SECONDS = 300
# Any other query string is built afresh and not kept: junk parameters cannot fill the memory.
# ASCII digits only: "\d" also matches "٣", which a view refuses (common.params).
CACHEABLE_QUERY = re.compile(r"(?:run=[0-9]{1,18})?")
# Headers that belong to one response, never to the next visitor.
PRIVATE_HEADERS = frozenset({"set-cookie", "date"})


@dataclass(frozen=True)
class _Page:
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    expires: float

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


_clock = time.monotonic  # replaced by tests that need time to pass
_pages: OrderedDict[tuple[str, str, str], _Page] = OrderedDict()
_lock = threading.Lock()
_generation: tuple[float, str | None] = (0.0, None)


def cache_seconds() -> int:
    """How long a published run's pages are cached (``PUBLIC_CACHE_SECONDS``, default 24 h);
    0 turns both this cache and the content cache of ``public.views`` off."""
    return int(settings.PUBLIC_CACHE_SECONDS)


def _read_generation() -> str | None:
    try:
        return str(cache.get_or_set(GENERATION_KEY, lambda: str(time.time_ns()), None))
    except Exception:  # the shared cache is unreachable: build every page, keep none
        return None


def generation() -> str | None:
    """The publication generation, as this process last read it (at most
    ``GENERATION_CHECK_SECONDS`` ago); ``None`` when the shared cache cannot be reached."""
    global _generation
    read_at, token = _generation
    now = _clock()
    if now - read_at >= GENERATION_CHECK_SECONDS:
        token = _read_generation()
        _generation = (now, token)
    return token


def publication_changed() -> None:
    """A publication was committed: a new generation for every process (this one at once).
    Only after the commit: a process that read the new generation earlier could build a
    page from the data before it and keep it under the new generation."""
    try:
        cache.set(GENERATION_KEY, str(time.time_ns()), None)
    except Exception:
        # The other processes keep their pages of the previous publication (still a true
        # publication, not the latest) until they expire: say so where operators look.
        logger.exception("shared cache unreachable: public pages may show the previous "
                         "publication for up to %s s", MAX_KEEP_SECONDS)
    clear()


def clear() -> None:
    """Forget this process's pages and generation."""
    global _generation
    with _lock:
        _pages.clear()
        _generation = (0.0, None)


def key_for(request: HttpRequest) -> tuple[str, str, str] | None:
    """The key of the page a request asks for, or ``None`` when it must be built as usual."""
    if request.method != "GET" or not request.path.startswith(_path_prefix()):
        return None
    if not CACHEABLE_QUERY.fullmatch(request.META.get("QUERY_STRING", "")):
        return None
    # Only the language cookie (and a CSRF cookie left from another page, which public pages
    # do not read) leaves the page the same for everyone: a session may be a signed-in
    # person, a messages cookie carries messages to show.
    if not set(request.COOKIES) <= {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}:
        return None
    if "HTTP_HX_REQUEST" in request.META or cache_seconds() <= 0:
        return None
    request.get_host()  # a host not allowed is refused (400) here as on any other page
    token = generation()
    if token is None:
        return None
    return token, get_language_from_request(request), request.get_full_path()


def get(key: tuple[str, str, str]) -> HttpResponse | None:
    with _lock:
        page = _pages.get(key)
        if page is None:
            return None
        if page.expires <= _clock():
            del _pages[key]
            return None
        _pages.move_to_end(key)
    return page.response()


def put(key: tuple[str, str, str], response: HttpResponse) -> None:
    """Keep a page built for an anonymous visitor, when nothing in it is theirs alone."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    if "private" in response.get("Cache-Control", "") or len(response.content) > MAX_PAGE_BYTES:
        return
    headers = tuple((name, value) for name, value in response.items()
                    if name.lower() not in PRIVATE_HEADERS)
    page = _Page(response.status_code, headers, response.content,
                 _clock() + min(cache_seconds(), MAX_KEEP_SECONDS))
    with _lock:
        _pages[key] = page
        _pages.move_to_end(key)
        while len(_pages) > MAX_PAGES:
            _pages.popitem(last=False)


@functools.cache
def _path_prefix() -> str:
    """Where the public pages live (``public:latest``), read from the URLconf once."""
    return reverse("public:latest")

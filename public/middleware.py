"""The whole-page cache of the public pages (``public.page_cache``) in front of the rest of
the middleware: a hit is answered before the session, the language, CSRF and the view."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from public import page_cache


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = page_cache.key_for(request)
        if key is None:
            return self.get_response(request)
        cached = page_cache.get(key)
        if cached is not None:
            return cached
        response = self.get_response(request)
        page_cache.put(key, response)
        return response

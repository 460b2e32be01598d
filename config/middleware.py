"""Cross-cutting request rules: a body refused by its length before it is read, a friendly 503
when the database is unreachable, a 400 page for a malformed query parameter, and an auditor
who can never write."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import roles
from common.params import BadParameter
from common.unavailable import is_unavailable, unavailable_response

__all__ = ("AuditorReadOnlyMiddleware", "BadParameterMiddleware", "DatabaseUnavailableMiddleware",
           "PermissionsPolicyMiddleware", "RequestBodyLimitMiddleware", "is_unavailable",
           "unavailable_response")

logger = logging.getLogger(__name__)

BODY_TOO_LARGE = _("提交的内容过大（{size}），上限为 {limit}。请检查所选文件，或联系管理员。")
BODY_LENGTH_INVALID = _("请求的长度无效")


class RequestBodyLimitMiddleware:
    """First of all the middleware: a body longer than ``REQUEST_MAX_BYTES`` (the upload limit
    plus a form's overhead) is refused by its ``Content-Length`` before anything reads it.
    Without this Django's multipart parser receives a 400 MB upload in full, to a temporary
    file, before the upload view can check its size; anonymous clients too. A path may have a
    larger limit (``REQUEST_MAX_BYTES_BY_URL_NAME``: URL name → bytes, for an administrators'
    bulk upload page); the view still checks its own, finer limit. A body without a length is never
    read by Django (it reads ``Content-Length`` bytes), so it needs no rule here; the proxy in
    front limits those (docs/operations.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        if not raw.isascii() or not raw.strip().isdigit():
            return self._refuse(request, 400, BODY_LENGTH_INVALID, {})
        length, limit = int(raw), body_limit(request.path)
        if length > limit:
            logger.warning("request body of %d bytes refused on %s (limit %d)", length,
                           request.path, limit)
            return self._refuse(request, 413, BODY_TOO_LARGE,
                                {"size": _megabytes(length), "limit": _megabytes(limit)})
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, status: int, message: object, params: dict[str, str]
                ) -> HttpResponse:
        # Before the session and the locale middleware: the language from the request's own
        # cookie and headers, and nothing that needs the database.
        with translation.override(translation.get_language_from_request(request)):
            text = str(message).format(**params)
            html = render_to_string("request_refused.html", {"message": text})
        return HttpResponse(html, status=status)


def body_limit(path: str) -> int:
    # URLs by name, reversed here (settings cannot): the names' paths, matched exactly.
    larger = [limit for name, limit in settings.REQUEST_MAX_BYTES_BY_URL_NAME.items()
              if path == reverse(name)]
    return max([settings.REQUEST_MAX_BYTES, *larger])


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB".replace(".0 MB", " MB")




class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_unavailable(exception):
            return None  # a real query error is a bug: let it be a 500 with its traceback
        return unavailable_response(exception)


class BadParameterMiddleware:
    """A malformed query parameter (``common.params``) is the visitor's mistake: a 400 page in
    the request's language naming the parameter, one line in the log, no traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadParameter):
            return None
        logger.info("bad query parameter on %s: %s", request.path, exception.code)
        return render(request, "bad_parameter.html", {"message": exception.message}, status=400)


class AuditorReadOnlyMiddleware:
    """Auditors read everything and change nothing: any write of a person who is an auditor
    and holds no role that writes is refused before a view runs. The session's own endpoints
    (logging in and out, the second factor, one's own password and sessions, choosing the
    language) change no data of the platform and stay open."""

    OPEN_URL_NAMES = ("accounts:login", "accounts:logout", "set_language",
                      "accounts:otp_enrol", "accounts:otp_codes_kept", "accounts:otp_verify",
                      "accounts:password_change", "accounts:logout_everywhere",
                      "accounts:language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.open_paths = frozenset(reverse(name) for name in self.OPEN_URL_NAMES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") \
                and request.path not in self.open_paths:
            try:
                auditor_only = roles.is_read_only(request.user)
            except (OperationalError, InterfaceError) as exc:
                # Loading the user needs the database: outside a view, so answer here.
                if is_unavailable(exc):
                    return unavailable_response(exc)
                raise
            if auditor_only:
                raise PermissionDenied
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header (settings.PERMISSIONS_POLICY): the browser features no page
    uses are switched off for every page, beside the CSP and Django's security headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response

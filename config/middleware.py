"""Cross-cutting request rules: a friendly 503 when the database is unreachable, and an
auditor who can never write."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts import roles
from common.unavailable import is_unavailable, unavailable_response

__all__ = ("AuditorReadOnlyMiddleware", "DatabaseUnavailableMiddleware",
           "PermissionsPolicyMiddleware", "is_unavailable", "unavailable_response")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_unavailable(exception):
            return None  # a real query error is a bug: let it be a 500 with its traceback
        return unavailable_response(exception)


class AuditorReadOnlyMiddleware:
    """Auditors read everything and change nothing: any write of a person who is an auditor
    and holds no role that writes is refused before a view runs. The session's own endpoints
    (logging in and out, the second factor, one's own password and sessions, choosing the
    language) change no data of the platform and stay open."""

    OPEN_URL_NAMES = ("accounts:login", "accounts:logout", "set_language",
                      "accounts:otp_enrol", "accounts:otp_codes_kept", "accounts:otp_verify",
                      "accounts:password_change", "accounts:logout_everywhere")

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

"""The session rules, before any view runs (after authentication and django-otp):

1. a session ends after SESSION_IDLE_TIMEOUT seconds without a request and
   SESSION_ABSOLUTE_TIMEOUT seconds after its login;
2. a person whose role needs a second factor (``roles.requires_second_factor``) and whose session
   has not verified one reaches only the enrolment and verification pages (and logging out, the
   language switch, static files, the health probes);
3. a person whose password change is due reaches only the password page (and the same).

Nothing here reads the database on an ordinary request: the times and the password flag are in
the session (written at login, ``accounts.services.session_start``); django-otp's middleware
reads the session's device."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts import roles
from accounts.services import LOGIN_AT, PASSWORD_DUE, SEEN_AT
from accounts.signals import LOGOUT_REASON
from common.unavailable import is_unavailable, unavailable_response

# Write the last request's time into the session at most this often (a session write is a
# query): the idle timeout is exact to within this many seconds.
SEEN_RESOLUTION = 60


class SessionSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def always_open(self) -> tuple[str, ...]:
        return (reverse("accounts:logout"), reverse("set_language"), reverse("healthz"),
                reverse("readyz"), "/favicon.ico")

    @cached_property
    def second_factor_pages(self) -> tuple[str, ...]:
        return (reverse("accounts:otp_enrol"), reverse("accounts:otp_verify"),
                reverse("accounts:otp_codes_kept"))

    @cached_property
    def password_page(self) -> str:
        return reverse("accounts:password_change")

    def _open(self, path: str, *pages: str) -> bool:
        return path in self.always_open or path in pages or path.startswith(settings.STATIC_URL)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refusal = self._gate(request)  # loads the session, the user, their roles, device
        except (OperationalError, InterfaceError) as exc:
            # Outside any view: answer the database's absence here, as the views' middleware
            # does for theirs (a friendly 503, not a 500).
            if is_unavailable(exc):
                return unavailable_response(exc)
            raise
        return refusal or self.get_response(request)

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        """None to go on to the view; else where the session must go first."""
        user = request.user
        if not user.is_authenticated:
            return None
        expired = self._expired(request)
        if expired:
            setattr(request, LOGOUT_REASON, expired)
            logout(request)
            return _redirect(request, reverse("accounts:login"),
                             {"next": request.get_full_path(), "expired": expired})
        path = request.path
        if roles.requires_second_factor(user) and not getattr(user, "is_verified", bool)():
            if not self._open(path, *self.second_factor_pages):
                return _redirect(request, reverse("accounts:otp_verify"),
                                 {"next": request.get_full_path()})
        elif request.session.get(PASSWORD_DUE) and not self._open(
                path, self.password_page, *self.second_factor_pages):
            return _redirect(request, self.password_page, {"next": request.get_full_path()})
        return None

    def _expired(self, request: HttpRequest) -> str:
        session = request.session
        now = time.time()
        login_at = session.setdefault(LOGIN_AT, now)
        seen_at = session.get(SEEN_AT, now)
        if now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
            return "absolute_timeout"
        if now - seen_at > settings.SESSION_IDLE_TIMEOUT:
            return "idle_timeout"
        if now - seen_at >= SEEN_RESOLUTION or SEEN_AT not in session:
            session[SEEN_AT] = now
        return ""


def _redirect(request: HttpRequest, url: str, query: dict[str, str]) -> HttpResponse:
    target = f"{url}?{urlencode(query)}"
    if request.headers.get("HX-Request"):
        # An htmx poll would put the login page inside the page's fragment: htmx goes there.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


# Set on the request by the login (accounts.receivers): the language of the person signing in.
SIGNED_IN_LANGUAGE = "_ifdi_signed_in_language"


def language_cookie(response: HttpResponse, language: str) -> None:
    """The language cookie Django's switch sets (LocaleMiddleware reads it)."""
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language,
                        max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True)


class UserLanguageMiddleware:
    """After sign-in the pages take the person's language (``User.language``) when they chose
    one other than the site's (the default leaves the browser's choice alone): the login's
    response sets the language cookie; the header's switch changes it afterwards. Reads
    nothing on any other request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, SIGNED_IN_LANGUAGE, None)
        if language:
            language_cookie(response, language)
        return response

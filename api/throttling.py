"""Rate limits: one budget per API token, one per anonymous client address.

The rates are read from the settings at each request (``API_RATE_TOKEN``,
``API_RATE_ANONYMOUS``), not when the class is defined as DRF's own classes do, so that an
operator's setting and a test's override both take effect. A refused call answers 429 with
``Retry-After`` (``api.problems``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken
from common.client_address import client_address

if TYPE_CHECKING:  # DRF imports this module while it defines APIView
    from rest_framework.views import APIView


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return str(settings.API_RATE_TOKEN)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AnonymousRateThrottle(SimpleRateThrottle):
    scope = "anonymous"

    def get_rate(self) -> str:
        return str(settings.API_RATE_ANONYMOUS)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request: Request) -> str:
        # The one answer to "who is the client" (TRUSTED_PROXY_COUNT), as for the login's
        # lock-out: an X-Forwarded-For written by the client itself resets nothing.
        return client_address(request._request)

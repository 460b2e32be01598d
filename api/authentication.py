"""``Authorization: Bearer <token>``: a provincial system's API token.

A request without the header is anonymous (the public data need no credential); a header with
an unknown, expired or revoked token is refused (401) with a stable code. Every call made with
a known token is written to the audit log under the token's name, refused ones too.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from api.models import ApiToken
from api.services import api_token_record_use, token_hash

logger = logging.getLogger(__name__)

KEYWORD = "Bearer"
TOKEN_MALFORMED = _("Authorization 请求头应为「Bearer <令牌>」")
TOKEN_UNKNOWN = _("令牌无效")
TOKEN_EXPIRED = _("令牌已过期，请安全管理员签发新令牌")
TOKEN_REVOKED = _("令牌已被吊销")


class TokenRefused(exceptions.AuthenticationFailed):
    """A refused credential, with the stable code the problem details carry."""

    def __init__(self, code: str, message: Any) -> None:
        super().__init__(detail=message, code=code)
        self.problem_code = code
        self.message = message


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise TokenRefused("TOKEN_MALFORMED", TOKEN_MALFORMED)
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise TokenRefused("TOKEN_MALFORMED", TOKEN_MALFORMED) from None
        token = (ApiToken.objects.select_related("user", "region")
                 .filter(secret_sha256=token_hash(secret)).first())
        if token is None:
            logger.warning("unknown API token from %s", request.META.get("REMOTE_ADDR", ""))
            raise TokenRefused("TOKEN_UNKNOWN", TOKEN_UNKNOWN)
        refused = ("TOKEN_REVOKED" if token.is_revoked
                   else "TOKEN_EXPIRED" if token.is_expired else "")
        api_token_record_use(token=token, method=request.method or "",
                             path=request.get_full_path(), refused=refused)
        if refused:
            raise TokenRefused(refused, TOKEN_REVOKED if token.is_revoked else TOKEN_EXPIRED)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'

"""Who may call what. Every provincial view starts with ``get_submission_for_token``.

Only an API token reaches a region's submission, and only its own region's: any other region's
submission answers 404, exactly as another region's objects do on the web (its existence is not
disclosed). The published data need no credential.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import permissions
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts import roles
from api import selectors
from api.models import ApiToken
from submissions.models import Submission


class TokenRequired(permissions.BasePermission):
    """A provincial system's call: a valid API token (else 401 with ``WWW-Authenticate``)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, ApiToken)


def require_token(request: Request) -> ApiToken:
    if not isinstance(request.auth, ApiToken):
        raise NotAuthenticated
    return request.auth


def get_submission_for_token(request: Request, year: int, region_code: str) -> Submission:
    """The submission of the token's own region for ``year``; 404 for any other region."""
    token = require_token(request)
    if region_code != token.region.code:
        raise Http404
    return selectors.submission_of(year=year, region=token.region)


def may_issue_tokens(user: Any) -> bool:
    """API tokens are issued and revoked by the person who manages accounts."""
    return roles.is_security_administrator(user)

"""Bearer tokens: unknown, malformed, expired and revoked tokens are refused (401) with a
stable code; a known token's refusals are audited under its name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken
from api.services import api_token_revoke
from audit.models import AuditEntry
from tests.api.helpers import url

pytestmark = pytest.mark.django_db


def _refusal(client, path=None) -> tuple[int, str]:
    response = client.get(path or url("submission"))
    return response.status_code, response.json()["code"]


def test_a_revoked_token_is_refused_and_the_attempt_audited(api_world):
    api_token_revoke(name="stats-110000", actor=api_world.security)
    assert _refusal(api_world.client("110000")) == (401, "TOKEN_REVOKED")
    attempt = AuditEntry.objects.filter(action="api_token.refused").latest("sequence")
    assert attempt.data["token"] == "stats-110000" and attempt.data["refused"] == "TOKEN_REVOKED"


def test_an_expired_token_is_refused(api_world):
    ApiToken.objects.filter(name="stats-110000").update(
        expires_at=timezone.now() - timedelta(seconds=1))
    assert _refusal(api_world.client("110000")) == (401, "TOKEN_EXPIRED")


def test_a_refused_token_is_refused_on_the_public_data_too(api_world):
    api_token_revoke(name="stats-110000", actor=api_world.security)
    assert _refusal(api_world.client("110000"), "/api/v1/years/") == (401, "TOKEN_REVOKED")


@pytest.mark.parametrize(("header", "code"), [
    ("Bearer ifdi_not-a-token", "TOKEN_UNKNOWN"),
    ("Bearer", "TOKEN_MALFORMED"),
    ("Bearer two words", "TOKEN_MALFORMED"),
])
def test_a_bad_credential_is_refused(api_world, header, code):
    from django.test import Client

    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=header)
    assert _refusal(client) == (401, code)


def test_a_token_is_stored_hashed_and_its_use_recorded(api_world):
    token = ApiToken.objects.get(name="stats-110000")
    assert api_world.secrets["110000"] not in token.secret_sha256
    assert token.last_used_at is None
    api_world.client("110000").get(url("submission"))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_browser_session_is_no_api_credential(api_world, bj_client):
    assert bj_client.get(url("submission"), HTTP_HOST="localhost").status_code == 401

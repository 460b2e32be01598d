"""Rate limits per token and per anonymous client: 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.api.helpers import url

pytestmark = pytest.mark.django_db


@override_settings(API_RATE_ANONYMOUS="2/min")
def test_an_anonymous_client_past_its_rate_gets_429_with_retry_after(api_world):
    client = api_world.client()
    statuses = [client.get("/api/v1/years/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/years/")
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "THROTTLED"
    assert 0 < int(response["Retry-After"]) <= 60


@override_settings(API_RATE_TOKEN="2/min", API_RATE_ANONYMOUS="1000/min")
def test_each_token_has_its_own_budget(api_world):
    beijing, shanghai = api_world.client("110000"), api_world.client("310000")
    assert [beijing.get(url("submission")).status_code for _ in range(3)] == [200, 200, 429]
    assert shanghai.get(url("submission", "310000")).status_code == 200
    assert api_world.client().get("/api/v1/years/").status_code == 200

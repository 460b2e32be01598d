"""The API's documentation in a real browser, under the site's Content-Security-Policy: Swagger
UI and ReDoc load from local static files, draw every operation, and break no rule of the
policy (no inline script anywhere)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _local_only(page: Any, base: str) -> list[str]:
    """Every request the page makes (each must go to the site itself: no CDN, no font)."""
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    return requested


def test_swagger_ui_shows_every_operation(live_server: Any, page: Any, console: Console):
    requested = _local_only(page, live_server.url)
    response = page.goto(f"{live_server.url}/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() >= 21
    assert page.get_by_text("/api/v1/years/{year}/ranking/", exact=True).count() == 1
    assert not console.csp_violations(), console.csp_violations()
    assert not console.exceptions, console.exceptions
    assert all(url.startswith(live_server.url) or url.startswith("data:")
               for url in requested), requested


def test_redoc_shows_every_operation(live_server: Any, page: Any, console: Console):
    requested = _local_only(page, live_server.url)
    response = page.goto(f"{live_server.url}/api/docs/redoc/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split(
        "script-src")[1].split(";")[0]
    heading = page.locator("h2", has_text="A publication's ranking")
    heading.first.wait_for()
    assert page.locator("h2", has_text="Send values").count() == 1
    # ReDoc's bundle names one image on Redocly's CDN (the footer's logo, no option turns it
    # off): the policy blocks it, ReDoc then leaves it out, and nothing leaves the site.
    violations = [m for m in console.csp_violations() if REDOCLY_LOGO not in m]
    assert not violations, violations
    assert not console.exceptions, console.exceptions
    assert all(url.startswith(live_server.url) or url.startswith(("data:", "blob:"))
               for url in requested if url != REDOCLY_LOGO), requested

"""The public pages in a real browser, as a newcomer finds them: from the home page to the
latest ranking, to their province through the home page's form, the tile grid and its tiles,
and the language switch — the ECharts charts drawn, no Content-Security-Policy violation.

Playwright's sync API driving Debian's Chromium (never a downloaded browser) against
pytest-django's ``live_server``; skipped only where /usr/bin/chromium is missing. The fixtures
are this module's own (``public_*``), so that it does not depend on the review-flow ones.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection

from tests.browser.conftest import launched_chromium
from tests.public.conftest import BEIJING_TOTAL, publish_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Whether a chart's canvas has any pixel drawn: ECharts draws on a 2d canvas.
CANVAS_DRAWN = """el => {
  const canvas = el.querySelector('canvas');
  if (!canvas || !canvas.width || !canvas.height) return false;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) return true; }
  return false;
}"""


@pytest.fixture
def public_browser() -> Iterator[Any]:
    with launched_chromium() as browser:
        yield browser
    _wait_for_server_connections_to_close()


def _wait_for_server_connections_to_close(timeout: float = 15.0) -> None:
    """The live server's threads close their database connections only when the browser's
    sockets close; on PostgreSQL one left open stops the test database from being dropped."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND pid <> pg_backend_pid()")
            (others,) = cursor.fetchone()
        if not others:
            return
        time.sleep(0.1)


@pytest.fixture
def public_page(public_browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page of a Chinese-speaking newcomer, and the console errors and page errors it
    collects."""
    context = public_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page, errors
    finally:
        context.close()


@pytest.fixture
def published(bootstrapped: None) -> Any:
    cache.clear()  # pages of earlier runs with the same ids
    world = publish_world()
    yield world
    cache.clear()


def assert_chart_drawn(page: Any, selector: str) -> None:
    chart = page.locator(selector)
    chart.wait_for(state="attached")
    page.wait_for_function(
        "s => document.querySelector(s)?.getAttribute('data-rendered') === 'true'",
        arg=selector)
    assert chart.get_attribute("data-rendered") == "true"
    assert chart.locator("canvas").count() >= 1
    assert chart.evaluate(CANVAS_DRAWN), f"{selector}: the canvas is blank"


def test_a_newcomer_finds_the_ranking_their_province_and_the_grid(
        live_server: Any, published: Any, public_page: tuple[Any, list[str]]):
    page, errors = public_page
    base = live_server.url

    # The home page: the latest ranking is one click away.
    page.goto(f"{base}/")
    page.locator("#latest-ranking").click()
    page.wait_for_url(f"{base}/rankings/2017/")
    rows = page.locator("#ranking-table tbody tr")
    assert rows.count() == 31
    first = rows.first.locator("td")
    assert first.nth(1).inner_text().strip() == "北京"
    assert first.nth(8).inner_text().strip() == BEIJING_TOTAL
    assert_chart_drawn(page, '[data-chart="bar"]')
    # On paper: the table and the chart, without the header and the page's navigation.
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.locator("nav.sub-nav").is_visible()
    assert page.locator("#ranking-table").is_visible()
    assert page.locator('[data-chart="bar"] canvas').is_visible()
    page.emulate_media(media="screen")

    # Back home, and the province through the form: 上海.
    page.locator("a.brand").click()
    page.wait_for_url(f"{base}/")
    page.locator("#region-select").select_option("310000")
    page.locator("#region-finder button[type=submit]").click()
    page.wait_for_url(f"{base}/rankings/2017/regions/310000/")
    assert "上海" in page.locator("h1").inner_text()
    assert page.locator("#region-dimensions tbody tr").count() == 6
    assert_chart_drawn(page, '[data-chart="radar"]')
    assert_chart_drawn(page, '[data-chart="line"]')

    # The grid, from the page's own navigation; a tile opens its region.
    page.locator("nav.sub-nav a", has_text="地区分布图").click()
    page.wait_for_url(f"{base}/rankings/2017/grid/")
    tiles = page.locator("#tile-grid a.tile")
    assert tiles.count() == 31
    page.locator('#tile-grid a.tile[data-region="110000"]').click()
    page.wait_for_url(f"{base}/rankings/2017/regions/110000/")
    assert page.locator("#region-total").inner_text() == BEIJING_TOTAL
    assert_chart_drawn(page, '[data-chart="radar"]')

    # The language switch in the header: the same page, in English.
    page.locator("header form.lang button").click()
    page.wait_for_url(f"{base}/rankings/2017/regions/110000/")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Beijing" in page.locator("h1").inner_text()
    assert page.locator("#region-dimensions tbody tr").first.locator("td").first.inner_text() \
        == "Information service application"
    assert_chart_drawn(page, '[data-chart="radar"]')

    # ... and the ranking in English too, with its chart.
    page.locator("nav.sub-nav a").first.click()
    page.wait_for_url(f"{base}/rankings/2017/")
    assert page.locator("#ranking-table tbody tr").first.locator("td").nth(1).inner_text() \
        .strip() == "Beijing"
    assert_chart_drawn(page, '[data-chart="bar"]')

    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert not errors, errors

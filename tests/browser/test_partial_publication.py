"""A partial publication in a real browser (issue 15, points 2 and 3): the administrator
opens a run covering 2 of the 31 regions, reads on the confirmation page what publishing it
will do, ticks "allow incomplete", writes a note and confirms; every public page of that year
then carries the banner (部分发布, 2/31) — in Chinese and English, on a desktop and a phone,
without sideways scrolling, raw codes or serious accessibility violations — and the landing
page stays on the complete year."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from submissions.models import Cycle
from tests.browser.test_public_quality import LANGUAGES, WIDTHS, _check, _context, _login
from tests.public.conftest import empty_cycle, load, publish_world, score

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2018
PAGES = [f"/rankings/{YEAR}/", f"/rankings/{YEAR}/dimensions/D1/",
         f"/rankings/{YEAR}/regions/110000/", f"/rankings/{YEAR}/grid/",
         f"/rankings/{YEAR}/weights/"]
SHOTS = os.environ.get("PARTIAL_SHOTS")  # a folder: screenshots of each page, to look at


@pytest.fixture
def world() -> Iterator[dict[str, Any]]:
    cache.clear()
    published = publish_world()
    empty_cycle(YEAR, published.admin)
    load(YEAR, ["110000", "310000"], published.admin)
    run = score(Cycle.objects.get(year=YEAR), published.admin)
    yield {"world": published, "run": run}
    cache.clear()


@pytest.fixture
def browser() -> Iterator[Any]:
    from tests.browser.conftest import launched_chromium

    with launched_chromium() as chromium:
        yield chromium


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_the_administrator_confirms_a_partial_publication_and_every_page_says_so(
        live_server: Any, world: dict[str, Any], browser: Any):
    run = world["run"]
    context = _context(browser, "zh-hans", 1366)
    page = _login(context, live_server, "admin")
    page.goto(f"{live_server.url}/scoring/")
    page.click(f"#publish-{run.pk}")
    page.wait_for_selector("#publish-form")
    assert "2/31" in page.inner_text("#coverage")
    assert run.input_hash in page.inner_text("#input-hash")
    _shot(page, "confirm-zh")
    assert not _check(page, "zh-hans", "confirmation")
    # The same page in English on a phone.
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.set_viewport_size({"width": 390, "height": 900})
    page.reload()
    assert "Partial publication" in page.inner_text("#what-happens")
    _shot(page, "confirm-en-390")
    assert not _check(page, "en", "confirmation en 390px")
    context.add_cookies([{"name": "django_language", "value": "zh-hans",
                          "url": live_server.url}])
    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    page.click("#confirm-publish")  # without the box and the note: refused at the fields
    page.wait_for_selector(f"#publish-allow-{run.pk}-error")
    page.check(f"#publish-allow-{run.pk}")
    page.fill(f"#publish-note-{run.pk}", "先发布已审核的两个地区")
    page.click("#confirm-publish")
    page.wait_for_load_state()
    assert "部分发布" in page.inner_text(".messages")
    run.refresh_from_db()
    assert run.is_published
    context.close()

    problems = []
    for language in LANGUAGES:
        for width in WIDTHS:
            context = _context(browser, language, width)
            page = context.new_page()
            page.goto(f"{live_server.url}/")
            assert page.locator("#latest-ranking").get_attribute("href") == "/rankings/2017/"
            for path in PAGES:
                page.goto(f"{live_server.url}{path}")
                banner = page.locator("#partial-banner")
                assert banner.is_visible(), path
                text = banner.inner_text()
                assert "2/31" in text and ("部分发布" if language == "zh-hans"
                                           else "Partial publication") in text
                _shot(page, f"{language}-{width}-{path.strip('/').replace('/', '-')}")
                problems += _check(page, language, f"{path} {language} {width}px")
            context.close()
    assert not problems, "\n".join(problems)

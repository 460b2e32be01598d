"""The public "set your own weights" page in a real browser: for random weights — set through
the link's fragment, through the sliders, and with the keyboard — the totals the browser
computes are the very floats the server's arithmetic gives (``scoring.studio.public_totals``),
and so are the ranks; the shareable link brings the same ranking back; no request is made per
move, and nothing breaks the Content-Security-Policy.

Playwright's sync API driving Debian's Chromium; skipped only where /usr/bin/chromium is
missing."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from django.core.cache import cache

from scoring import core, studio
from scoring.selectors import round_half_up
from tests.browser.conftest import launched_chromium
from tests.browser.test_public_pages import _wait_for_server_connections_to_close
from tests.public.conftest import publish_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POINTS = [20.0, 20.0, 20.0, 15.0, 15.0, 10.0]
CODES = ["D1", "D2", "D3", "D4", "D5", "D6"]
ROWS = """() => Array.from(document.querySelectorAll('#weights-table tbody tr')).map(tr => ({
  code: tr.dataset.region, rank: Number(tr.dataset.rank), total: tr.dataset.total,
  cells: Array.from(tr.cells).map(td => td.textContent.trim())}))"""


@pytest.fixture
def published(bootstrapped: None) -> Iterator[Any]:
    cache.clear()
    yield publish_world()
    cache.clear()


@pytest.fixture
def weights_page(published: Any) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A Chinese-speaking visitor's page, the console errors it collects and the requests it
    makes."""
    with launched_chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        try:
            yield page, errors, requests
        finally:
            context.close()
    _wait_for_server_connections_to_close()


def server_ranking(run: Any, weights: list[float]) -> dict[str, tuple[float, int]]:
    """The server's arithmetic on the published dimension points: total and rank by region."""
    results = list(run.results.select_related("region").filter(region__ranked=True))
    matrix = np.array([[r.dimensions[c]["points"] for c in CODES] for r in results])
    totals = studio.public_totals(matrix, POINTS, weights)
    ranks = core.competition_ranks(totals, np.ones(len(results), dtype=bool))
    return {r.region.code: (float(t), int(k))
            for r, t, k in zip(results, totals.tolist(), ranks.tolist(), strict=True)}


def assert_same_as_server(page: Any, run: Any, weights: list[float]) -> None:
    rows = page.evaluate(ROWS)
    expected = server_ranking(run, weights)
    assert len(rows) == len(expected) == 31
    for row in rows:
        total, rank = expected[row["code"]]
        assert float(row["total"]) == total, (row, weights)  # bit for bit
        assert row["rank"] == rank, (row, weights)
        assert row["cells"][0] == str(rank)
        assert row["cells"][2] == str(round_half_up(total))
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)


def random_weights(rng: np.random.Generator) -> list[float]:
    while True:
        weights = (rng.integers(0, 11, size=6) / 2).tolist()
        if any(weights):
            return weights


def fragment(weights: list[float]) -> str:
    return "&".join(f"{c}={w:g}" for c, w in zip(CODES, weights, strict=True))


def test_the_browsers_reweighting_is_the_servers_for_random_weights(
        live_server: Any, published: Any, weights_page: tuple[Any, list[str], list[str]]):
    page, errors, requests = weights_page
    run = published.run2017
    url = f"{live_server.url}/rankings/2017/weights/"
    rng = np.random.default_rng(2017)

    page.goto(url)
    page.wait_for_selector("#weights-app[data-ready=true]")
    assert_same_as_server(page, run, [p / 5 for p in POINTS])  # the official ranking
    assert "非官方排名" in page.locator("#unofficial-label").inner_text()

    # Through the link's fragment: a new page load each time.
    for _ in range(6):
        weights = random_weights(rng)
        page.goto(f"{url}#{fragment(weights)}")
        page.reload()
        page.wait_for_selector("#weights-app[data-ready=true]")
        assert_same_as_server(page, run, weights)

    # Through the sliders, on one page: no request per move.
    page.goto(url)
    page.wait_for_selector("#weights-app[data-ready=true]")
    loaded = len(requests)
    for _ in range(10):
        weights = random_weights(rng)
        for code, weight in zip(CODES, weights, strict=True):
            page.eval_on_selector(
                f"#weight-{code}",
                "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }",
                str(weight))
        assert_same_as_server(page, run, weights)
        assert page.locator("#weights-link").input_value().endswith("#" + fragment(weights))
    assert len(requests) == loaded, requests[loaded:]

    # With the keyboard, as a person moves a slider: one step of 0.5 down.
    page.locator("#weights-reset").click()
    page.locator("#weight-D1").focus()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#weight-D1-value").inner_text() == "3.5"
    assert_same_as_server(page, run, [3.5, 4.0, 4.0, 3.0, 3.0, 2.0])

    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert not errors, errors


def test_the_shared_link_brings_the_same_ranking_back_and_zero_weights_say_so(
        live_server: Any, published: Any, weights_page: tuple[Any, list[str], list[str]]):
    page, errors, _requests = weights_page
    run = published.run2017
    page.goto(f"{live_server.url}/rankings/2017/weights/")
    page.wait_for_selector("#weights-app[data-ready=true]")
    for code, weight in (("D2", "5"), ("D5", "0"), ("D6", "4.5")):
        page.eval_on_selector(f"#weight-{code}",
                              "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }",
                              weight)
    link = page.locator("#weights-link").input_value()
    before = page.evaluate(ROWS)
    assert "名次发生了变化" in page.locator("#weights-status").inner_text()

    other = page.context.new_page()
    other.goto(link)
    other.wait_for_selector("#weights-app[data-ready=true]")
    assert other.evaluate(ROWS) == before
    assert other.locator("#weight-D6").input_value() == "4.5"
    assert_same_as_server(other, run, [4.0, 5.0, 4.0, 3.0, 0.0, 4.5])

    other.goto(f"{live_server.url}/rankings/2017/weights/#"
               + "&".join(f"{c}=0" for c in CODES))
    other.reload()
    other.wait_for_selector("#weights-app[data-ready=true]")
    assert other.locator("#weights-table tbody tr").count() == 0
    assert "所有权重都为 0" in other.locator("#weights-status").inner_text()
    assert not errors, errors
    assert math.isfinite(float(before[0]["total"]))

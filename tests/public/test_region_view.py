"""`/rankings/<year>/regions/<code>/`: a region's page — total, rank and rank interval; the
radar chart against the national median with its table; indicator values and normalised
scores; the history across published cycles — for published runs only."""

from __future__ import annotations

import json
import statistics
from decimal import Decimal

from django.test import Client

from scoring.selectors import round_half_up
from tests.public.conftest import (
    BEIJING,
    BEIJING_TOTAL,
    CORPS,
    REPLICATIONS,
    count_queries,
    empty_cycle,
    english,
    load,
    page,
    score,
    score_and_publish,
)

URL = "/rankings/2017/regions/110000/"


def chart_data(content: str) -> dict:
    start = content.index('<script id="chart-data" type="application/json">')
    return json.loads(content[content.index(">", start) + 1:content.index("</script>", start)])


def test_the_total_rank_and_rank_interval(world, client: Client):
    response, _html = page(client, URL)
    content = response.content.decode()
    result = world.run2017.results.get(region__code="110000")
    assert f'<strong id="region-total">{BEIJING_TOTAL}</strong>' in content
    assert "排名 <strong>1</strong>" in content
    assert (f"第 {result.rank_p05:.0f}–{result.rank_p95:.0f} 名，中位 {result.rank_median:.0f}"
            in content)
    assert "<h1>北京 · 2017 年度信息化发展评价</h1>" in content


def test_the_rank_interval_is_explained_with_the_runs_own_settings(world, client: Client):
    run = world.run2017
    assert (run.replications, run.spread) == (REPLICATIONS, 0.2)
    content = client.get(URL).content.decode()
    assert f"随机扰动 ±20% 后重算排名 {REPLICATIONS} 次" in content
    _response, _html = english(client, URL)
    assert (f"recomputed {REPLICATIONS} times with the weight of each of the 6 dimensions "
            "randomly perturbed by ±20%") in " ".join(_response.content.decode().split())
    result = run.results.get(region__code="110000")
    assert (f"排名区间（90%）：第 {result.rank_p05:.0f}–{result.rank_p95:.0f} 名"
            in content)


def test_the_dimensions_against_the_national_median(world, client: Client):
    _response, html = page(client, URL)
    rows = html.tables["region-dimensions"]
    assert [r[1] for r in rows] == list(BEIJING)
    assert [r[2] for r in rows] == ["20", "20", "20", "15", "15", "10"]
    results = list(world.run2017.results.filter(region__ranked=True))
    beijing = next(r for r in results if r.region_id == world.run2017.results.get(
        region__code="110000").region_id)
    for row, code in zip(rows, ["D1", "D2", "D3", "D4", "D5", "D6"], strict=True):
        median = statistics.median(r.dimensions[code]["points"] for r in results)
        assert Decimal(row[4]) == round_half_up(median)
        assert row[3] == str(beijing.dimensions[code]["rank"])


def test_the_radar_chart_has_the_same_figures_as_its_table(world, client: Client):
    response, html = page(client, URL)
    content = response.content.decode()
    assert 'data-chart="radar"' in content and 'data-chart="line"' in content
    assert '<script src="/static/vendor/echarts.min.js"></script>' in content
    data = chart_data(content)
    rows = html.tables["region-dimensions"]
    assert [i["name"] for i in data["indicators"]] == [r[0] for r in rows]
    assert [i["max"] for i in data["indicators"]] == [20, 20, 20, 15, 15, 10]
    assert data["region"] == [float(r[1]) for r in rows]
    assert data["median"] == [float(r[4]) for r in rows]
    assert data["region_label"] == "北京"
    assert data["history_years"] == [2016, 2017]
    assert data["history_totals"] == [float(r[1]) for r in html.tables["region-history"]]


def test_indicator_values_and_normalised_scores(world, client: Client):
    _response, html = page(client, URL)
    rows = html.tables["region-indicators"]
    indicators = list(world.run2017.model_version.indicators.select_related("dimension"))
    result = world.run2017.results.get(region__code="110000")
    assert len(rows) == len(indicators) > 6
    for row, indicator in zip(rows, indicators, strict=True):
        info = result.indicators[indicator.code]
        assert row[0] == indicator.name_zh and row[1] == indicator.dimension.name_zh
        assert row[2] == str(round_half_up(info["value"]))
        assert row[3] == indicator.unit
        assert Decimal(row[4]) == round_half_up(info["score"] * 100)
        assert Decimal(0) <= Decimal(row[4]) <= Decimal(100)


def test_the_history_across_published_cycles(world, client: Client):
    _response, html = page(client, URL)
    before = world.run2016.results.get(region__code="110000")
    # Both years under the 2017 model: its code, and no note that the models differ.
    now = world.run2017.results.get(region__code="110000")
    # each year with the rank interval stored with its run
    assert html.tables["region-history"] == [
        ["2016", str(round_half_up(before.total)), str(before.rank), "2017",
         f"{before.rank_p05:.0f}–{before.rank_p95:.0f}"],
        ["2017", BEIJING_TOTAL, "1", "2017", f"{now.rank_p05:.0f}–{now.rank_p95:.0f}"],
    ]
    assert 'id="history-models-note"' not in _response.content.decode()
    assert before.rank == 4


def test_the_history_leaves_out_unpublished_runs_and_uses_the_latest_revision(
        world, client: Client):
    cycle = empty_cycle(2018, world.admin)
    load(2018, world.codes, world.admin)
    score(cycle, world.admin)
    revision = score_and_publish(world.cycle2017, world.admin, note="修订")
    _response, html = page(client, URL)
    assert [r[0] for r in html.tables["region-history"]] == ["2016", "2017"]
    content = _response.content.decode()
    assert "第 2 次发布" in content and "修订" in content
    assert revision.publication_number == 2


def test_an_unpublished_run_is_not_found(world, client: Client):
    unpublished = score(world.cycle2017, world.admin)
    assert client.get(f"{URL}?run={unpublished.pk}").status_code == 404
    assert client.get(f"{URL}?run={world.run2017.pk}").status_code == 200
    assert client.get("/rankings/2018/regions/110000/").status_code == 404


def test_an_unknown_region_is_not_found(world, client: Client):
    assert client.get("/rankings/2017/regions/999999/").status_code == 404
    assert client.get("/rankings/regions/999999/").status_code == 404


def test_the_latest_page_of_a_region(world, client: Client):
    response = client.get("/rankings/regions/310000/")
    assert response.status_code == 302
    assert response["Location"] == "/rankings/2017/regions/310000/"


def test_the_corps_has_a_page_without_a_rank(world, client: Client):
    response, html = page(client, f"/rankings/2017/regions/{CORPS}/")
    content = response.content.decode()
    result = world.run2017.results.get(region__code=CORPS)
    assert result.rank is None
    assert f'<strong id="region-total">{round_half_up(result.total)}</strong>' in content
    assert "排名 <strong>" not in content
    assert len(html.tables["region-dimensions"]) == 6


def test_english_names(world, client: Client):
    response, html = english(client, URL)
    content = response.content.decode()
    assert "<title>Beijing · 2017</title>" in content
    assert [r[0] for r in html.tables["region-dimensions"]] == [
        "Information service application", "IT industry", "Industrial digitalisation",
        "Information infrastructure", "Cybersecurity", "Policy environment"]
    assert chart_data(content)["region_label"] == "Beijing"
    assert html.tables["region-indicators"][0][0] == "Internet penetration"


def test_the_language_switch_returns_to_the_region(world, client: Client):
    _response, html = page(client, URL)
    switch = next(f for f in html.forms if f["action"] == "/i18n/setlang/")
    assert switch["inputs"]["next"] == [URL]


def test_the_second_request_comes_from_the_cache(world, client: Client,
                                                 django_assert_max_num_queries):
    first = count_queries(client, URL)
    with django_assert_max_num_queries(2):  # the run and the region's result
        client.get(URL)
    assert first > 2
    assert count_queries(client, "/rankings/2017/regions/310000/") == first  # another page


def test_the_dimension_links_of_a_named_publication_stay_on_it(world, client: Client):
    _response, html = page(client, f"{URL}?run={world.run2017.pk}")
    assert f"/rankings/2017/dimensions/D1/?run={world.run2017.pk}" in [h for h, _t in html.links]
    assert BEIJING_TOTAL in _response.content.decode()

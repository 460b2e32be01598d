"""`/rankings/<year>/dimensions/<code>/`: one ranking per dimension — the dimension's points
and rank, and the values of its indicators — for published runs only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from scoring.selectors import round_half_up
from tests.public.conftest import (
    BEIJING,
    CORPS,
    count_queries,
    empty_caches,
    english,
    page,
    partial_world,
    score,
)

DIMENSIONS = ["D1", "D2", "D3", "D4", "D5", "D6"]


def url(code: str, year: int = 2017) -> str:
    return f"/rankings/{year}/dimensions/{code}/"


@pytest.mark.parametrize("index,code", list(enumerate(DIMENSIONS)))
def test_each_dimension_ranks_the_31_provinces_by_its_points(world, client: Client,
                                                             index: int, code: str):
    _response, html = page(client, url(code))
    rows = html.tables["dimension-table"]
    results = {r.region.code: r for r in world.run2017.results.select_related("region")
               .filter(region__ranked=True)}
    assert len(rows) == len(results) == 31
    codes = [a["data-region"] for a in html.row_attrs["dimension-table"]]
    assert CORPS not in codes
    indicators = list(world.run2017.model_version.indicators.filter(dimension__code=code)
                      .order_by("order"))
    assert len(html.headers["dimension-table"]) == 3 + len(indicators)
    for cells, region_code in zip(rows, codes, strict=True):
        result = results[region_code]
        info = result.dimensions[code]
        assert cells[0] == str(info["rank"])
        assert cells[1] == result.region.short_name_zh
        assert Decimal(cells[2]) == round_half_up(info["points"])
        for cell, indicator in zip(cells[3:], indicators, strict=True):
            value = result.indicators.get(indicator.code, {}).get("value")
            assert cell == ("—" if value is None else str(round_half_up(value)))
    # ordered by the dimension's rank
    ranks = [int(c[0]) for c in rows]
    assert ranks == sorted(ranks) and ranks[0] == 1
    beijing = rows[codes.index("110000")]
    assert beijing[2] == BEIJING[index]


def test_the_page_links_to_the_regions_and_the_other_dimensions(world, client: Client):
    _response, html = page(client, url("D4"))
    hrefs = [h for h, _t in html.links]
    assert "/rankings/2017/regions/110000/" in hrefs
    assert {url(c) for c in DIMENSIONS} <= set(hrefs)
    assert "/rankings/2017/" in hrefs and "/rankings/2017/grid/" in hrefs
    assert f"/rankings/2017/D4.csv?run={world.run2017.pk}" in hrefs


def test_an_unknown_dimension_is_not_found(world, client: Client):
    assert client.get(url("D9")).status_code == 404


def test_an_unpublished_run_is_not_found(world, client: Client):
    unpublished = score(world.cycle2017, world.admin)
    assert client.get(f"{url('D1')}?run={unpublished.pk}").status_code == 404
    assert client.get(url("D1", 2018)).status_code == 404


def test_a_named_publication(world, client: Client):
    _response, html = page(client, f"{url('D1')}?run={world.run2017.pk}")
    assert f"/rankings/2017/regions/110000/?run={world.run2017.pk}" in [h for h, _t in html.links]
    assert client.get(f"{url('D1')}?run={world.run2016.pk}").status_code == 404


def test_english_names(world, client: Client):
    response, html = english(client, url("D4"))
    content = response.content.decode()
    assert "Information infrastructure" in content
    assert "Beijing" in [c[1] for c in html.tables["dimension-table"]]
    header = " ".join(html.headers["dimension-table"])
    for indicator in world.run2017.model_version.indicators.filter(dimension__code="D4"):
        assert indicator.name_en in header and indicator.name_zh not in header


def test_the_second_request_comes_from_the_cache(world, client: Client,
                                                 django_assert_max_num_queries):
    first = count_queries(client, url("D2"))
    with django_assert_max_num_queries(2):  # the run and the dimension
        client.get(url("D2"))
    assert first > 2


def test_the_query_count_does_not_grow_with_the_number_of_regions(world, client: Client):
    partial_world(world, 2019, world.provinces[:10])
    few = count_queries(client, url("D3", 2019))
    empty_caches()
    many = count_queries(client, url("D3"))
    assert few == many <= 9  # + the coverage of the run (the partial-publication banner)

"""`/rankings/<year>/grid/`: the tile grid — one tile per province, placed roughly where it
lies, coloured by its total (darker is higher), each linking to the region's page."""

from __future__ import annotations

import itertools
import re

from django.test import Client

from scoring.selectors import round_half_up
from tests.public.conftest import (
    CORPS,
    count_queries,
    empty_caches,
    english,
    page,
    partial_world,
    score,
)

URL = "/rankings/2017/grid/"
TILE = re.compile(r'<a class="tile shade-(\d) row-(\d+) col-(\d+)" href="([^"]+)" '
                  r'data-region="(\d+)">\s*<span class="tile-name">([^<]+)</span>'
                  r'<span class="tile-total">([^<]+)</span></a>')


NO_DATA = re.compile(r'<span class="tile shade-none row-\d+ col-\d+" data-region="\d+">'
                     r'<span class="tile-name">[^<]+</span><span class="tile-total">无数据</span>')


def tiles(content: str) -> list[tuple[int, int, int, str, str, str, str]]:
    return [(int(s), int(r), int(c), href, code, name, total)
            for s, r, c, href, code, name, total in TILE.findall(content)]


def test_one_tile_per_province_linking_to_its_page(world, client: Client):
    response, _html = page(client, URL)
    found = tiles(response.content.decode())
    results = {r.region.code: r for r in world.run2017.results.select_related("region")}
    assert len(found) == 31
    assert CORPS not in {t[4] for t in found}
    for _shade, row, col, href, code, name, total in found:
        assert href == f"/rankings/2017/regions/{code}/"
        assert name == results[code].region.short_name_zh
        assert total == str(round_half_up(results[code].total))
        assert (row, col) == (results[code].region.grid_row, results[code].region.grid_col)
    # no two provinces on one place of the grid
    assert len({(t[1], t[2]) for t in found}) == 31


def test_darker_tiles_for_higher_totals(world, client: Client):
    response, _html = page(client, URL)
    found = sorted(tiles(response.content.decode()), key=lambda t: float(t[6]), reverse=True)
    shades = [t[0] for t in found]
    assert shades == sorted(shades, reverse=True)
    assert found[0][4] == "110000" and shades[0] == 4 and shades[-1] == 0


def test_each_tile_opens_the_region_page(world, client: Client):
    response, _html = page(client, URL)
    for _s, _r, _c, href, code, _n, _t in tiles(response.content.decode())[:3]:
        _response, html = page(client, href)
        assert html.tables["region-dimensions"]
        assert code in href


def test_an_unpublished_run_is_not_found(world, client: Client):
    unpublished = score(world.cycle2017, world.admin)
    assert client.get(f"{URL}?run={unpublished.pk}").status_code == 404
    assert client.get("/rankings/2018/grid/").status_code == 404


def test_a_named_publication_keeps_its_tiles_on_it(world, client: Client):
    response, _html = page(client, f"{URL}?run={world.run2017.pk}")
    found = tiles(response.content.decode())
    assert found and all(t[3].endswith(f"?run={world.run2017.pk}") for t in found)


def test_english_names(world, client: Client):
    response, _html = english(client, URL)
    names = {t[5] for t in tiles(response.content.decode())}
    assert {"Beijing", "Shanghai", "Guangdong"} <= names
    assert "北京" not in names


def test_the_second_request_comes_from_the_cache(world, client: Client,
                                                 django_assert_max_num_queries):
    first = count_queries(client, URL)
    with django_assert_max_num_queries(1):
        client.get(URL)
    assert first > 1


def test_the_query_count_does_not_grow_with_the_number_of_regions(world, client: Client):
    partial_world(world, 2019, world.provinces[:10])
    response, _html = page(client, "/rankings/2019/grid/")
    assert len(tiles(response.content.decode())) == 10
    # the 21 provinces without data are on the map too, hatched, and the note says so
    content = response.content.decode()
    assert len(NO_DATA.findall(content)) == 21
    assert "21 个地区本次测算没有总分（无数据），方块以斜纹显示。" in content
    empty_caches()
    few = count_queries(client, "/rankings/2019/grid/")
    empty_caches()
    many = count_queries(client, URL)
    assert few == many <= 7  # + the coverage of the run (the partial-publication banner)


def test_the_legend_gives_the_class_breaks_and_a_swatch_for_no_data(world, client: Client):
    response, _html = page(client, URL)
    content = response.content.decode()
    legend = content.split('id="map-legend"', 1)[1].split("</ul>", 1)[0]
    breaks = re.findall(r'<span class="swatch shade-(\d)" aria-hidden="true"></span>'
                        r'([\d.]+)–([\d.]+) 分</li>', legend)
    totals = sorted(round_half_up(r.total) for r in world.run2017.results.filter(
        region__ranked=True))
    assert [int(b[0]) for b in breaks] == [4, 3, 2, 1, 0]  # the darkest, the highest, first
    assert breaks[0][2] == str(totals[-1]) and breaks[-1][1] == str(totals[0])
    for upper, lower in itertools.pairwise(breaks):
        assert upper[1] == lower[2]  # the classes meet
    assert 'class="swatch shade-none"' in legend and "无数据" in legend
    # every tile's shade is the class its total falls in
    for shade, *_rest, total in tiles(content):
        low, high = next((b[1], b[2]) for b in breaks if int(b[0]) == shade)
        assert float(low) <= float(total) <= float(high)
    assert "兵团参与测算但不参与排名，不在图中显示。" in content
    _english, _html = english(client, URL)
    assert "No data" in _english.content.decode()

"""`/rankings/<year>/weights/`: "set your own weights" — a slider per dimension, the published
dimension points for the page's script, the ranking with the official weights first, and a
clear label that the result is not an official ranking. Cached like the other public pages:
the weights stay in the link's fragment, never reach the server."""

from __future__ import annotations

import json

from django.test import Client

from scoring.selectors import round_half_up
from tests.public.conftest import CORPS, count_queries, english, page, partial_world
from tests.test_translations import _chinese_in, _visible_text

URL = "/rankings/2017/weights/"


def data_block(content: str) -> dict:
    return json.loads(content.split('id="weights-data" type="application/json">')[1]
                      .split("</script>")[0])


def test_it_labels_the_page_as_not_an_official_ranking(world, client: Client):
    response, _html = page(client, URL)
    content = response.content.decode()
    assert "非官方排名。" in content and "不是官方发布的排名" in content
    assert 'src="/static/js/weights.js"' in content


def test_a_slider_per_dimension_from_0_to_5_starting_at_a_fifth_of_its_points(
        world, client: Client):
    response, _html = page(client, URL)
    content = response.content.decode()
    for code, default in (("D1", "4"), ("D4", "3"), ("D6", "2")):
        assert (f'<input type="range" id="weight-{code}" name="{code}" min="0" max="5" '
                f'step="0.5" value="{default}" data-code="{code}">') in content
    dimensions = data_block(content)["dimensions"]
    assert [(d["code"], d["points"], d["default"]) for d in dimensions] == [
        ("D1", 20.0, 4.0), ("D2", 20.0, 4.0), ("D3", 20.0, 4.0), ("D4", 15.0, 3.0),
        ("D5", 15.0, 3.0), ("D6", 10.0, 2.0)]


def test_it_publishes_the_dimension_points_at_full_precision(world, client: Client):
    response, _html = page(client, URL)
    regions = data_block(response.content.decode())["regions"]
    results = {r.region.code: r for r in world.run2017.results.select_related("region")}
    assert len(regions) == 31 and CORPS not in {r["code"] for r in regions}
    for region in regions:
        result = results[region["code"]]
        assert region["points"] == [result.dimensions[f"D{j}"]["points"] for j in range(1, 7)]
        assert region["rank"] == result.rank
        assert region["shown"] == str(round_half_up(result.total))
        assert region["interval"] == f"{result.rank_p05:.0f}–{result.rank_p95:.0f}"


def test_the_first_view_is_the_official_ranking(world, client: Client):
    _response, html = page(client, URL)
    rows = html.tables["weights-table"]
    assert len(rows) == 31
    results = {r.region.short_name_zh: r for r in world.run2017.results.select_related(
        "region").filter(region__ranked=True)}
    for your_rank, name, your_total, official_rank, official_total, change, interval in rows:
        result = results[name]
        assert your_rank == official_rank == str(result.rank)
        assert your_total == official_total == str(round_half_up(result.total))
        assert change == "="
        # the official rank with the interval stored with the run
        assert interval == f"{result.rank_p05:.0f}–{result.rank_p95:.0f}"
    assert html.row_attrs["weights-table"][0]["data-total"] == repr(results["北京"].total)


def test_it_is_linked_from_the_rankings_navigation(world, client: Client):
    _response, html = page(client, "/rankings/2017/")
    assert ("/rankings/2017/weights/", "自定权重（非官方）") in html.links


def test_it_keeps_to_a_named_publication(world, client: Client):
    _response, html = page(client, f"/rankings/2016/weights/?run={world.run2016.pk}")
    assert ("/rankings/2016/?run=" + str(world.run2016.pk), "总排名") in html.links
    assert client.get("/rankings/2016/weights/?run=999999").status_code == 404
    assert client.get("/rankings/1999/weights/").status_code == 404


def test_it_is_in_english_for_an_english_browser(world, client: Client):
    response, html = english(client, URL)
    content = response.content.decode()
    assert "Not an official ranking." in content and "Back to the official weights" in content
    assert html.tables["weights-table"][0][1] == "Beijing"
    assert data_block(content)["dimensions"][0]["name"] == "Information service application"
    assert not _chinese_in(_visible_text(content)), _chinese_in(_visible_text(content))


def test_a_second_request_is_served_from_the_cache(world, client: Client,
                                                   django_assert_max_num_queries):
    first = count_queries(client, URL)
    assert first > 1
    with django_assert_max_num_queries(0):  # the whole page from this process's memory
        client.get(URL)


def test_the_query_count_does_not_grow_with_the_number_of_regions(world, client: Client,
                                                                  settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    partial_world(world, 2019, world.provinces[:10])
    few = count_queries(client, "/rankings/2019/weights/")
    many = count_queries(client, URL)
    assert few == many

"""`/rankings/publications/`: every publication of every cycle, revisions with their notes;
never an unpublished run."""

from __future__ import annotations

from django.test import Client

from tests.public.conftest import (
    count_queries,
    english,
    page,
    partial_world,
    score,
    score_and_publish,
)

URL = "/rankings/publications/"


# First in the module: the published world is built at the first test that asks for it.
def test_nothing_published(db, client: Client):
    _response, html = page(client, URL)
    assert html.tables["table1"] == [["尚未发布排名。"]]


def test_the_publications_of_both_cycles(world, client: Client):
    _response, html = page(client, URL)
    rows = html.tables["table1"]
    assert [(r[0], r[1]) for r in rows] == [("2017", "第 1 次发布"), ("2016", "第 1 次发布")]
    hrefs = [h for h, _t in html.links]
    assert f"/rankings/2017/?run={world.run2017.pk}" in hrefs
    assert f"/rankings/2016/?run={world.run2016.pk}" in hrefs


def test_a_revision_is_listed_with_its_note_beside_the_first(world, client: Client):
    revision = score_and_publish(world.cycle2017, world.admin, note="更正上海的两项数据")
    _response, html = page(client, URL)
    rows = html.tables["table1"]
    assert rows[0][:2] == ["2017", "第 2 次发布 · 修订版"] and rows[0][3] == "更正上海的两项数据"
    assert rows[1][:2] == ["2017", "第 1 次发布"]
    hrefs = [h for h, _t in html.links]
    assert f"/rankings/2017/?run={revision.pk}" in hrefs
    assert f"/rankings/2017/?run={world.run2017.pk}" in hrefs
    # the latest is what the year's page shows; the first is still there by its link
    assert "更正上海的两项数据" in client.get("/rankings/2017/").content.decode()
    first = client.get(f"/rankings/2017/?run={world.run2017.pk}").content.decode()
    assert "第 1 次发布" in first.split("<table")[0]


def test_an_unpublished_run_is_not_listed(world, client: Client):
    unpublished = score(world.cycle2017, world.admin)
    _response, html = page(client, URL)
    assert len(html.tables["table1"]) == 2
    assert f"?run={unpublished.pk}" not in " ".join(h for h, _t in html.links)


def test_english(world, client: Client):
    response, html = english(client, URL)
    assert response["Content-Language"] == "en"
    assert len(html.tables["table1"]) == 2


def test_the_query_count_does_not_grow_with_the_number_of_regions_or_runs(world, client: Client):
    before = count_queries(client, URL)
    partial_world(world, 2019, world.provinces[:10])
    score_and_publish(world.cycle2017, world.admin, note="修订")
    assert count_queries(client, URL) == before <= 2

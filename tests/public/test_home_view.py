"""The home page, as a newcomer sees it: a link to the ranking of the latest published cycle,
and a form that leads to the page of their province."""

from __future__ import annotations

from django.test import Client

from accounts import roles
from scoring.services import run_publish
from tests.factories import UserFactory
from tests.public.conftest import (
    empty_cycle,
    load,
    page,
    partial_world,
    score,
    score_and_publish,
)


# First in the module: the published world is built at the first test that asks for it.
def test_before_any_publication_the_home_page_says_so(bootstrapped, client: Client):
    response, html = page(client, "/")
    assert "尚未发布排名" in response.content.decode()
    assert not any(href.startswith("/rankings/20") for href, _t in html.links)
    assert client.get("/rankings/find/?code=110000").status_code == 404


def test_a_partial_year_is_the_default_only_while_no_year_is_complete(bootstrapped,
                                                                      client: Client):
    """Before the published world is built: one partial year is all there is."""
    admin = UserFactory(username="admin-partial", role_names=[roles.ADMINISTRATOR])
    empty_cycle(2017, admin)
    cycle = load(2017, ["110000", "310000"], admin)
    score_and_publish(cycle, admin, allow_incomplete=True)
    assert client.get("/rankings/")["Location"] == "/rankings/2017/"
    assert "部分发布（2/31）" in client.get("/rankings/2017/").content.decode()


def test_the_home_page_links_to_the_latest_ranking(world, client: Client):
    response, html = page(client, "/")
    content = response.content.decode()
    assert 'id="latest-ranking" href="/rankings/2017/"' in content
    links = dict(html.links)
    assert links["/rankings/2017/"] == "查看 2017 年度信息化发展评价指数排名"
    assert "/rankings/2017/grid/" in links
    _response, ranking = page(client, "/rankings/2017/")
    assert len(ranking.tables["ranking-table"]) == 31


def test_the_province_form_leads_to_the_province_page(world, client: Client):
    _response, html = page(client, "/")
    finder = next(f for f in html.forms if f["action"] == "/rankings/find/")
    assert finder["method"] == "get"
    assert "code" in finder["inputs"]
    content = client.get("/").content.decode()
    assert '<option value="310000">上海</option>' in content
    assert content.count("<option ") == 31  # the provinces; the corps is not ranked
    response = client.get("/rankings/find/", {"code": "310000"})
    assert response.status_code == 302
    assert response["Location"] == "/rankings/2017/regions/310000/"
    response = client.get("/rankings/find/", {"code": "310000"}, follow=True)
    assert response.status_code == 200
    assert "<h1>上海 · 2017 年度信息化发展评价</h1>" in response.content.decode()


def test_the_form_refuses_an_unknown_code(world, client: Client):
    assert client.get("/rankings/find/", {"code": "999999"}).status_code == 404
    assert client.get("/rankings/find/").status_code == 404


def test_the_link_follows_a_later_publication_not_an_unpublished_run(world, client: Client):
    cycle = empty_cycle(2018, world.admin)
    load(2018, world.codes, world.admin)
    run = score(cycle, world.admin)
    assert 'href="/rankings/2017/"' in client.get("/").content.decode()  # not yet 2018
    run_publish(run=run, actor=world.admin)
    content = client.get("/").content.decode()
    assert 'id="latest-ranking" href="/rankings/2018/"' in content
    response = client.get("/rankings/find/", {"code": "110000"})
    assert response["Location"] == "/rankings/2018/regions/110000/"


def test_a_revision_keeps_the_link_on_the_year(world, client: Client):
    score_and_publish(world.cycle2017, world.admin, note="修订")
    assert 'id="latest-ranking" href="/rankings/2017/"' in client.get("/").content.decode()


def test_a_partial_later_year_never_replaces_a_complete_one(world, client: Client):
    """Issue 15: a partial publication is not the landing page's default while a complete
    year is published; its own pages stay reachable, marked partial."""
    partial_world(world, 2019, world.provinces[:10])
    content = client.get("/").content.decode()
    assert 'id="latest-ranking" href="/rankings/2017/"' in content
    assert client.get("/rankings/")["Location"] == "/rankings/2017/"
    assert client.get("/rankings/find/", {"code": "110000"})["Location"] == (
        "/rankings/2017/regions/110000/")
    assert "部分发布" in client.get("/rankings/2019/").content.decode()

"""`/rankings/<year>/`: the overall ranking of a published run — six dimension points, total,
rank, tier and rank change against the previous cycle — without login; an unpublished run is
invisible, also by its URL; revisions; the cache by run id; both languages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from scoring.models import UnitResult
from scoring.selectors import ranking_rows
from tests.factories import verified_login
from tests.public.conftest import (
    BEIJING,
    BEIJING_TOTAL,
    CORPS,
    LEADING,
    REPLICATIONS,
    count_queries,
    empty_caches,
    empty_cycle,
    english,
    load,
    page,
    partial_world,
    score,
    score_and_publish,
)

URL = "/rankings/2017/"
DIMENSIONS = ["D1", "D2", "D3", "D4", "D5", "D6"]


def change_text(change: int | None) -> str:
    if change is None:
        return "—"
    return f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "="


# First in the module: the published world is built for the module at the first test that
# asks for it.
def test_nothing_published_yet(bootstrapped, client: Client):
    assert not UnitResult.objects.exists()
    assert client.get(URL).status_code == 404
    response = client.get("/rankings/")
    assert response.status_code == 200 and "尚未发布排名" in response.content.decode()


def test_it_shows_beijing_as_the_report_prints_it(world, client: Client):
    _response, html = page(client, URL)
    first = html.tables["ranking-table"][0]
    # rank, region, six dimensions, total, tier, rank change (fourth in 2016, first in 2017),
    # and the rank's 90 % interval stored with the run
    result = world.run2017.results.get(region__code="110000")
    interval = f"{result.rank_p05:.0f}–{result.rank_p95:.0f}"
    assert first == ["1", "北京", *BEIJING, BEIJING_TOTAL, LEADING, "↑3", interval]
    assert html.row_attrs["ranking-table"][0]["data-region"] == "110000"


def test_every_rank_has_its_interval_and_the_one_line_that_explains_it(world, client: Client):
    response, html = page(client, URL)
    stored = {r.region.code: r for r in world.run2017.results.select_related("region")}
    for attrs, row in zip(html.row_attrs["ranking-table"], html.tables["ranking-table"],
                          strict=True):
        result = stored[attrs["data-region"]]
        assert row[-1] == f"{result.rank_p05:.0f}–{result.rank_p95:.0f}"
    assert html.headers["ranking-table"][-1] == "排名区间（90%）"
    assert f"随机扰动 ±20% 后重算排名 {REPLICATIONS} 次" in response.content.decode()
    english_response, english_html = english(client, URL)
    assert english_html.headers["ranking-table"][-1] == "Rank interval (90%)"
    assert "the narrower it is, the more stable the rank" in english_response.content.decode()


def test_every_row_shows_the_published_values_rounded_as_the_exports_round_them(
        world, client: Client):
    _response, html = page(client, URL)
    rows = html.tables["ranking-table"]
    expected = ranking_rows(world.run2017)
    assert len(rows) == len(expected) == 31
    results = {r.region.code: r for r in world.run2017.results.select_related("region")}
    for cells, attrs, want in zip(rows, html.row_attrs["ranking-table"], expected, strict=True):
        code = want["region_code"]
        assert attrs["data-region"] == code
        assert cells[0] == str(want["rank"])
        assert cells[1] == want["region_name"]
        assert [Decimal(c) for c in cells[2:8]] == [want[d] for d in DIMENSIONS]
        assert Decimal(cells[8]) == want["total"]
        assert cells[9] == (LEADING if want["total"] >= 65 else "")
        assert cells[10] == change_text(results[code].rank_change)
    assert [int(r[0]) for r in rows] == list(range(1, 32))
    # the ranking moved against 2016 in both directions
    assert any(r[10].startswith("↑") for r in rows) and any(r[10].startswith("↓") for r in rows)


def test_the_header_names_the_six_dimensions_with_their_points(world, client: Client):
    _response, html = page(client, URL)
    header = html.headers["ranking-table"]
    assert header[2:8] == ["信息服务应用 20", "信息技术产业 20", "产业数字化 20",
                           "信息基础设施 15", "网络安全 15", "政策环境 10"]


def test_the_first_cycle_has_no_rank_change(world, client: Client):
    _response, html = page(client, "/rankings/2016/")
    rows = html.tables["ranking-table"]
    assert len(rows) == 31
    assert {r[10] for r in rows} == {"—"}
    beijing = next(r for r in rows if r[1] == "北京")
    assert beijing[0] == "4"


def test_the_corps_is_scored_but_not_ranked(world, client: Client):
    _response, html = page(client, URL)
    assert CORPS not in [a["data-region"] for a in html.row_attrs["ranking-table"]]
    corps = UnitResult.objects.get(run=world.run2017, region__code=CORPS)
    unranked = html.tables["unranked-table"]
    assert len(unranked) == 1
    assert unranked[0][:2] == ["不参与排名", corps.region.short_name_zh]
    assert unranked[0][-1] == f"{Decimal(repr(corps.total)).quantize(Decimal('0.01'))}"


def test_the_bar_chart_has_the_table_as_its_alternative(world, client: Client):
    response, html = page(client, URL)
    content = response.content.decode()
    assert 'data-chart="bar"' in content and 'role="img"' in content
    assert '<script src="/static/vendor/echarts.min.js"></script>' in content
    assert '<script src="/static/js/charts.js"></script>' in content
    start = content.index('<script id="chart-data" type="application/json">')
    data = json.loads(content[content.index(">", start) + 1:content.index("</script>", start)])
    rows = html.tables["ranking-table"]
    assert data["labels"] == [r[1] for r in rows]
    assert data["totals"] == [float(r[8]) for r in rows]


def test_the_page_needs_no_login(world, client: Client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "/accounts/login/" not in response.get("Location", "")


def test_the_latest_ranking_redirects_to_the_latest_year(world, client: Client):
    response = client.get("/rankings/")
    assert response.status_code == 302 and response["Location"] == URL


def test_the_years_link_to_each_other(world, client: Client):
    _response, html = page(client, URL)
    hrefs = [href for href, _text in html.links]
    assert "/rankings/2016/" in hrefs and "/rankings/2017/" in hrefs


# --- unpublished runs ------------------------------------------------------------------------


def test_an_unpublished_run_is_not_found_by_its_url(world, client: Client):
    unpublished = score(world.cycle2017, world.admin)
    assert client.get(f"{URL}?run={unpublished.pk}").status_code == 404
    # the latest publication is still the one shown
    _response, html = page(client, URL)
    assert f"?run={world.run2017.pk}" in " ".join(h for h, _t in html.links)
    assert f"?run={unpublished.pk}" not in " ".join(h for h, _t in html.links)


@pytest.mark.parametrize("run", ["99999999999999999999999", "0", "abc", "-1", "1.5"])
def test_a_run_parameter_that_names_no_publication(world, client: Client, run: str):
    """A number no run has (also past the database's integers) is not found; anything that is
    not a number is refused (issue 16: never ignored, never a 500)."""
    status = client.get(f"{URL}?run={run}").status_code
    assert status == (404 if run.isdigit() else 400)
    assert client.get(f"/rankings/2017/overall.csv?run={run}").status_code == status


def test_a_run_of_another_year_is_not_found_under_this_year(world, client: Client):
    assert client.get(f"{URL}?run={world.run2016.pk}").status_code == 404


def test_a_cycle_with_only_unpublished_runs_is_not_found(world, client: Client):
    cycle = empty_cycle(2018, world.admin)
    load(2018, world.codes, world.admin)
    run = score(cycle, world.admin)
    assert client.get("/rankings/2018/").status_code == 404
    assert client.get(f"/rankings/2018/?run={run.pk}").status_code == 404
    assert client.get("/rankings/").headers["Location"] == URL  # still 2017
    _response, html = page(client, URL)
    assert "/rankings/2018/" not in [h for h, _t in html.links]


def test_a_year_without_a_cycle_is_not_found(world, client: Client):
    assert client.get("/rankings/1999/").status_code == 404
    for path in ("", "grid/", "dimensions/D1/", "regions/110000/", "overall.csv"):
        assert client.get(f"/rankings/99999999999999999999999/{path}").status_code == 404


# --- revisions -------------------------------------------------------------------------------


def test_a_revision_is_shown_and_the_first_publication_stays_reachable(world, client: Client):
    page(client, URL)  # the first publication is cached now
    revision = score_and_publish(world.cycle2017, world.admin, note="更正数据")
    _response, html = page(client, URL)
    text = " ".join(h for h, _t in html.links)
    assert f"?run={revision.pk}" in text  # the downloads are those of the revision
    response, html = page(client, URL)
    content = response.content.decode()
    assert "第 2 次发布" in content and "更正数据" in content
    # both publications of the year are listed on the page
    assert f"{URL}?run={world.run2017.pk}" in text and f"{URL}?run={revision.pk}" in text

    response, first = page(client, f"{URL}?run={world.run2017.pk}")
    content = response.content.decode()
    assert "第 1 次发布" in content.split("<table")[0]
    links = [h for h, _t in first.links]
    assert f"/rankings/2017/overall.csv?run={world.run2017.pk}" in links
    # a page pinned to a publication keeps its links on that publication
    assert f"/rankings/2017/regions/110000/?run={world.run2017.pk}" in links
    assert f"/rankings/2017/dimensions/D1/?run={world.run2017.pk}" in links
    assert first.tables["ranking-table"][0][:9] == ["1", "北京", *BEIJING, BEIJING_TOTAL]


# --- both languages --------------------------------------------------------------------------


def test_english_shows_the_english_names(world, client: Client):
    response, html = english(client, URL)
    assert response["Content-Language"] == "en"
    first = html.tables["ranking-table"][0]
    assert first[1] == "Beijing" and first[9] == "Among the national leaders"
    assert "Information infrastructure 15" in html.headers["ranking-table"]
    assert '<html lang="en">' in response.content.decode()


def test_the_languages_are_cached_apart(world, client: Client):
    _r, chinese = page(client, URL)
    _r, in_english = english(client, URL)
    _r, again = page(client, URL)
    assert chinese.tables["ranking-table"][0][1] == again.tables["ranking-table"][0][1] == "北京"
    assert in_english.tables["ranking-table"][0][1] == "Beijing"


@pytest.mark.parametrize("url", [URL, f"{URL}?run=PLACEHOLDER"])
def test_the_language_switch_posts_back_to_the_same_page(world, client: Client, url: str):
    url = url.replace("PLACEHOLDER", str(world.run2017.pk))
    _response, html = page(client, url)
    switch = next(f for f in html.forms if f["action"] == "/i18n/setlang/")
    assert switch["method"] == "post"
    assert switch["inputs"]["next"] == [url] and switch["inputs"]["language"] == ["en"]
    response = client.post("/i18n/setlang/", {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    _response, html = page(client, url)
    assert html.tables["ranking-table"][0][1] == "Beijing"


# --- the cache -------------------------------------------------------------------------------


def test_a_second_request_makes_fewer_queries(world, client: Client, django_assert_max_num_queries):
    first = count_queries(client, URL)
    with django_assert_max_num_queries(1):  # the run itself: the latest may be a new one
        client.get(URL)
    assert first > 1


def test_the_query_count_does_not_grow_with_the_number_of_regions(
        world, client: Client, django_assert_max_num_queries):
    partial_world(world, 2019, world.provinces[:10])
    _response, html = page(client, "/rankings/2019/")
    assert len(html.tables["ranking-table"]) == 10
    empty_caches()
    few = count_queries(client, "/rankings/2019/")
    many = count_queries(client, URL)
    assert few == many
    empty_caches()
    with django_assert_max_num_queries(12):  # built afresh: a fixed number, whatever the regions
        client.get(URL)


def test_the_cache_can_be_turned_off(world, client: Client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    first = count_queries(client, URL)
    assert count_queries(client, URL) == first > 1


def test_a_cached_page_carries_no_other_visitors_header(world, officer_bj):
    """The page's content is cached, not the page: a signed-in officer after the
    administrator sees neither the administrator's name nor their links."""
    admin = Client()
    verified_login(admin, world.admin)
    seen_by_admin = admin.get(URL).content.decode()
    assert 'href="/admin/"' in seen_by_admin and str(world.admin) in seen_by_admin

    officer = Client()
    verified_login(officer, officer_bj)
    content = officer.get(URL).content.decode()
    assert 'href="/admin/"' not in content and str(world.admin) not in content
    assert str(officer_bj) in content
    _r, html = page(officer, URL)
    assert html.tables["ranking-table"][0][1] == "北京"


def test_the_next_visitor_can_switch_language_on_a_cached_page(world):
    """The language switch needs no CSRF token, so a page served whole from the cache works
    for the next visitor too, even one whose client enforces CSRF checks."""
    page(Client(), URL)  # the first visitor fills the cache
    visitor = Client(enforce_csrf_checks=True)
    response, html = page(visitor, URL)
    assert "csrftoken" not in response.cookies
    switch = next(f for f in html.forms if f["action"] == "/i18n/setlang/")["inputs"]
    assert "csrfmiddlewaretoken" not in switch
    answer = visitor.post("/i18n/setlang/", {"language": "en", "next": URL})
    assert answer.status_code == 302 and answer["Location"] == URL
    _r, html = page(visitor, URL)
    assert html.tables["ranking-table"][0][1] == "Beijing"


def test_the_page_prints_without_its_navigation(world, client: Client):
    content = client.get(URL).content.decode()
    assert 'class="sub-nav no-print"' in content
    assert '<p class="no-print">' in content  # the download links

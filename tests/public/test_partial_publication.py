"""A partial publication (issue 15, point 2): a run covering 2 of the 31 ranked regions,
published with the explicit choice, is marked as partial everywhere — a banner with
部分发布 and 2/31 on every public page of its year, the title rows of its downloads, the
``overall.json`` — and is never mistaken for a whole year: no rank changes against or from
it, its medians provisional and counted, and the landing page stays on the complete year."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from public import downloads
from scoring.models import ScoringRun
from scoring.selectors import rank_changes_shown, run_coverage
from tests.public.conftest import (
    download_table,
    english,
    page,
    partial_world,
    score_and_publish,
)

PARTIAL_YEAR = 2018
BANNER_ZH = "部分发布（2/31）"
BANNER_EN = "Partial publication (2/31)"
PAGES = ["/rankings/{y}/", "/rankings/{y}/grid/", "/rankings/{y}/weights/",
         "/rankings/{y}/dimensions/D1/", "/rankings/{y}/regions/110000/"]


@pytest.fixture
def partial(world) -> ScoringRun:
    """2018: only 北京 and 上海 approved, published with "allow incomplete"."""
    return partial_world(world, PARTIAL_YEAR, ["110000", "310000"])


def test_the_coverage_of_a_partial_and_a_complete_run(world, partial):
    assert (run_coverage(partial).covered, run_coverage(partial).of) == (2, 31)
    assert run_coverage(partial).partial
    assert not run_coverage(world.run2017).partial  # the corps is not counted: 31/31


@pytest.mark.parametrize("url", PAGES)
def test_every_page_of_the_partial_year_carries_the_banner(partial, client: Client, url: str):
    response, _html = page(client, url.format(y=PARTIAL_YEAR))
    content = response.content.decode()
    assert 'id="partial-banner"' in content and BANNER_ZH in content
    response, _html = english(client, url.format(y=PARTIAL_YEAR))
    content = response.content.decode()
    assert BANNER_EN in content and "部分发布" not in content


@pytest.mark.parametrize("url", PAGES)
def test_a_complete_year_has_no_banner(partial, client: Client, url: str):
    response, _html = page(client, url.format(y=2017))
    assert 'id="partial-banner"' not in response.content.decode()


def test_no_rank_change_from_a_partial_year(partial, client: Client):
    assert partial.previous_run_id is not None  # 2017 was there to compare with
    assert not rank_changes_shown(partial)
    response, html = page(client, f"/rankings/{PARTIAL_YEAR}/")
    assert [row[-2] for row in html.tables["ranking-table"]] == ["—", "—"]
    assert 'id="rank-change-note"' in response.content.decode()
    region = client.get(f"/rankings/{PARTIAL_YEAR}/regions/110000/").content.decode()
    assert "排名变化：—（两次发布中有部分发布，排名不可比）" in region


def test_no_rank_change_of_a_complete_year_against_a_partial_one(world, partial,
                                                                  client: Client):
    from tests.public.conftest import empty_cycle, load

    cycle = empty_cycle(PARTIAL_YEAR + 1, world.admin)
    load(PARTIAL_YEAR + 1, world.codes, world.admin)
    complete = score_and_publish(cycle, world.admin)
    assert complete.previous_run_id == partial.pk
    assert not rank_changes_shown(complete)
    _response, html = page(client, f"/rankings/{PARTIAL_YEAR + 1}/")
    assert {row[-2] for row in html.tables["ranking-table"]} == {"—"}


def test_rank_changes_between_two_complete_years_stay(world, partial, client: Client):
    assert rank_changes_shown(world.run2017)
    _response, html = page(client, "/rankings/2017/")
    beijing = next(r for r in html.tables["ranking-table"] if r[1] == "北京")
    assert beijing[-2] == "↑3"


def test_the_median_of_a_partial_year_is_provisional_and_counted(partial, client: Client):
    response, _html = page(client, f"/rankings/{PARTIAL_YEAR}/regions/110000/")
    content = response.content.decode()
    assert "已发布地区中位数（暂定，31 个地区中的 2 个）" in content
    assert "全国中位数" not in content
    response, _html = english(client, f"/rankings/{PARTIAL_YEAR}/regions/110000/")
    assert "Median of the published regions (provisional, 2 of 31 regions)" in (
        response.content.decode())


def test_the_region_history_marks_the_partial_year(partial, client: Client):
    _response, html = page(client, f"/rankings/{PARTIAL_YEAR}/regions/110000/")
    years = {row[0]: row for row in html.tables["region-history"]}
    assert "部分发布 2/31" in years[f"{PARTIAL_YEAR} 部分发布 2/31"][0]
    assert "2017" in years


def test_the_publications_page_marks_it(partial, client: Client):
    content = client.get("/rankings/publications/").content.decode()
    assert "部分发布 2/31" in content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("table", ["overall", "D1"])
def test_the_downloads_say_so_in_their_title_rows(partial, client: Client, fmt: str,
                                                  table: str):
    url = f"/rankings/{PARTIAL_YEAR}/{table}.{fmt}"
    found = download_table(client.get(url).content, fmt)
    assert "部分发布 2/31" in found.title
    assert found.meta["发布范围"].startswith("部分发布：只覆盖 31 个地区中的 2 个（2/31）")
    found = download_table(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content, fmt)
    assert "Partial publication 2/31" in found.title
    assert "2/31" in found.meta["Coverage"]


def test_the_pdf_document_carries_the_same_title_rows(partial):
    """The PDF is written from the same ``Document`` as the CSV and xlsx (public.pdf)."""
    document = downloads.table_document(partial, "overall")
    assert "部分发布 2/31" in document.title
    assert dict(document.meta)["发布范围"].startswith("部分发布")
    assert document.notes[2].startswith("排名变化：不显示")
    response = downloads.table_document(partial, "D1")
    assert "部分发布 2/31" in response.title


def test_a_complete_year_has_no_partial_rows(world, client: Client):
    found = download_table(client.get("/rankings/2017/overall.csv").content, "csv")
    assert "部分发布" not in found.title and "发布范围" not in found.meta


def test_the_overall_json_of_a_partial_year(partial, client: Client):
    response = client.get(f"/rankings/{PARTIAL_YEAR}/overall.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert list(data) == ["year", "model_version", "partial", "covered", "of", "rows"]
    assert (data["year"], data["model_version"]) == (PARTIAL_YEAR, "2017")
    assert (data["partial"], data["covered"], data["of"]) == (True, 2, 31)
    assert [row["region_code"] for row in data["rows"]] == ["110000", "310000"]
    assert all(row["rank_change"] is None for row in data["rows"])


def test_the_overall_json_of_a_complete_year(world, client: Client):
    _response, html = page(client, "/rankings/2017/")
    assert dict(html.links).get(f"/rankings/2017/overall.json?run={world.run2017.pk}") == "JSON"
    data = json.loads(client.get("/rankings/2017/overall.json").content)
    assert (data["partial"], data["covered"], data["of"]) == (False, 31, 31)
    assert len(data["rows"]) == 31
    beijing = next(r for r in data["rows"] if r["region_code"] == "110000")
    assert beijing["rank_change"] == 3 and isinstance(beijing["total"], float)


def test_the_overall_json_of_a_named_publication_and_none(world, client: Client):
    url = f"/rankings/2017/overall.json?run={world.run2016.pk}"
    assert client.get(url).status_code == 404  # a run of another year
    assert client.get("/rankings/2031/overall.json").status_code == 404


def test_the_year_list_marks_the_partial_year(partial, client: Client):
    content = client.get("/rankings/2017/").content.decode()
    years = content.split("年度：", 1)[1].split("</p>", 1)[0]
    mark = '<span class="partial-mark">（部分发布）'
    assert f'href="/rankings/{PARTIAL_YEAR}/">{PARTIAL_YEAR}</a>{mark}' in years
    assert '2017</a><span class="partial-mark">' not in years


def test_the_api_says_a_publication_is_partial_and_shows_no_rank_change(world, partial,
                                                                        client: Client):
    year = client.get(f"/api/v1/years/{PARTIAL_YEAR}/").json()
    latest = year["publications"][0]
    assert (latest["partial"], latest["covered"], latest["of"]) == (True, 2, 31)
    ranking = client.get(f"/api/v1/years/{PARTIAL_YEAR}/ranking/").json()
    assert ranking["publication"]["partial"] is True
    assert [row["previous_rank"] for row in ranking["results"]] == [None, None]
    region = client.get(f"/api/v1/years/{PARTIAL_YEAR}/regions/110000/").json()
    assert (region["previous_rank"], region["rank_change"]) == (None, None)

    complete = client.get("/api/v1/years/2017/regions/110000/").json()
    assert complete["rank_change"] is not None  # between two complete years it stays
    assert client.get("/api/v1/years/2017/").json()["publications"][0]["partial"] is False

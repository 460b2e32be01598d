"""The published data for everyone: years, publications, rankings, results, models, targets."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from indicators.models import ModelVersion
from indicators.selectors import model_export
from tests.public.conftest import score_and_publish

pytestmark = pytest.mark.django_db


def _get(client, path: str, status: int = 200, **extra):
    response = client.get(path, **extra)
    assert response.status_code == status, (path, response.content[:300])
    return response.json()


def test_it_lists_the_published_years_with_their_publications(api_world):
    years = _get(api_world.client(), "/api/v1/years/")["results"]
    assert [y["year"] for y in years] == [2017, 2016]  # 2018 is not published
    assert years[0]["publications"][0]["publication_number"] == 1
    assert _get(api_world.client(), "/api/v1/years/2017/")["year"] == 2017
    assert _get(api_world.client(), "/api/v1/years/2018/", 404)["code"] == "NOT_FOUND"


def test_the_ranking_has_the_fields_of_export_rankings_and_the_intervals(api_world, tmp_path):
    call_command("export_rankings", "--cycle", "2017", "--format", "json",
                 "-o", str(tmp_path / "r.json"))
    exported = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    data = _get(api_world.client(), "/api/v1/years/2017/ranking/")
    rows = data["results"]
    assert data["count"] == 31 and data["publication"]["publication_number"] == 1
    assert [{key: row[key] for key in exported[0]} for row in rows] == exported
    for row in rows:
        assert row["year"] == 2017
        assert row["rank_p05"] <= row["rank_median"] <= row["rank_p95"]


def test_the_ranking_is_paginated_and_filtered_by_region(api_world):
    page = _get(api_world.client(), "/api/v1/years/2017/ranking/?page_size=10")
    assert len(page["results"]) == 10 and page["next"]
    second = _get(api_world.client(), page["next"])
    assert second["results"][0]["rank"] == 11
    beijing = _get(api_world.client(), "/api/v1/years/2017/ranking/?region_code=110000")
    assert [r["region_code"] for r in beijing["results"]] == ["110000"]


def test_an_earlier_publication_stays_as_it_was(api_world):
    published = api_world.published
    revision = score_and_publish(published.cycle2017, published.admin, note="revision")
    latest = _get(api_world.client(), "/api/v1/years/2017/ranking/")
    first = _get(api_world.client(), "/api/v1/years/2017/ranking/?publication=1")
    assert latest["publication"]["run_id"] == revision.pk
    assert latest["publication"]["revision_of"] == 1
    assert first["publication"]["run_id"] == published.run2017.pk
    _get(api_world.client(), "/api/v1/years/2017/ranking/?publication=9", 404)


def test_a_regions_results_in_the_language_asked(api_world):
    data = _get(api_world.client(), "/api/v1/years/2017/regions/110000/",
                HTTP_ACCEPT_LANGUAGE="en")
    assert (data["year"], data["region_code"], data["region_name"]) == (2017, "110000",
                                                                       "Beijing")
    assert data["total"] == 82.97 and data["rank"] == 1
    assert [d["points"] for d in data["dimensions"]] == [16.57, 17.33, 18.32, 13.65, 7.66,
                                                         9.44]
    assert data["dimensions"][0]["name"] == "Information service application"
    chinese = _get(api_world.client(), "/api/v1/years/2017/regions/110000/",
                   HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese["region_name"] == "北京"
    _get(api_world.client(), "/api/v1/years/2017/regions/999999/", 404)


def test_results_are_filtered_by_region_and_year(api_world):
    beijing = _get(api_world.client(), "/api/v1/results/?region_code=110000")["results"]
    assert [(r["year"], r["region_code"]) for r in beijing] == [(2017, "110000"),
                                                               (2016, "110000")]
    assert beijing[1]["rank"] == 4 and beijing[0]["rank_change"] == 3
    year = _get(api_world.client(), "/api/v1/results/?year=2016&page_size=1000")
    assert year["count"] == 32 and {r["year"] for r in year["results"]} == {2016}


def test_the_model_versions_in_full(api_world):
    versions = _get(api_world.client(), "/api/v1/model-versions/")["results"]
    assert [v["code"] for v in versions] == ["2017"]
    data = _get(api_world.client(), "/api/v1/model-versions/2017/")
    assert data["document"] == json.loads(json.dumps(model_export(
        version=ModelVersion.objects.get(code="2017"))))
    assert data["cycles"] == [2016, 2017, 2018]


def test_the_targets_without_the_unpublished_aggregates(api_world):
    targets = _get(api_world.client(), "/api/v1/targets/")["results"]
    assert len(targets) == 14
    assert all("provincial" not in t for t in targets)
    assert targets[0]["values"]["2017"]["value"] is not None


def test_the_regions_by_their_codes(api_world):
    regions = _get(api_world.client(), "/api/v1/regions/?page_size=100")["results"]
    assert regions[0] == {"region_code": "110000", "name": "北京市", "name_zh": "北京市",
                          "name_en": "Beijing", "short_name": "北京",
                          "macro_region": "east", "ranked": True}


def test_a_publication_is_read_once_then_from_the_cache(api_world,
                                                        django_assert_max_num_queries):
    client = api_world.client()
    client.get("/api/v1/years/2017/ranking/")
    with django_assert_max_num_queries(2):  # the publication; the rows come from the cache
        client.get("/api/v1/years/2017/ranking/")


def test_the_rankings_queries_do_not_grow_with_the_regions(api_world,
                                                          django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = api_world.client().get("/api/v1/years/2017/ranking/")
    assert response.json()["count"] == 31


def test_a_public_answer_may_be_cached_by_a_proxy(api_world):
    response = api_world.client().get("/api/v1/years/")
    assert "max-age" in response["Cache-Control"] and "public" in response["Cache-Control"]

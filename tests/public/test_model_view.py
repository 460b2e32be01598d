"""The published methodology: a page per model version that a published ranking was scored
under (``public:model``), its PDF, the list of them and the comparison of two, in Chinese and
in English; a draft is not public."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from indicators.models import ModelVersion
from indicators.services import model_version_derive
from tests.model_worlds import pdf_text
from tests.public.conftest import english, page

DIMENSIONS_ZH = ["信息服务应用", "信息技术产业", "产业数字化"]


def test_the_page_documents_the_model_from_its_data(world, client: Client):
    _response, html = page(client, reverse("public:model", args=["2017"]))
    dims = html.tables["model-dimensions"]
    assert [row[0] for row in dims] == ["D1", "D2", "D3", "D4", "D5", "D6", ""]
    assert [row[2] for row in dims] == ["20", "20", "20", "15", "15", "10", "100"]
    i11 = next(r for r in html.tables["indicators-D1"] if r[0].startswith("I11"))
    assert i11[1].startswith("E101 / P01 * 100")
    assert "E101 网民数量" in i11[1] and "P01 常住人口" in i11[1]
    assert i11[2:5] == ["%", "越高越好", "门槛值 0–100"]
    assert i11[5] == "1 占 25.0%"
    i52 = next(r for r in html.tables["indicators-D5"] if r[0].startswith("I52"))
    assert i52[3:5] == ["越低越好", "门槛值 0–50"]
    i61 = html.tables["indicators-D6"][0]
    assert i61[4] == "等级 0–3"
    e601 = next(r for r in html.tables["model-elements"] if r[0] == "E601")
    assert e601[3] == "等级 0–3 0 无，1 起步，2 基本健全，3 健全"
    assert "位于全国前列（总分 65 分及以上）" in _response.content.decode()


def test_the_page_in_english(world, client: Client):
    response, html = english(client, reverse("public:model", args=["2017"]))
    text = response.content.decode()
    assert "Information service application" in text
    assert "Among the national leaders (total 65 or more)" in text
    i52 = next(r for r in html.tables["indicators-D5"] if r[0].startswith("I52"))
    assert i52[3:5] == ["lower is better", "goalposts 0–50"]
    assert "信息服务应用" not in text


def test_the_pdf_is_the_same_documentation(world, client: Client):
    response = client.get(reverse("public:model_pdf", args=["2017"]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert all(name in text for name in DIMENSIONS_ZH)
    assert "E503 / E502 * 100" in text and "位于全国前列" in text
    english_text = pdf_text(client.get(reverse("public:model_pdf", args=["2017"]),
                                       HTTP_ACCEPT_LANGUAGE="en").content)
    assert "Information service application" in english_text
    assert "Among the national leaders (total 65 or more)" in english_text


def test_a_draft_is_not_public(world, client: Client):
    model_version_derive(source=ModelVersion.objects.get(code="2017"), code="2099",
                         year=2099, actor=world.admin)
    for url in (reverse("public:model", args=["2099"]),
                reverse("public:model_pdf", args=["2099"]),
                reverse("public:model_diff", args=["2017", "2099"])):
        assert client.get(url).status_code == 404
    response, _html = page(client, reverse("public:models"))
    assert "2099" not in response.content.decode()


def test_the_list_names_the_published_models(world, client: Client,
                                             django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response, _html = page(client, reverse("public:models"))
    assert reverse("public:model", args=["2017"]) in response.content.decode()


def test_the_ranking_pages_link_to_their_models_methodology(world, client: Client):
    _response, html = page(client, "/rankings/2017/")
    assert (reverse("public:model", args=["2017"]), "指标体系说明") in html.links


def test_the_comparison_of_a_model_with_itself(world, client: Client):
    response, _html = page(client, reverse("public:model_diff", args=["2017", "2017"]))
    assert 'id="diff-identical"' in response.content.decode()

"""The administrators' editor of a draft model version (``indicators:edit``): every save goes
through the model file's validator, every problem is shown at its field, nothing is saved
while one remains; a valid save replaces the draft, is audited, and exports as it was saved."""

from __future__ import annotations

import html as html_module
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from indicators.models import Indicator, ModelVersion
from indicators.selectors import model_export
from indicators.services import model_version_derive
from tests.public.conftest import Tables


@pytest.fixture
def draft(administrator) -> ModelVersion:
    return model_version_derive(source=ModelVersion.objects.get(code="2017"), code="2018",
                                year=2018, actor=administrator)


def _url(version: ModelVersion, page: str) -> str:
    return reverse("indicators:edit", args=[version.pk, page])


def _form_data(client: Client, url: str) -> dict[str, Any]:
    """The page's form as a browser would post it unchanged."""
    html = client.get(url).content.decode()
    data: dict[str, Any] = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None or name.group(1) == "csrfmiddlewaretoken":
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = html_module.unescape(value.group(1)) if value else ""
    for select in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        # As a browser does: the selected option, or the first.
        chosen = (re.search(r'<option value="([^"]*)"[^>]*selected', select.group(2))
                  or re.search(r'<option value="([^"]*)"', select.group(2)))
        data[select.group(1)] = chosen.group(1) if chosen else ""
    return data


def _row(data: dict[str, Any], section: str, code: str) -> str:
    """The form prefix (``indicators-3``) of the row whose code is ``code``."""
    return next(k.rsplit("-", 1)[0] for k, v in data.items()
                if k.startswith(f"{section}-") and k.endswith("-code") and v == code)


def _extra(data: dict[str, Any], section: str) -> str:
    return f"{section}-{int(data[f'{section}-TOTAL_FORMS']) - 1}"


def test_it_shows_the_drafts_sections_as_forms(admin_client_, draft):
    for page in ("version", "structure", "elements", "rules", "tiers"):
        response = admin_client_.get(_url(draft, page))
        assert response.status_code == 200, page
    tables = Tables(admin_client_.get(_url(draft, "structure")).content.decode())
    assert len(tables.tables["edit-dimensions"]) == 6 + 1  # and one empty row to add
    assert len(tables.tables["edit-indicators"]) == 22 + 1


def test_a_page_unchanged_saves_nothing(admin_client_, draft):
    url = _url(draft, "elements")
    before = draft.source_sha256
    data = _form_data(admin_client_, url)
    row = _extra(data, "elements")  # an empty row whose lists were left as they were shown
    data.update({f"{row}-kind": "number", f"{row}-aggregation": "sum"})
    response = admin_client_.post(url, data, follow=True)
    assert "没有修改" in response.content.decode()
    draft.refresh_from_db()
    assert draft.source_sha256 == before
    assert not AuditEntry.objects.filter(action="model.update").exists()


def test_it_adds_a_dimension_with_its_indicator_and_moves_points_in_one_save(
        admin_client_, draft):
    elements = _url(draft, "elements")
    data = _form_data(admin_client_, elements)
    row = _extra(data, "elements")
    data.update({f"{row}-code": "E701", f"{row}-name_zh": "政务服务事项网上可办率",
                 f"{row}-unit": "%", f"{row}-kind": "number", f"{row}-min": "0",
                 f"{row}-max": "100", f"{row}-aggregation": "none",
                 f"{row}-yoy_threshold": "0.3"})
    assert admin_client_.post(elements, data).status_code == 302
    structure = _url(draft, "structure")
    data = _form_data(admin_client_, structure)
    dim, ind = _extra(data, "dimensions"), _extra(data, "indicators")
    data.update({f"{_row(data, 'dimensions', 'D1')}-points": "15",
                 f"{dim}-code": "D7", f"{dim}-name_zh": "数字政府建设",
                 f"{dim}-name_en": "Digital government", f"{dim}-points": "5",
                 f"{ind}-code": "I71", f"{ind}-dimension": "D7",
                 f"{ind}-name_zh": "政务服务网上可办率", f"{ind}-formula": "E701",
                 f"{ind}-unit": "%", f"{ind}-direction": "+", f"{ind}-normalisation": "goalposts",
                 f"{ind}-lower": "0", f"{ind}-upper": "100", f"{ind}-weight": "1",
                 f"{_row(data, 'indicators', 'I14')}-DELETE": "on"})
    response = admin_client_.post(structure, data)
    assert response.status_code == 302, _problems(response)
    draft.refresh_from_db()
    points = {d.code: float(d.points) for d in draft.dimensions.all()}
    assert points["D1"] == 15 and points["D7"] == 5 and sum(points.values()) == 100
    assert Indicator.objects.get(version=draft, code="I71").dimension.code == "D7"
    assert not draft.indicators.filter(code="I14").exists()
    # What was saved is the version's document, exported as it is stored.
    assert model_export(version=draft) == draft.source
    updates = AuditEntry.objects.filter(action="model.update", object_id=str(draft.pk))
    assert updates.count() == 2 and {e.data["how"] for e in updates} == {"editor"}


def _problems(response: Any) -> str:
    return " | ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>',
                                 response.content.decode(), re.S))


def test_it_shows_every_problem_at_its_field_and_saves_nothing(admin_client_, draft):
    url = _url(draft, "structure")
    data = _form_data(admin_client_, url)
    i11, i21, i52 = (_row(data, "indicators", c) for c in ("I11", "I21", "I52"))
    data.update({
        f"{_row(data, 'dimensions', 'D1')}-points": "25",   # the points sum to 105
        f"{i11}-formula": "E999 / P01 * 100",                # an element that does not exist
        f"{i21}-weight": "-1",                              # a weight that is not positive
        f"{i52}-upper": "abc",                              # not a number
    })
    before = (draft.source_sha256, AuditEntry.objects.count())
    response = admin_client_.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    rows = _rows_with_errors(html)
    assert "E999" in rows["I11"]["formula"]
    assert "权重必须为正数" in rows["I21"]["weight"]
    assert "上门槛必须是数字" in rows["I52"]["upper"]
    section = html.split('id="dimensions-errors"', 1)[1].split("</ul>", 1)[0]
    assert "各方面分值之和为 105，应为 100" in section
    draft.refresh_from_db()
    assert (draft.source_sha256, AuditEntry.objects.count()) == before


def _rows_with_errors(html: str) -> dict[str, dict[str, str]]:
    """code → field name → the errors under that field, for every row of the page."""
    result: dict[str, dict[str, str]] = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        code = re.search(r'name="[a-z]+-\d+-code"[^>]*value="([^"]*)"', row)
        if code is None:
            continue
        fields: dict[str, str] = {}
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S):
            name = re.search(r'name="[a-z]+-\d+-([a-z_A-Z]+)"', cell)
            errors = re.findall(r"<li>(.*?)</li>", cell, re.S)
            if name and errors:
                fields[name.group(1)] = " ".join(errors)
        result[code.group(1)] = fields
    return result


def test_a_problem_of_another_page_is_named_above_the_form(admin_client_, draft):
    url = _url(draft, "elements")
    data = _form_data(admin_client_, url)
    data[f"{_row(data, 'elements', 'E102')}-DELETE"] = "on"  # I12's formula reads it
    response = admin_client_.post(url, data)
    assert response.status_code == 200
    other = response.content.decode().split('id="other-problems"', 1)[1].split("</div>", 1)[0]
    assert "评价指标 I12" in other and "E102" in other
    assert draft.elements.filter(code="E102").exists()


def test_it_edits_the_level_names_of_an_ordinal_element(admin_client_, draft):
    url = _url(draft, "elements")
    data = _form_data(admin_client_, url)
    row = _row(data, "elements", "E601")
    data[f"{row}-levels_zh"] = "无；初建；健全"  # three names for four levels
    data[f"{row}-levels_en"] = "none; set up; complete"
    response = admin_client_.post(url, data)
    assert "等级名称应有 4 个（0 至 3 级各一个），现有 3 个" in _rows_with_errors(
        response.content.decode())["E601"]["levels_zh"]
    data[f"{row}-levels_zh"] = "无；初建；推进；健全"
    data[f"{row}-levels_en"] = "none; set up; advancing; complete"
    assert admin_client_.post(url, data).status_code == 302
    element = draft.elements.get(code="E601")
    assert [level["label_zh"] for level in element.levels] == ["无", "初建", "推进", "健全"]
    assert element.levels[1]["label_en"] == "set up"


def test_it_edits_the_versions_year_and_titles(admin_client_, draft):
    url = _url(draft, "version")
    data = _form_data(admin_client_, url)
    data.update({"version-year": "2019", "version-title_zh": "指标体系（2019 征求意见稿）"})
    assert admin_client_.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert (draft.year, draft.title_zh) == (2019, "指标体系（2019 征求意见稿）")
    data["version-year"] = "明年"
    response = admin_client_.post(url, data)
    assert "缺失或不是年份" in response.content.decode()


def test_it_shows_the_problems_in_english_on_an_english_page(admin_client_, draft):
    url = _url(draft, "structure")
    data = _form_data(admin_client_, url)
    data[f"{_row(data, 'indicators', 'I21')}-weight"] = "0"
    response = admin_client_.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "weight must be positive" in _rows_with_errors(html)["I21"]["weight"]
    assert "权重" not in html


def test_it_refuses_a_crafted_post_without_its_management_form(admin_client_, draft):
    response = admin_client_.post(_url(draft, "structure"), {"dimensions-0-code": "X"})
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.dimensions.count() == 6


def test_an_unknown_page_leads_to_the_first(admin_client_, draft):
    response = admin_client_.get(_url(draft, "nothing"))
    assert response.status_code == 302
    assert response["Location"] == _url(draft, "structure")


def test_it_is_the_administrators_alone(auditor_client, reviewer_client, draft):
    for client in (auditor_client, reviewer_client):
        assert client.get(_url(draft, "structure")).status_code == 403
    assert auditor_client.post(_url(draft, "structure"), {}).status_code == 403


def test_it_answers_404_for_an_unknown_version(admin_client_, draft):
    assert admin_client_.get(reverse("indicators:edit", args=[draft.pk + 999,
                                                              "structure"])).status_code == 404

"""The administrators' pages of the model versions: the list (``indicators:models``), a
version (``indicators:model``), its file (``indicators:file``) and the comparison of two
(``indicators:compare``). Administrators and auditors read them."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from indicators.models import ModelVersion
from indicators.selectors import model_export_text
from indicators.services import MODEL_2017_FILE, model_version_derive
from submissions.services.cycles import cycle_create
from tests.model_worlds import import_document, model_2018_document
from tests.public.conftest import Tables


@pytest.fixture
def versions(administrator) -> tuple[ModelVersion, ModelVersion]:
    v2017 = ModelVersion.objects.get(code="2017")
    cycle_create(year=2017, model_version=v2017, opens_on=date(2018, 1, 1),
                 deadline=date(2018, 3, 31), actor=administrator)
    return v2017, model_version_derive(source=v2017, code="2018", year=2018,
                                       actor=administrator)


def test_the_list_shows_each_version_frozen_or_draft(admin_client_, versions,
                                                     django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = admin_client_.get(reverse("indicators:models"))
    rows = Tables(response.content.decode()).tables["model-versions"]
    assert [r[0] for r in rows] == ["2018", "2017"]
    assert rows[0][3] == "草稿，可修改" and rows[0][4] == "2017"
    assert rows[1][3] == "已冻结（1 个填报周期使用）"


def test_the_lists_queries_do_not_grow_with_the_versions(admin_client_, versions,
                                                         django_assert_num_queries):
    admin_client_.get(reverse("indicators:models"))
    # session, user, the second factor's device, roles, versions
    with django_assert_num_queries(5):
        admin_client_.get(reverse("indicators:models"))
    for year in (2019, 2020, 2021):
        model_version_derive(source=versions[0], code=str(year), year=year, actor=None)
    with django_assert_num_queries(5):
        admin_client_.get(reverse("indicators:models"))


def test_a_version_shows_its_documentation_and_what_may_be_done(admin_client_, versions):
    v2017, draft = versions
    html = admin_client_.get(reverse("indicators:model", args=[v2017.pk])).content.decode()
    assert 'id="model-frozen"' in html and "2017 年度的填报周期使用本版本" in html
    assert reverse("indicators:edit", args=[v2017.pk, "structure"]) not in html
    assert 'id="derive-form"' in html
    tables = Tables(html)
    assert [r[0] for r in tables.tables["model-dimensions"][:-1]] == [
        "D1", "D2", "D3", "D4", "D5", "D6"]
    html = admin_client_.get(reverse("indicators:model", args=[draft.pk])).content.decode()
    assert 'id="model-draft"' in html
    assert reverse("indicators:edit", args=[draft.pk, "structure"]) in html


def test_auditors_read_a_version_without_its_buttons(auditor_client, versions):
    html = auditor_client.get(reverse("indicators:model", args=[versions[1].pk])
                              ).content.decode()
    assert 'id="derive-form"' not in html and "/edit/" not in html


def test_the_file_is_the_versions_export_byte_for_byte(admin_client_, versions):
    v2017 = versions[0]
    response = admin_client_.get(reverse("indicators:file", args=[v2017.pk]))
    assert response.content == model_export_text(version=v2017).encode()
    assert response.content == MODEL_2017_FILE.read_bytes()  # the shipped file, as it is
    assert json.loads(response.content) == v2017.source


def test_the_comparison_shows_old_and_new_per_attribute(admin_client_, bootstrapped):
    import_document(model_2018_document())
    ids = dict(ModelVersion.objects.values_list("code", "pk"))
    html = admin_client_.get(reverse("indicators:compare"),
                             {"old": ids["2017"], "new": ids["2018"]}).content.decode()
    assert 'data-code="D1" data-attribute="points"' in html
    row = html.split('data-code="D1" data-attribute="points"', 1)[1].split("</tr>", 1)[0]
    assert "<td>20</td><td>15</td>" in row.replace(" ", "")
    assert 'id="diff-tiers"' in html


def test_the_comparison_without_a_choice_shows_the_form(admin_client_, versions):
    response = admin_client_.get(reverse("indicators:compare"))
    assert response.status_code == 200
    assert 'id="diff-' not in response.content.decode()
    response = admin_client_.get(reverse("indicators:compare"), {"old": "x", "new": "999999"})
    assert response.status_code == 200


def test_officers_and_reviewers_have_no_part_in_them(bj_client, reviewer_client, versions):
    for client in (bj_client, reviewer_client):
        for url in (reverse("indicators:models"), reverse("indicators:compare"),
                    reverse("indicators:model", args=[versions[0].pk]),
                    reverse("indicators:file", args=[versions[0].pk])):
            assert client.get(url).status_code == 403

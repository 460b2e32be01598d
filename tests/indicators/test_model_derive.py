"""Deriving next year's draft from a version: the service and its button on the version's
page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from common.errors import ApplicationError
from indicators.model_io import ModelFileError
from indicators.models import ModelVersion
from indicators.selectors import model_export
from indicators.services import model_version_derive


@pytest.fixture
def v2017(bootstrapped) -> ModelVersion:
    return ModelVersion.objects.get(code="2017")


def test_it_copies_the_version_under_a_new_code_and_year(v2017, administrator):
    draft = model_version_derive(source=v2017, code="2018", year=2018, actor=administrator)
    assert (draft.code, draft.year, draft.state) == ("2018", 2018, ModelVersion.State.DRAFT)
    assert draft.derived_from == v2017
    assert draft.title_zh == "信息化发展评价指标体系（2018）"
    assert draft.title_en == "Informatization development index model (2018)"
    exported = model_export(version=draft)
    assert exported == draft.source
    assert {k: v for k, v in exported.items() if k not in ("version", "year", "title_zh",
                                                            "title_en")} == {
        k: v for k, v in v2017.source.items() if k not in ("version", "year", "title_zh",
                                                            "title_en")}
    entry = AuditEntry.objects.get(action="model.derive")
    assert entry.data == {"version": "2018", "from": "2017", "sha256": draft.source_sha256}


def test_it_refuses_a_code_in_use(v2017, administrator):
    with pytest.raises(ApplicationError) as excinfo:
        model_version_derive(source=v2017, code="2017", year=2018, actor=administrator)
    assert excinfo.value.code == "MODEL_EXISTS"
    assert ModelVersion.objects.count() == 1


def test_it_refuses_a_code_that_cannot_be_a_version(v2017, administrator):
    with pytest.raises(ModelFileError) as excinfo:
        model_version_derive(source=v2017, code="2018/b", year=2018, actor=administrator)
    assert [p.field for p in excinfo.value.problems] == ["version"]
    assert ModelVersion.objects.count() == 1


def test_the_page_derives_a_draft_and_opens_it(v2017, admin_client_):
    response = admin_client_.post(reverse("indicators:derive", args=[v2017.pk]),
                                  {"code": "2018", "year": "2018"}, follow=True)
    draft = ModelVersion.objects.get(code="2018")
    assert response.redirect_chain[-1][0] == reverse("indicators:model", args=[draft.pk])
    html = response.content.decode()
    assert "已由 2017 派生草稿 2018，可以修改" in html
    assert 'id="model-draft"' in html
    assert reverse("indicators:edit", args=[draft.pk, "structure"]) in html


def test_the_page_says_what_is_wrong_with_the_code(v2017, admin_client_):
    for code, message in (("2017", "指标体系版本 2017 已经存在"),
                          ("a b", "版本代码只能由字母、数字和 . _ - 组成")):
        response = admin_client_.post(reverse("indicators:derive", args=[v2017.pk]),
                                      {"code": code, "year": "2018"}, follow=True)
        assert message in response.content.decode()
    assert ModelVersion.objects.count() == 1


def test_only_administrators_derive(v2017, auditor_client, reviewer_client, bj_client):
    for client in (auditor_client, reviewer_client, bj_client):
        response = client.post(reverse("indicators:derive", args=[v2017.pk]),
                               {"code": "2018", "year": "2018"})
        assert response.status_code == 403
    assert ModelVersion.objects.count() == 1

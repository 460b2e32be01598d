"""A model version is frozen the moment a cycle uses it: any change is refused with
``MODEL_FROZEN`` — by the service, on the web editor and by ``import_model`` of the same
version — and nothing changes; it can still be derived from."""

from __future__ import annotations

import copy
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.selectors import operator_user
from audit.models import AuditEntry
from common.errors import ApplicationError
from indicators.model_io import parse_model_document
from indicators.models import DataElement, Dimension, Indicator, ModelVersion, Rule, Tier
from indicators.services import MODEL_FROZEN, model_version_derive, model_version_update
from submissions.services.cycles import cycle_create
from tests.indicators.test_model_edit_view import _form_data, _row


def _state(version: ModelVersion) -> tuple:
    version.refresh_from_db()
    return (version.source_sha256, version.year, version.title_zh,
            *(m.objects.filter(version=version).count()
              for m in (Dimension, DataElement, Indicator, Rule, Tier)),
            sorted(Dimension.objects.filter(version=version).values_list("code", "points")),
            AuditEntry.objects.count())


@pytest.fixture
def frozen(administrator) -> ModelVersion:
    """A draft, then a cycle made with it."""
    draft = model_version_derive(source=ModelVersion.objects.get(code="2017"), code="2018",
                                 year=2018, actor=administrator)
    assert not draft.is_frozen
    cycle_create(year=2018, model_version=draft, opens_on=date(2019, 1, 1),
                 deadline=date(2019, 3, 31), actor=administrator)
    assert draft.is_frozen
    return draft


def _changed(version: ModelVersion) -> dict:
    data = copy.deepcopy(version.source)
    data["dimensions"][0]["points"] = 15
    data["dimensions"][1]["points"] = 25
    return data


def test_the_service_refuses_any_change(frozen, administrator):
    before = _state(frozen)
    with pytest.raises(ApplicationError) as excinfo:
        model_version_update(version=frozen, document=parse_model_document(_changed(frozen)),
                             actor=administrator)
    assert excinfo.value.code == "MODEL_FROZEN"
    assert excinfo.value.message == str(MODEL_FROZEN).format(version="2018", years="2018")
    assert _state(frozen) == before


def test_the_web_editor_refuses_a_save_and_changes_nothing(frozen, admin_client_):
    url = reverse("indicators:edit", args=[frozen.pk, "structure"])
    page = admin_client_.get(url).content.decode()
    assert 'id="model-frozen"' in page and "<fieldset disabled>" in page
    assert "检查并保存" not in page  # no button to press
    data = _form_data(admin_client_, url)
    data[f"{_row(data, 'dimensions', 'D1')}-points"] = "15"
    data[f"{_row(data, 'dimensions', 'D2')}-points"] = "25"
    before = _state(frozen)
    response = admin_client_.post(url, data)
    assert response.status_code == 200
    assert "指标体系 2018 已被 2018 年度的填报周期使用，不能再修改" in response.content.decode()
    assert _state(frozen) == before


def test_a_crafted_invalid_save_is_refused_as_frozen_too(frozen, admin_client_):
    url = reverse("indicators:edit", args=[frozen.pk, "tiers"])
    before = _state(frozen)
    response = admin_client_.post(url, {"tiers-TOTAL_FORMS": "1", "tiers-INITIAL_FORMS": "0",
                                        "tiers-0-code": "x", "tiers-0-min_total": "500"})
    assert "不能再修改" in response.content.decode()
    assert _state(frozen) == before


def test_import_model_of_the_same_version_is_refused_and_changes_nothing(frozen, tmp_path):
    path = tmp_path / "2018.json"
    path.write_text(json.dumps(_changed(frozen), ensure_ascii=False), encoding="utf-8")
    operator_user()  # the account commands act as, made by the first command run
    before = _state(frozen)
    with pytest.raises(CommandError, match="不能再修改"):
        call_command("import_model", str(path), stdout=io.StringIO())
    assert _state(frozen) == before


def test_import_model_of_the_identical_version_is_a_no_op(frozen, tmp_path, capsys):
    path = tmp_path / "2018.json"
    path.write_text(json.dumps(frozen.source, ensure_ascii=False), encoding="utf-8")
    call_command("import_model", str(path))  # the operator account is made once
    before = _state(frozen)
    call_command("import_model", str(path))
    assert "already present, unchanged" in capsys.readouterr().out
    assert _state(frozen) == before


def test_a_frozen_version_can_be_derived_from(frozen, administrator):
    before = _state(frozen)
    child = model_version_derive(source=frozen, code="2019", year=2019, actor=administrator)
    assert child.derived_from == frozen and not child.is_frozen
    assert child.source["dimensions"] == frozen.source["dimensions"]
    assert _state(frozen)[:-1] == before[:-1]  # only the audit log grew

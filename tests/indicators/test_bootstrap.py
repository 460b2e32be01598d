"""``bootstrap``: regions, the 2017 model, the national targets and the role groups, twice."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts import roles
from audit.models import AuditEntry
from indicators.models import (
    DataElement,
    Dimension,
    Indicator,
    ModelVersion,
    NationalTarget,
    NationalTargetValue,
    Region,
    Rule,
    Tier,
)
from indicators.services import TARGETS_FILE

COUNTED = (Region, ModelVersion, Dimension, DataElement, Indicator, Rule, Tier, NationalTarget,
           NationalTargetValue, Group, AuditEntry)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _shipped_targets() -> list[dict]:
    return json.loads(TARGETS_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def bootstrapped_twice(db, capsys) -> tuple[dict[str, int], dict[str, int], str]:
    call_command("bootstrap")
    first = _counts()
    capsys.readouterr()
    call_command("bootstrap")
    second = _counts()
    return first, second, capsys.readouterr().out


def test_it_leaves_no_duplicates_when_run_twice(bootstrapped_twice):
    first, second, _ = bootstrapped_twice
    assert second == first


def test_it_reports_nothing_created_on_the_second_run(bootstrapped_twice):
    _, _, out = bootstrapped_twice
    assert "regions: 0 created" in out
    assert "model 2017: present" in out
    assert "targets: 0 created" in out
    assert "role groups: 0 created" in out


def test_it_loads_31_ranked_regions_and_the_unranked_corps(bootstrapped_twice):
    assert Region.objects.count() == 32
    assert Region.objects.filter(ranked=True).count() == 31
    corps = Region.objects.get(ranked=False)
    assert corps.code == "660000"
    assert corps.name_zh == "新疆生产建设兵团"
    assert Region.objects.filter(code="110000", name_zh="北京市", ranked=True).exists()


def test_it_imports_the_2017_model_once(bootstrapped_twice):
    assert list(ModelVersion.objects.values_list("code", flat=True)) == ["2017"]
    version = ModelVersion.objects.get()
    assert version.year == 2017
    assert (version.dimensions.count(), version.elements.count(), version.indicators.count()) == (
        6, 26, 22,
    )
    assert AuditEntry.objects.filter(action="model.import").count() == 1


def test_it_creates_the_four_role_groups(bootstrapped_twice):
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ALL_ROLES)
    assert set(roles.ALL_ROLES) == {roles.OFFICER, roles.REVIEWER, roles.ADMINISTRATOR,
                                    roles.AUDITOR, roles.SECURITY_ADMINISTRATOR}


def test_it_loads_the_national_targets_once(bootstrapped_twice):
    shipped = _shipped_targets()
    assert len(shipped) > 0, "indicators/data/national_targets.json ships no targets"
    first, second, _ = bootstrapped_twice
    assert first["NationalTarget"] == len(shipped)
    assert second["NationalTarget"] == len(shipped)
    values = sum(len(row.get("values", {})) for row in shipped)
    assert first["NationalTargetValue"] == second["NationalTargetValue"] == values
    assert set(NationalTarget.objects.values_list("code", flat=True)) == {
        row["code"] for row in shipped
    }


def test_it_keeps_the_targets_as_administrators_edited_them(db):
    call_command("bootstrap", verbosity=0)
    target = NationalTarget.objects.order_by("order").first()
    assert target is not None
    target.target = "99.9"
    target.save(update_fields=["target"])
    call_command("bootstrap", verbosity=0)
    target.refresh_from_db()
    assert target.target == "99.9"
    assert NationalTarget.objects.count() == len(_shipped_targets())

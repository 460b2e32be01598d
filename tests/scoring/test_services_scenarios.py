"""``scenario_save``: a checked scenario stored with its name, note and base run, in one
transaction with its audit entry; refusals leave nothing behind."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from common.errors import ApplicationError
from scoring.models import Scenario
from scoring.services_scenarios import scenario_save
from tests.scoring.studio_world import fresh_fixture, world_fixture  # noqa: F401


def save(world, **changes):
    arguments = {"cycle": world.cycle2017, "base_run": world.run2017, "name": "方案",
                 "note": " 说明 ", "parameters": {"dimension_points": {"D1": 10}},
                 "actor": world.admin} | changes
    return scenario_save(**arguments)


def test_it_stores_the_checked_scenario_and_audits_it(world):
    saved = save(world)
    assert (saved.name, saved.note, saved.base_run) == ("方案", "说明", world.run2017)
    assert saved.parameters["dimension_points"] == {"D1": 10.0, "D2": 20.0, "D3": 20.0,
                                                    "D4": 15.0, "D5": 15.0, "D6": 10.0}
    assert saved.parameters["aggregation"] == "arithmetic"
    entry = AuditEntry.objects.get(action="scoring.scenario_save")
    assert entry.object_id == str(saved.pk) and entry.actor_id == world.admin.pk
    assert entry.data["base_run"] == world.run2017.number


@pytest.mark.parametrize(("changes", "code"), [
    ({"name": "  "}, "SCENARIO_NAME_REQUIRED"),
    ({"name": "长" * 101}, "SCENARIO_NAME_TOO_LONG"),
    ({"parameters": {"indicator_weights": {"I11": -1}}}, "WHATIF_NEGATIVE_WEIGHT"),
    ({"parameters": {"aggregation": "geometric", "normalisation": {"I11": "zscore"}}},
     "WHATIF_GEOMETRIC_ZSCORE"),
])
def test_it_refuses_and_stores_nothing(world, changes, code):
    entries = AuditEntry.objects.count()
    with pytest.raises(ApplicationError) as caught:
        save(world, **changes)
    assert caught.value.code == code
    assert not Scenario.objects.exists() and AuditEntry.objects.count() == entries


def test_it_refuses_a_run_of_another_cycle_and_a_name_taken(world):
    with pytest.raises(ApplicationError) as caught:
        save(world, base_run=world.run2016)
    assert caught.value.code == "SCENARIO_RUN_OF_OTHER_CYCLE"
    save(world)
    with pytest.raises(ApplicationError) as caught:
        save(world)
    assert caught.value.code == "SCENARIO_NAME_TAKEN" and "方案" in caught.value.message
    assert Scenario.objects.count() == 1


def test_a_scenario_has_no_way_to_be_published(world):
    saved = save(world)
    fields = {f.name for f in Scenario._meta.get_fields()}
    assert not {"published_at", "published_by", "publication_number"} & fields
    assert saved.base_run.is_published  # compared with a publication, not one itself

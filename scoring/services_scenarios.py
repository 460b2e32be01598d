"""Writes of the index studio: saving an administrator's what-if scenario.

A scenario is stored with its parameters (checked against the cycle's model), its name and
note, and the run it was measured against; saving it is recorded in the audit log. Nothing
here, or anywhere, publishes a scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import log_action
from common.errors import ApplicationError
from scoring import studio, studio_selectors
from scoring.models import Scenario, ScoringRun
from submissions.models import Cycle

NAME_REQUIRED = _("请为模拟方案填写名称")
NAME_TOO_LONG = _("模拟方案的名称最多 {limit} 个字")
NAME_TAKEN = _("{year} 年度已有名为“{name}”的模拟方案，请换一个名称")
RUN_OF_OTHER_CYCLE = _("测算 #{number} 不属于 {year} 年度")
NAME_LIMIT = 100
NOTE_TOO_LONG = _("模拟方案的说明最多 {limit} 个字")
NOTE_LIMIT = 2000


def scenario_save(*, cycle: Cycle, base_run: ScoringRun, name: str, note: str,
                  parameters: dict[str, Any], actor: Any,
                  names: Mapping[str, str] | None = None) -> Scenario:
    """Check and store a scenario; the audit entry names it and carries its parameters."""
    name = name.strip()
    if not name:
        raise ApplicationError("SCENARIO_NAME_REQUIRED", NAME_REQUIRED, field="name")
    if len(name) > NAME_LIMIT:
        raise ApplicationError("SCENARIO_NAME_TOO_LONG", NAME_TOO_LONG, field="name",
                               params={"limit": NAME_LIMIT})
    if len(note.strip()) > NOTE_LIMIT:
        raise ApplicationError("SCENARIO_NOTE_TOO_LONG", NOTE_TOO_LONG, field="note",
                               params={"limit": NOTE_LIMIT})
    if base_run.cycle_id != cycle.pk:
        raise ApplicationError("SCENARIO_RUN_OF_OTHER_CYCLE", RUN_OF_OTHER_CYCLE,
                               params={"number": base_run.number, "year": cycle.year})
    data = studio_selectors.run_data(base_run)
    scenario = studio.parse_scenario(parameters, data.spec, names=names)
    result = studio.compute(data, scenario)
    with transaction.atomic():
        locked = Cycle.objects.select_for_update(no_key=True).get(pk=cycle.pk)
        if Scenario.objects.filter(cycle=locked, name=name).exists():
            raise ApplicationError("SCENARIO_NAME_TAKEN", NAME_TAKEN, field="name",
                                   params={"year": cycle.year, "name": name})
        saved = Scenario.objects.create(
            cycle=locked, base_run=base_run, name=name, note=note.strip(),
            parameters=scenario.as_json(), kendall_tau=result.kendall_tau, created_by=actor)
        log_action(actor=actor, action="scoring.scenario_save", obj=saved,
                   cycle_year=cycle.year,
                   data={"name": name, "note": saved.note, "base_run": base_run.number,
                         "parameters": saved.parameters, "kendall_tau": result.kendall_tau})
    return saved

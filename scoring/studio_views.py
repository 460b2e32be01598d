"""The administrators' index studio: the what-if of a cycle (computed on every GET, nothing
stored), saved scenarios (stored, audited, never published; read by auditors too) and the
statistical audit of a run (administrators and auditors)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.errors import ApplicationError
from common.exports import CONTENT_TYPES
from common.i18n import localized, pick
from common.views import shown_again
from scoring import services_scenarios, statistics, studio, studio_selectors
from scoring.audit_presenters import audit_context
from scoring.forms import ScenarioSaveForm
from scoring.models import Scenario, ScoringRun
from scoring.permissions import (
    get_cycle_for_administrator,
    get_run_for_staff,
    get_scenario_for_staff,
    require_scoring_reader,
)
from scoring.selectors import round_half_up
from scoring.studio_forms import ScenarioForm, query_of
from submissions.models import Cycle


@dataclass(frozen=True)
class Row:
    rank: int | None
    code: str
    label: str
    points: list[Decimal | None]
    total: Decimal | None
    official_rank: int | None
    change: int | None


def _rows(data: studio.RunData, result: studio.ScenarioResult) -> list[Row]:
    """Every unit of the run, the ranked ones by the scenario's rank (then the official
    one), the others after them."""
    rows = []
    for i, code in enumerate(data.region_codes):
        rank = int(result.ranks[i]) or None
        official = int(data.ranks[i]) or None
        rows.append(Row(
            rank=rank if data.ranked[i] else None, code=code, label=pick(*data.region_names[i]),
            points=[round_half_up(None if v != v else float(v))
                    for v in result.dimension_points[i].tolist()],
            total=round_half_up(None if result.totals[i] != result.totals[i]
                                else float(result.totals[i])),
            official_rank=official, change=result.rank_changes[i]))
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.official_rank or 0, r.code))
    return rows


def _columns(cycle: Cycle, result: studio.ScenarioResult) -> list[tuple[str, bool]]:
    """The table's dimension columns: name, and whether the scenario's total counts it."""
    return [(localized(d, "name"), included)
            for d, included in zip(cycle.model_version.dimensions.all(), result.included,
                                   strict=True)]


def _studio_page(request: HttpRequest, cycle: Cycle, form: ScenarioForm | None,
                 run: ScoringRun | None, save_form_errors: list[str] | None = None,
                 status: int = 200, save_form: ScenarioSaveForm | None = None) -> HttpResponse:
    context: dict[str, Any] = {"cycle": cycle, "run": run, "form": form,
                               "save_errors": save_form_errors or [],
                               "save_form": shown_again(save_form) if save_form is not None
                               and save_form.is_bound else ScenarioSaveForm()}
    if form is not None and run is not None and form.is_valid():
        data = studio_selectors.run_data(run)
        try:
            scenario = studio.parse_scenario(form.parameters(), data.spec, names=form.names)
        except ApplicationError as exc:
            form.add_application_error(exc.field, exc.message)
        else:
            result = studio.compute(data, scenario)
            context.update(result=result, rows=_rows(data, result), scenario=scenario,
                           columns=_columns(cycle, result),
                           changed=sum(1 for c in result.rank_changes if c))
    context["hidden"] = _hidden(form)
    return render(request, "scoring/studio.html", context, status=status)


def _hidden(form: ScenarioForm | None) -> list[tuple[str, str]]:
    """The scenario's fields, for the save form below the results (name and note apart)."""
    if form is None:
        return []
    items = form.data.lists() if hasattr(form.data, "lists") else (
        (key, [value]) for key, value in form.data.items())
    # The scenario's own fields only: anything else posted is not sent back.
    return [(key, value) for key, values in items for value in values
            if key in form.fields]


@login_required
@require_GET
def studio_page(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for_administrator(request, cycle_id)
    run = studio_selectors.official_run(cycle)
    form = None
    if run is not None:
        data = studio_selectors.run_data(run)
        # Without a scenario in the query: the model's own settings, computed as one.
        asked = (request.GET if "aggregation" in request.GET
                 else query_of(studio.default_scenario(data.spec), data.spec))
        form = ScenarioForm(data.spec, cycle.model_version, asked)
    return _studio_page(request, cycle, form, run)


@login_required
@require_POST
def scenario_save(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for_administrator(request, cycle_id)
    run = studio_selectors.official_run(cycle)
    if run is None:
        messages.error(request, _("%(year)s 年度还没有测算结果，无法保存模拟方案")
                       % {"year": cycle.year})
        return redirect("scoring:studio", cycle_id=cycle.pk)
    data = studio_selectors.run_data(run)
    form = ScenarioForm(data.spec, cycle.model_version, request.POST)
    save_form = ScenarioSaveForm(request.POST)
    if not form.is_valid():
        return _studio_page(request, cycle, form, run,
                            [_("请先改正模拟参数中的错误，再保存")], status=400,
                            save_form=save_form)
    if not save_form.is_valid():
        return _studio_page(request, cycle, form, run, status=400, save_form=save_form)
    try:
        scenario = services_scenarios.scenario_save(
            cycle=cycle, base_run=run, name=save_form.cleaned_data["name"],
            note=save_form.cleaned_data["note"], parameters=form.parameters(),
            actor=request.user, names=form.names)
    except ApplicationError as exc:
        if exc.field in save_form.fields:
            save_form.add_error(exc.field, exc.message)
            return _studio_page(request, cycle, form, run, status=400, save_form=save_form)
        if exc.field:
            form.add_application_error(exc.field, exc.message)
            return _studio_page(request, cycle, form, run, status=400, save_form=save_form)
        return _studio_page(request, cycle, form, run, [exc.message], status=400,
                            save_form=save_form)
    messages.success(request, _("模拟方案“%(name)s”已保存（模拟，不会发布）")
                     % {"name": scenario.name})
    return redirect("scoring:scenario", scenario_id=scenario.pk)


@login_required
@require_GET
def scenario_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    require_scoring_reader(request)
    cycle = _cycle(cycle_id)
    return render(request, "scoring/scenarios.html", {
        "cycle": cycle, "scenarios": studio_selectors.scenarios(cycle)})


def _cycle(cycle_id: int) -> Cycle:
    cycle = Cycle.objects.select_related("model_version").filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404
    return cycle


@login_required
@require_GET
def scenario_detail(request: HttpRequest, scenario_id: int) -> HttpResponse:
    saved = get_scenario_for_staff(request, scenario_id)
    data = studio_selectors.run_data(saved.base_run)
    scenario = studio.parse_scenario(saved.parameters, data.spec)
    result = studio.compute(data, scenario)
    query = urlencode(query_of(scenario, data.spec))
    return render(request, "scoring/scenario.html", {
        "saved": saved, "cycle": saved.cycle, "result": result, "rows": _rows(data, result),
        "columns": _columns(saved.cycle, result),
        "changes": _changes(saved, scenario, data),
        "studio_url": f"{reverse('scoring:studio', args=[saved.cycle_id])}?{query}",
        "changed": sum(1 for c in result.rank_changes if c),
    })


def _changes(saved: Scenario, scenario: studio.Scenario, data: studio.RunData
             ) -> list[tuple[str, str, str]]:
    """What the scenario changes against the model: (what, the model's, the scenario's)."""
    version = saved.cycle.model_version
    names: dict[str, Any] = {d.code: d for d in version.dimensions.all()}
    names.update({i.code: i for i in version.indicators.all()})

    def name(code: str) -> str:
        obj = names.get(code)
        return localized(obj, "name") if obj is not None else code

    changes = []
    for d in data.spec.dimensions:
        if scenario.dimension_points[d.code] != d.points:
            changes.append((_("方面分值：%(name)s") % {"name": name(d.code)}, f"{d.points:g}",
                            f"{scenario.dimension_points[d.code]:g}"))
    for i in data.spec.indicators:
        label = name(i.code)
        if scenario.indicator_weights[i.code] != i.weight:
            changes.append((_("指标权重：%(name)s") % {"name": label}, f"{i.weight:g}",
                            f"{scenario.indicator_weights[i.code]:g}"))
        if i.code in scenario.normalisation:
            changes.append((_("标准化方法：%(name)s") % {"name": label}, _("指标体系的方法"),
                            str(studio.KIND_LABELS[scenario.normalisation[i.code]])))
        if i.code in scenario.goalposts:
            posts = studio.model_goalposts(i)
            low, high = scenario.goalposts[i.code]
            changes.append((_("门槛值：%(name)s") % {"name": label},
                            f"{posts[0]:g} – {posts[1]:g}" if posts else "—",
                            f"{low:g} – {high:g}"))
        if i.code in scenario.directions:
            changes.append((_("方向：%(name)s") % {"name": label}, _direction(i.direction),
                            _direction(scenario.directions[i.code])))
    if scenario.aggregation != "arithmetic":
        changes.append((_("汇总方法"), str(studio.AGGREGATION_LABELS["arithmetic"]),
                        str(studio.AGGREGATION_LABELS[scenario.aggregation])))
    return changes


def _direction(value: int) -> str:
    return _("越大越好") if value == 1 else _("越小越好")


# --------------------------------------------------------------------------------------------
# The statistical audit of a run


@login_required
@require_GET
def audit(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run_for_staff(request, run_id)
    report = studio_selectors.audit_report(run)
    return render(request, "scoring/audit.html", audit_context(run, report))


@login_required
@require_GET
def audit_download(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    run = get_run_for_staff(request, run_id)
    if fmt not in ("json", "xlsx"):
        raise Http404
    report = studio_selectors.audit_report(run)
    if fmt == "json":
        content = studio_selectors.audit_json(report)
    else:
        names, regions = studio_selectors.audit_labels(run)
        content = statistics.audit_workbook(report, names, regions)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{run.cycle.year}-run{run.number}.{fmt}"')
    return response

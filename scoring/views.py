"""The administrators' scoring pages: runs per cycle, scoring in a worker, publication."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.errors import ApplicationError
from common.exports import CONTENT_TYPES, render_table
from common.params import query_flag
from common.tasks import enqueue_on_commit
from common.views import error_message, shown_again
from scoring import selectors, services
from scoring.forms import PublishForm
from scoring.permissions import (
    get_cycle_for_administrator,
    get_run_for_administrator,
    get_run_for_staff,
    require_scoring_reader,
)
from submissions.models import Cycle, Version


@login_required
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    require_scoring_reader(request)
    return _runs_page(request)


def _runs_page(request: HttpRequest, *, refused: tuple[int, PublishForm] | None = None
               ) -> HttpResponse:
    """The runs page; ``refused``: a run's publish form sent back with its errors (400)."""
    cycles = Cycle.objects.select_related("model_version").prefetch_related(
        "runs__created_by", "runs__published_by").order_by("-year")
    context: dict[str, object] = {"cycles": cycles}
    if refused is not None:
        context.update(publish_run_id=refused[0], publish_form=shown_again(refused[1]))
    return render(request, "scoring/runs.html", context, status=400 if refused else 200)


@login_required
@require_POST
def score(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for_administrator(request, cycle_id)
    enqueue_on_commit("scoring.tasks.score_cycle", cycle.pk, int(request.user.pk or 0))
    messages.success(request, _("已开始测算 %(year)s 年度，完成后刷新本页查看结果")
                     % {"year": cycle.year})
    return redirect("scoring:runs")


@login_required
@require_POST
def publish(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run_for_administrator(request, run_id)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _runs_page(request, refused=(run.pk, form))
    try:
        services.run_publish(run=run, actor=request.user, note=form.cleaned_data["note"],
                             allow_incomplete=form.cleaned_data["allow_incomplete"])
    except ApplicationError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return _runs_page(request, refused=(run.pk, form))
        error_message(request, exc)
    else:
        messages.success(request, _("已发布 %(year)s 年度测算结果（第 %(n)s 次测算，"
                                    "指标体系 %(model)s）")
                         % {"year": run.cycle.year, "n": run.number,
                            "model": run.model_version.code})
    return redirect("scoring:runs")


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run_for_staff(request, run_id)
    dimensions = list(run.model_version.dimensions.all())
    rows = [(row, [row[d.code] for d in dimensions]) for row in selectors.ranking_rows(run)]
    return render(request, "scoring/run_detail.html", {
        "run": run, "rows": rows, "dimensions": dimensions,
    })


@login_required
@require_GET
def run_download(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    run = get_run_for_staff(request, run_id)
    if fmt not in ("csv", "xlsx", "json"):
        fmt = "csv"
    content = render_table(fmt, selectors.ranking_columns(run), selectors.ranking_rows(run))
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="ranking-{run.cycle.year}-run{run.number}.{fmt}"')
    return response


@login_required
@require_GET
def provenance(request: HttpRequest, run_id: int) -> HttpResponse:
    """Where a run came from; ``?verify=1`` recomputes it from the versions it read."""
    run = get_run_for_staff(request, run_id)
    verification = services.run_verify(run=run) if query_flag(request, "verify") else None
    versions = (Version.objects.filter(pk__in=list(run.inputs.get("versions", {}).values()))
                .select_related("submission__region", "file", "created_by")
                .order_by("submission__region__order"))
    return render(request, "scoring/provenance.html", {
        "run": run, "versions": versions, "verification": verification,
    })


@login_required
@require_GET
def trace(request: HttpRequest, run_id: int, code: str) -> HttpResponse:
    """From a published figure back to the element values, the version and the file."""
    run = get_run_for_staff(request, run_id)
    result = get_object_or_404(run.results.select_related("region"), region__code=code)
    version = (Version.objects.select_related("file", "created_by", "submission")
               .filter(pk=result.version_id_read or 0).first())
    values = (version.values.select_related("element").order_by("element__order")
              if version else [])
    dimensions = list(run.model_version.dimensions.all())
    indicators = list(run.model_version.indicators.select_related("dimension"))
    return render(request, "scoring/trace.html", {
        "run": run, "result": result, "version": version, "values": values,
        "dimensions": [(d, result.dimensions.get(d.code, {})) for d in dimensions],
        "indicators": [(i, result.indicators.get(i.code, {})) for i in indicators],
    })

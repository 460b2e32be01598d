"""The administrators' scoring pages: runs per cycle, scoring in a worker, publication."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ApplicationError
from common.exports import CONTENT_TYPES, render_table
from common.params import query_flag
from common.tasks import enqueue_on_commit
from common.views import error_message, shown_again
from scoring import selectors, services
from scoring.forms import PublishForm
from scoring.models import ScoringRun
from scoring.permissions import (
    get_cycle_for_administrator,
    get_run_for_administrator,
    get_run_for_staff,
    require_scoring_reader,
)
from submissions.models import Version


@login_required
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    require_scoring_reader(request)
    return render(request, "scoring/runs.html", {
        "cycles": selectors.cycles_with_runs(), "of": selectors.ranked_count()})


@login_required
@require_POST
def score(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle_for_administrator(request, cycle_id)
    enqueue_on_commit("scoring.tasks.score_cycle", cycle.pk, int(request.user.pk or 0))
    messages.success(request, _("已开始测算 %(year)s 年度，完成后刷新本页查看结果")
                     % {"year": cycle.year})
    return redirect("scoring:runs")


PARTIAL_NOTE_REQUIRED = gettext_lazy("部分发布必须填写说明：为什么现在发布，缺少的地区何时补上")
INCOMPLETE_NOT_CHOSEN = gettext_lazy(
    "本次测算只覆盖 %(of)s 个地区中的 %(covered)s 个；部分发布须勾选“允许不完整”")
CHANGED_MEANWHILE = gettext_lazy(
    "确认期间本年度已有另一次发布，下面是按最新情况重新列出的内容，请再次确认")


def _confirm_page(request: HttpRequest, run: ScoringRun, form: PublishForm, *,
                  status: int = 200) -> HttpResponse:
    """The page that says what publishing ``run`` will do, with the form that does it."""
    context: dict[str, object] = {"run": run, "form": shown_again(form) if form.is_bound
                                  else form}
    if not run.is_published:
        context["preview"] = selectors.publish_preview(run)
    return render(request, "scoring/publish_confirm.html", context, status=status)


def _not_yet(request: HttpRequest, run: ScoringRun, form: PublishForm) -> HttpResponse | None:
    """The confirmation page again, unless this POST is the deliberate second action on what
    the page said: ``confirmed``, and for a partial run the "allow incomplete" box and a note
    (that it revises what the page said it would, ``run_publish`` checks under its lock)."""
    data = form.cleaned_data
    preview = selectors.publish_preview(run)
    if not data["confirmed"]:
        return _confirm_page(request, run, form)
    if preview.coverage.partial:
        if not data["allow_incomplete"]:
            form.add_error("allow_incomplete", INCOMPLETE_NOT_CHOSEN % {
                "of": preview.coverage.of, "covered": preview.coverage.covered})
        if not data["note"].strip():
            form.add_error("note", PARTIAL_NOTE_REQUIRED)
        if form.errors:
            return _confirm_page(request, run, form, status=400)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, run_id: int) -> HttpResponse:
    """Publishing (and revising) in two steps: GET, or a POST without ``confirmed``, shows
    what will happen; the POST from that page, with ``confirmed``, publishes."""
    run = get_run_for_administrator(request, run_id)
    if request.method == "GET":
        return _confirm_page(request, run, PublishForm())
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _confirm_page(request, run, form, status=400)
    if not run.is_published:  # a published run: the service says so
        again = _not_yet(request, run, form)
        if again is not None:
            return again
    try:
        run = services.run_publish(run=run, actor=request.user,
                                   note=form.cleaned_data["note"],
                                   allow_incomplete=form.cleaned_data["allow_incomplete"],
                                   revises=form.cleaned_data["revises"])
    except ApplicationError as exc:
        if exc.code == "PUBLICATION_CHANGED":
            messages.warning(request, CHANGED_MEANWHILE)
            return _confirm_page(request, run, form, status=409)
        if exc.field in form.fields and not run.is_published:
            form.add_error(exc.field, exc.message)
            return _confirm_page(request, run, form, status=400)
        error_message(request, exc)
    else:
        messages.success(request, published_message(run))
    return redirect("scoring:runs")


def published_message(run: ScoringRun) -> str:
    """What was published, in words."""
    coverage = selectors.run_coverage(run)
    values = {"year": run.cycle.year, "number": run.number, "n": run.publication_number,
              "covered": coverage.covered, "of": coverage.of}
    if coverage.partial:
        return _("已发布 %(year)s 年度测算 #%(number)s（第 %(n)s 次发布）；这是部分发布，"
                 "只覆盖 %(of)s 个地区中的 %(covered)s 个，公开页面均已标注") % values
    return _("已发布 %(year)s 年度测算 #%(number)s（第 %(n)s 次发布），公众现在可以看到") % values


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

"""Public pages: published rankings only, no login. A published run never changes, so the
content of its pages is cached by run id, page and language.

Here only the content block is cached, in the shared cache: the header around it carries, for
a signed-in person, their name and links, which must not be served to the next visitor.
Anonymous visitors get the whole page from ``public.page_cache`` before it reaches a view.
``PUBLIC_CACHE_SECONDS`` (default 24 h; 0 turns both caches off) sets how long an entry
lives."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.exports import CONTENT_TYPES, document_csv, document_xlsx
from common.i18n import language_code
from common.params import REGION_CODE, query_id, query_match
from indicators.models import Dimension, Region
from indicators.selectors import TierBand, tier_bands
from public import downloads, selectors
from public.page_cache import cache_seconds
from public.pdf import document_pdf
from scoring.models import ScoringRun, UnitResult
from scoring.selectors import Coverage, rank_changes_shown, run_coverage

logger = logging.getLogger(__name__)


def _body(run_id: int, name: str, template: str,
          build: Callable[[], dict[str, object]]) -> SafeString:
    """The content block of a page: ``template`` rendered with ``build()``, once per run,
    page and language. It is rendered without the request, so nothing of the visitor can get
    into it."""
    def render() -> str:
        context = build()
        run = context.get("run")
        if isinstance(run, ScoringRun):
            # Every page of a year says whether its publication is partial (the banner of
            # ``_nav.html``), and its national figures how many regions they stand on.
            context.setdefault("coverage", run_coverage(run))
        return render_to_string(template, context)

    seconds = cache_seconds()
    if seconds <= 0:
        html = render()
    else:
        try:
            html = str(cache.get_or_set(f"public:{run_id}:{name}:{language_code()}", render,
                                        seconds))
        except Exception:
            logger.warning("cache unreachable: %s rendered without it", name)
            html = render()
    # Our own template's output, escaped when it was rendered.
    return mark_safe(html)  # noqa: S308


def _page(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    return HttpResponse(render_to_string(template, context, request=request))


def _pinned(request: HttpRequest) -> int | None:
    return query_id(request, "run")


def _run_from(request: HttpRequest, year: int) -> tuple[ScoringRun, str]:
    """The run a page shows and the query (``?run=<id>`` or "") its links keep: a page
    opened on one named publication stays on it."""
    pinned = _pinned(request)
    run = selectors.published_run(year, pinned)
    return run, f"?run={run.pk}" if pinned else ""


def _run_id_from(request: HttpRequest, year: int) -> tuple[int, str]:
    """``_run_from`` for a page that needs the run itself only to build its content: the id
    is all that a cached page costs."""
    pinned = _pinned(request)
    run_id = selectors.published_run_id(year, pinned)
    return run_id, f"?run={run_id}" if pinned else ""


@require_GET
def latest(request: HttpRequest) -> HttpResponse:
    year = selectors.latest_published_year()
    if year is None:
        return HttpResponse(render_to_string("public/nothing.html", request=request))
    return redirect("public:overall", year=year)


@require_GET
def overall(request: HttpRequest, year: int) -> HttpResponse:
    run_id, query = _run_id_from(request, year)

    def build() -> dict[str, object]:
        run = selectors.published_runs().get(pk=run_id)
        tiers = list(run.model_version.tiers.all())
        rows = selectors.overall_rows(run, tiers=tiers)
        dimensions = list(run.model_version.dimensions.all())
        return {
            "run": run, "q": query, "rows": rows,
            "unranked": selectors.overall_rows(run, ranked=False, tiers=tiers),
            "dimensions": dimensions, "tiers": tier_bands(tiers),
            "chart": {"labels": [r.label for r in rows],
                      "totals": [float(r.total) if r.total is not None else None
                                 for r in rows],
                      "max": _total_points(dimensions), "value_label": _("总分（分）")},
            "publications": list(selectors.published_runs().filter(cycle=run.cycle)),
            "rank_changes": rank_changes_shown(run),
            "spread_percent": f"{run.spread * 100:g}",
            "years": selectors.published_years(run_coverage(run).of),
        }

    body = _body(run_id, f"overall:{query}", "public/_overall.html", build)
    return _page(request, "public/overall.html", {"year": year, "body": body})


@require_GET
def dimension(request: HttpRequest, year: int, code: str) -> HttpResponse:
    run, query = _run_from(request, year)
    dim = get_object_or_404(run.model_version.dimensions, code=code)

    def build() -> dict[str, object]:
        indicators, rows = selectors.dimension_rows(run, dim)
        _same, unranked = selectors.dimension_rows(run, dim, ranked=False)
        return {"run": run, "q": query, "dimension": dim, "indicators": indicators,
                "rows": rows, "unranked": unranked,
                "dimensions": list(run.model_version.dimensions.all()), "tiers": _tiers(run)}

    body = _body(run.pk, f"dim:{dim.code}:{query}", "public/_dimension.html", build)
    return _page(request, "public/dimension.html", {"run": run, "dimension": dim, "body": body})


@require_GET
def region(request: HttpRequest, year: int, code: str) -> HttpResponse:
    run, query = _run_from(request, year)
    result = selectors.region_result(run, code)

    def build() -> dict[str, object]:
        dimensions = list(run.model_version.dimensions.all())
        medians = selectors.national_medians(run)
        indicators = list(run.model_version.indicators.select_related("dimension"))
        history = selectors.region_history(result.region, run)
        chart = {
            # The radar's axes: each dimension of the run's model up to its own points.
            "indicators": [{"name": d.name, "max": float(d.points)} for d in dimensions],
            "region": [_chart_value(result.dimensions.get(d.code, {}).get("points"))
                       for d in dimensions],
            "median": [_chart_value(medians.get(d.code)) for d in dimensions],
            "region_label": selectors.region_label(result.region),
            "median_label": median_label(run_coverage(run)),
            "history_years": [row.year for row in history],
            "history_totals": [_chart_value(row.result.total) for row in history],
            "max": _total_points(dimensions), "value_label": _("总分（分）"),
        }
        return {
            "run": run, "q": query, "result": result,
            "label": selectors.region_label(result.region),
            "total": selectors.round_half_up(result.total),
            "rows": [(d, selectors.round_half_up(result.dimensions.get(d.code, {}).get("points")),
                      result.dimensions.get(d.code, {}).get("rank"),
                      selectors.round_half_up(medians.get(d.code))) for d in dimensions],
            "indicators": [(i, selectors.round_half_up(_indicator(result, i.code, "value")),
                            selectors.round_half_up(_percent(_indicator(result, i.code, "score"))))
                           for i in indicators],
            "history": history,
            "models_differ": any(not row.same_model for row in history),
            "comparison": selectors.year_comparison(run, result),
            "chart": chart, "dimensions": dimensions, "tiers": _tiers(run),
            "spread_percent": f"{run.spread * 100:g}", "points_unit": downloads.points_unit(),
        }

    body = _body(run.pk, f"region:{result.region.code}:{query}", "public/_region.html",
                 build)
    return _page(request, "public/region.html", {
        "run": run, "label": selectors.region_label(result.region), "body": body})


def median_label(coverage: Coverage) -> str:
    """全国中位数, or for a partial publication the median of the regions it covers, labelled
    provisional with how many they are."""
    if not coverage.partial:
        return _("全国中位数")
    return _("已发布地区中位数（暂定，%(of)s 个地区中的 %(covered)s 个）") % {
        "of": coverage.of, "covered": coverage.covered}


def _tiers(run: ScoringRun) -> list[TierBand]:
    return tier_bands(list(run.model_version.tiers.all()))


def _total_points(dimensions: list[Dimension]) -> float:
    """The highest total the model allows: the top of a chart of totals."""
    return float(sum(d.points for d in dimensions))


def _chart_value(value: float | None) -> float | None:
    """A chart's figure as the table beside it shows it (2 decimals, half up)."""
    rounded = selectors.round_half_up(value)
    return None if rounded is None else float(rounded)


def _indicator(result: UnitResult, code: str, key: str) -> float | None:
    return result.indicators.get(code, {}).get(key)


def _percent(score: float | None) -> float | None:
    return None if score is None else score * 100


@require_GET
def grid(request: HttpRequest, year: int) -> HttpResponse:
    run_id, query = _run_id_from(request, year)

    def build() -> dict[str, object]:
        run = selectors.published_runs().get(pk=run_id)
        tiers = list(run.model_version.tiers.all())
        dimensions = list(run.model_version.dimensions.all())
        every = selectors.overall_rows(run, ranked=None, tiers=tiers, dimensions=dimensions,
                                       changes=False)  # the map shows no rank change
        rows = [row for row in every if row.region.ranked]
        classes = selectors.map_classes([row.total for row in rows])
        tiles = [{"row": row, "region": row.region, "label": row.label,
                  "shade": selectors.map_class(row.total, classes)} for row in rows]
        # A region the run has no result for is on the map too, as a tile without data.
        scored = {row.region.pk for row in every}
        tiles += [{"row": None, "region": region, "label": selectors.region_label(region),
                   "shade": None} for region in selectors.ranked_regions()
                  if region.pk not in scored]
        return {"run": run, "q": query, "tiles": tiles, "tiers": tier_bands(tiers),
                "classes": classes,
                "without_data": [t for t in tiles if t["shade"] is None],
                "unranked_labels": [row.label for row in every if not row.region.ranked],
                "dimensions": dimensions}

    body = _body(run_id, f"grid:{query}", "public/_grid.html", build)
    return _page(request, "public/grid.html", {"year": year, "body": body})


@require_GET
def publications(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_to_string("public/publications.html",
                                         {"runs": selectors.published_runs_covered()},
                                         request=request))


@require_GET
def download(request: HttpRequest, year: int, table: str, fmt: str) -> HttpResponse:
    run, _query = _run_from(request, year)
    if fmt not in ("csv", "xlsx", "pdf"):
        raise Http404
    document = downloads.table_document(run, table)
    if fmt == "pdf":
        content = document_pdf(document, footer=downloads.source_line())
        content_type = "application/pdf"
    elif fmt == "xlsx":
        content = document_xlsx(document, sheet_title=f"{year}-{table}")
        content_type = CONTENT_TYPES[fmt]
    else:
        content = document_csv(document)
        content_type = CONTENT_TYPES[fmt]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{year}-{table}.{fmt}"'
    return response


@require_GET
def overall_json(request: HttpRequest, year: int) -> HttpResponse:
    """The overall ranking as JSON, with whether the publication is partial."""
    run, _query = _run_from(request, year)
    response = JsonResponse(downloads.overall_json(run),
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{year}-overall.json"'
    return response


@require_GET
def region_find(request: HttpRequest) -> HttpResponse:
    """The home page's "my province" form: ?code=110000."""
    return region_redirect(request, query_match(request, "code", REGION_CODE) or "")


@require_GET
def region_redirect(request: HttpRequest, code: str) -> HttpResponse:
    get_object_or_404(Region, code=code)
    year = selectors.latest_published_year()
    if year is None:
        raise Http404
    return redirect("public:region", year=year, code=code)

"""The public "set your own weights" page of a published year. Its content is cached like the
other public pages (by run, page and language; whole pages for anonymous visitors), which
the page allows because the weights never reach the server: the sliders' values live in the
link's fragment (``#D1=4&D2=…``) and the page's script re-weights in the browser."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from indicators.selectors import tier_bands
from public import selectors, weights_selectors
from public.views import _body, _page, _run_id_from


@require_GET
def weights(request: HttpRequest, year: int) -> HttpResponse:
    run_id, query = _run_id_from(request, year)

    def build() -> dict[str, object]:
        run = selectors.published_runs().get(pk=run_id)
        data = weights_selectors.weights_data(run)
        return {
            "run": run, "q": query, "data": data,
            "rows": weights_selectors.default_rows(data),
            "dimensions": list(run.model_version.dimensions.all()),
            "tiers": tier_bands(list(run.model_version.tiers.all())),
            "step": weights_selectors.SLIDER_STEP,
        }

    body = _body(run_id, f"weights:{query}", "public/_weights.html", build)
    return _page(request, "public/weights.html", {"year": year, "body": body})

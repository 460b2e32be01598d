"""The published methodology: a page (and a printable PDF) per model version that a published
ranking was scored under, the list of them, and what changed between two of them. A draft
version is not public (404); the administrators see every version in ``indicators.views``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.model_diff import model_diff
from indicators.selectors import model_documentation
from public import selectors
from public.model_pdf import documentation_pdf


@require_GET
def models(request: HttpRequest) -> HttpResponse:
    return render(request, "public/models.html", {"versions": selectors.published_models()})


@require_GET
def model(request: HttpRequest, code: str) -> HttpResponse:
    version = selectors.published_model(code)
    return render(request, "public/model.html", {
        "doc": model_documentation(version), "version": version,
        "years": selectors.published_years_of(version),
        "others": [v for v in selectors.published_models() if v.pk != version.pk],
    })


@require_GET
def model_pdf(request: HttpRequest, code: str) -> HttpResponse:
    version = selectors.published_model(code)
    content = documentation_pdf(model_documentation(version),
                                subtitle=_("信息化发展评价指标体系说明"))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="model-{version.code}.pdf"'
    return response


@require_GET
def model_diff_page(request: HttpRequest, old: str, new: str) -> HttpResponse:
    before, after = selectors.published_model(old), selectors.published_model(new)
    return render(request, "public/model_diff.html", {
        "old": before, "new": after, "diff": model_diff(before.source, after.source),
    })

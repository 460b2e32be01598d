"""The help pages: one for each role (the public, province officers, reviewers,
administrators), open to everyone — none of them says anything that is not public."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from indicators.selectors import model_documentation
from public import help as content
from public import selectors

ROLES = ("public", "officer", "reviewer", "administrator")


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "public/help_index.html", {"roles": ROLES})


@require_GET
def role(request: HttpRequest, role: str) -> HttpResponse:
    if role not in ROLES:
        raise Http404
    version = content.help_model()
    context: dict[str, object] = {"role": role, "version": version}
    if role == "officer":
        context.update(checks=content.BUILT_IN_CHECKS, rules=content.model_rules(version))
    if role == "public":
        published = selectors.published_models()
        shown = published[0] if published else version
        context.update(doc=model_documentation(shown) if shown else None,
                       latest_year=selectors.latest_published_year())
    return render(request, f"public/help_{role}.html", context)

"""The administrators' pages of the index model: the versions, one version's documentation and
file, deriving next year's draft, editing a draft, and comparing two versions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ApplicationError
from common.views import error_message, form_error_message
from indicators import selectors, services
from indicators.forms import PAGES, DeriveForm, ModelEditor, ModelPairForm
from indicators.model_diff import model_diff
from indicators.model_io import ModelFileError
from indicators.models import ModelVersion
from indicators.permissions import (
    get_model_for_administrator,
    get_model_for_reader,
    require_model_reader,
)


@login_required
@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    require_model_reader(request)
    versions = list(selectors.model_versions())
    return render(request, "indicators/models.html", {
        "versions": versions, "pair": ModelPairForm(versions=versions),
    })


@login_required
@require_GET
def model_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    version = get_model_for_reader(request, model_id)
    cycles = list(version.cycles.order_by("year"))  # type: ignore[attr-defined]
    return render(request, "indicators/model.html", {
        "version": version, "doc": selectors.model_documentation(version), "cycles": cycles,
        "years": pgettext("enumeration separator", "、").join(str(c.year) for c in cycles),
        "pages": PAGES.values(),
        "derive": DeriveForm(initial={"year": version.year + 1,
                                      "code": str(version.year + 1)}),
    })


@login_required
@require_GET
def model_file(request: HttpRequest, model_id: int) -> HttpResponse:
    version = get_model_for_reader(request, model_id)
    response = HttpResponse(selectors.model_export_text(version=version).encode(),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="model-{version.code}.json"'
    return response


@login_required
@require_POST
def model_derive(request: HttpRequest, model_id: int) -> HttpResponse:
    source = get_model_for_administrator(request, model_id)
    form = DeriveForm(request.POST)
    if not form.is_valid():
        form_error_message(request, form)
        return redirect("indicators:model", model_id=source.pk)
    try:
        version = services.model_version_derive(
            source=source, code=form.cleaned_data["code"], year=form.cleaned_data["year"],
            actor=request.user)
    except ApplicationError as exc:
        error_message(request, exc)
        return redirect("indicators:model", model_id=source.pk)
    except ModelFileError as exc:
        messages.error(request, "; ".join(p.text for p in exc.problems))
        return redirect("indicators:model", model_id=source.pk)
    messages.success(request, _("已由 %(source)s 派生草稿 %(code)s，可以修改") % {
        "source": source.code, "code": version.code})
    return redirect("indicators:model", model_id=version.pk)


@login_required
@require_http_methods(["GET", "POST"])
def model_edit(request: HttpRequest, model_id: int, page: str) -> HttpResponse:
    version = get_model_for_administrator(request, model_id)
    editing = PAGES.get(page)
    if editing is None:
        return redirect("indicators:edit", model_id=version.pk, page="structure")
    if request.method == "POST":
        editor = ModelEditor(version, editing, request.POST)
        if editor.is_valid() and editor.document is not None:
            try:
                changed = services.model_version_update(version=version,
                                                        document=editor.document,
                                                        actor=request.user)
            except ApplicationError as exc:
                error_message(request, exc)
            else:
                done = (_("已保存指标体系 %(code)s 的修改") if changed
                        else _("指标体系 %(code)s 没有修改，未保存"))
                messages.success(request, done % {"code": version.code})
                return redirect(request.path)
        elif services.frozen_error(version) is not None:
            error_message(request, services.frozen_error(version))  # type: ignore[arg-type]
    else:
        editor = ModelEditor(version, editing)
    return render(request, "indicators/edit.html", {
        "version": version, "editor": editor, "page": editing, "pages": PAGES.values(),
        "frozen": version.is_frozen,
    })


@login_required
@require_GET
def model_compare(request: HttpRequest) -> HttpResponse:
    """``?old=<id>&new=<id>``: what changed from one version to the other."""
    require_model_reader(request)
    versions = list(ModelVersion.objects.order_by("-year", "-code"))
    form = ModelPairForm(request.GET or None, versions=versions)
    diff = old = new = None
    if form.is_valid():
        by_id = {v.pk: v for v in versions}
        old, new = by_id[int(form.cleaned_data["old"])], by_id[int(form.cleaned_data["new"])]
        diff = model_diff(old.source, new.source)
    return render(request, "indicators/compare.html", {
        "form": form, "diff": diff, "old": old, "new": new,
        "list_url": reverse("indicators:models"),
    })

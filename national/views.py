"""The administrators' national view: completeness, aggregates, the 2020 targets."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from accounts import roles
from national import selectors
from submissions.models import Cycle


def require_national_reader(request: HttpRequest) -> None:
    """Administrators, and auditors (who read everything)."""
    if not roles.is_overseer(request.user):
        raise PermissionDenied


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    require_national_reader(request)
    cycle = Cycle.objects.order_by("-year").first()
    if cycle is None:
        return render(request, "national/no_cycle.html")
    return redirect("national:cycle", year=cycle.year)


@login_required
@require_GET
def cycle_view(request: HttpRequest, year: int) -> HttpResponse:
    require_national_reader(request)
    cycle = get_object_or_404(Cycle.objects.select_related("model_version"), year=year)
    statuses = selectors.completeness(cycle)
    elements = selectors.element_aggregates(cycle)
    indicators = selectors.indicator_aggregates(cycle)
    counts = {status: sum(1 for s in statuses if s.status == status)
              for status in selectors.STATUS_ORDER}
    return render(request, "national/cycle.html", {
        "cycle": cycle, "statuses": statuses, "counts": counts,
        "late": sum(1 for s in statuses if s.late),
        "grid": [s for s in statuses if s.region.grid_row],
        "elements": elements, "indicators": indicators,
        "provisional": any(a.provisional for a in [*elements, *indicators]),
        "cycles": Cycle.objects.order_by("-year"),
    })


@login_required
@require_GET
def targets(request: HttpRequest) -> HttpResponse:
    require_national_reader(request)
    return render(request, "national/targets.html",
                  {"targets": selectors.targets_progress()})

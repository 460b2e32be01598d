from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts import roles
from scoring.models import Scenario, ScoringRun
from submissions.models import Cycle


def require_scoring_reader(request: HttpRequest) -> None:
    """Scoring runs are the administrators' work; auditors read everything."""
    if not roles.is_overseer(request.user):
        raise PermissionDenied


def get_cycle_for_administrator(request: HttpRequest, cycle_id: int) -> Cycle:
    if not roles.is_administrator(request.user):
        raise PermissionDenied
    return get_object_or_404(Cycle, pk=cycle_id)


def get_run_for_staff(request: HttpRequest, run_id: int) -> ScoringRun:
    require_scoring_reader(request)
    return get_object_or_404(ScoringRun.objects.select_related("cycle", "model_version"),
                             pk=run_id)


def get_run_for_administrator(request: HttpRequest, run_id: int) -> ScoringRun:
    if not roles.is_administrator(request.user):
        raise PermissionDenied
    return get_object_or_404(ScoringRun.objects.select_related("cycle"), pk=run_id)


def get_scenario_for_staff(request: HttpRequest, scenario_id: int) -> Scenario:
    """A saved what-if: the administrators' work, read by auditors."""
    require_scoring_reader(request)
    return get_object_or_404(
        Scenario.objects.select_related("cycle__model_version", "base_run", "created_by"),
        pk=scenario_id)

"""Who may see and change the model versions: administrators edit them, auditors read them
(like the scoring runs they govern); officers and reviewers have no part in them (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts import roles
from indicators.models import ModelVersion


def require_model_reader(request: HttpRequest) -> None:
    if not roles.is_overseer(request.user):
        raise PermissionDenied


def get_model_for_reader(request: HttpRequest, model_id: int) -> ModelVersion:
    require_model_reader(request)
    return get_object_or_404(ModelVersion.objects.select_related("derived_from"), pk=model_id)


def get_model_for_administrator(request: HttpRequest, model_id: int) -> ModelVersion:
    if not roles.is_administrator(request.user):
        raise PermissionDenied
    return get_object_or_404(ModelVersion, pk=model_id)

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from scoring.models import ScoringRun


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "number", "input_hash", "created_by", "created_at", "published_at")

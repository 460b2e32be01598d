from django.contrib import admin

from audit.models import AuditEntry
from common.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "created_at", "actor_name", "action", "object_type", "object_id",
                    "region_code", "cycle_year")
    list_filter = ("action",)

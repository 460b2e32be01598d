from django.contrib import admin

from common.admin import NoDeleteAdmin, ReadOnlyAdmin
from indicators.models import ModelVersion, NationalTarget, NationalTargetValue, Region


@admin.register(Region)
class RegionAdmin(NoDeleteAdmin):
    list_display = ("code", "name_zh", "short_name_zh", "name_en", "macro_region", "ranked")
    search_fields = ("code", "name_zh", "short_name_zh", "name_en")
    readonly_fields = ("code",)


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    """Index models change only through their services: import_model, and the editor of a
    draft (/models/); this page only lists them."""

    list_display = ("code", "year", "state", "created_at")


class TargetValueInline(admin.TabularInline):
    model = NationalTargetValue
    extra = 1
    fields = ("year", "value", "reported_growth")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(NationalTarget)
class NationalTargetAdmin(NoDeleteAdmin):
    list_display = ("code", "name_zh", "unit", "target", "target_year")
    fields = ("code", "group_zh", "group_en", "name_zh", "name_en", "unit", "unit_en", "target",
              "target_year", "provincial_formula", "provincial_scale", "order")
    inlines = [TargetValueInline]

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from common.admin import NoDeleteAdmin, ReadOnlyAdmin
from common.i18n import localized
from indicators.models import ModelVersion, NationalTarget, NationalTargetValue, Region


def _in_chinese(text: str) -> SafeString:
    """A Chinese name on a page of any language, marked as Chinese (screen readers, and the
    English page's check that nothing else on it is)."""
    return format_html('<span lang="zh-Hans">{}</span>', text)


@admin.register(Region)
class RegionAdmin(NoDeleteAdmin):
    list_display = ("code", "full_name_zh", "short_name_chinese", "english_name",
                    "macro_region", "ranked")
    search_fields = ("code", "name_zh", "short_name_zh", "name_en")
    readonly_fields = ("code",)

    @admin.display(description=_("全称"), ordering="name_zh")
    def full_name_zh(self, region: Region) -> SafeString:
        return _in_chinese(region.name_zh)

    @admin.display(description=_("英文名称"), ordering="name_en")
    def english_name(self, region: Region) -> SafeString:
        return format_html('<span lang="en">{}</span>', region.name_en)

    @admin.display(description=_("简称"), ordering="short_name_zh")
    def short_name_chinese(self, region: Region) -> SafeString:
        return _in_chinese(region.short_name_zh)


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
    list_display = ("code", "localized_name", "target", "localized_unit", "target_year")
    fields = ("code", "group_zh", "group_en", "name_zh", "name_en", "unit", "unit_en", "target",
              "target_year", "provincial_formula", "provincial_scale", "order")
    inlines = [TargetValueInline]

    @admin.display(description=_("名称"), ordering="order")
    def localized_name(self, target: NationalTarget) -> str:
        return localized(target, "name")

    @admin.display(description=_("单位"))
    def localized_unit(self, target: NationalTarget) -> str:
        return localized(target, "unit")

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from common.admin import NoDeleteAdmin, ReadOnlyAdmin
from common.i18n import localized
from indicators.models import ModelVersion, NationalTarget, NationalTargetValue, Region
from indicators.services import target_log_change


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


def _changes(form: Any, *, skip: tuple[str, ...] = (), **extra: Any) -> list[dict[str, Any]]:
    """What a saved admin form changed: per field, the value before and after, as text."""
    return [{"field": name, **extra, "old": _text(form.initial.get(name)),
             "new": _text(form.cleaned_data.get(name))}
            for name in form.changed_data if name in form.cleaned_data and name not in skip]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@admin.register(NationalTarget)
class NationalTargetAdmin(NoDeleteAdmin):
    """Each save is audited with every changed field and yearly value, before and after."""

    list_display = ("code", "localized_name", "target", "localized_unit", "target_year")
    fields = ("code", "group_zh", "group_en", "name_zh", "name_en", "unit", "unit_en", "target",
              "target_year", "provincial_formula", "provincial_scale", "order")
    inlines = [TargetValueInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        target_log_change(actor=request.user, target=obj, changes=_changes(form),
                          created=not change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool
                     ) -> None:
        super().save_formset(request, form, formset, change)
        changes = []
        for row in formset.forms:
            if row.has_changed() and hasattr(row, "cleaned_data") and row.cleaned_data:
                year = row.cleaned_data.get("year") or row.initial.get("year")
                changes += _changes(row, skip=("id", "target", "DELETE"), year=year)
        target_log_change(actor=request.user, target=form.instance, changes=changes)

    @admin.display(description=_("名称"), ordering="order")
    def localized_name(self, target: NationalTarget) -> str:
        return localized(target, "name")

    @admin.display(description=_("单位"))
    def localized_unit(self, target: NationalTarget) -> str:
        return localized(target, "unit")

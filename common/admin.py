"""Admin classes for records the product never lets anyone change or delete."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class NoDeleteAdmin(admin.ModelAdmin):
    """Nothing is deleted in this product: not even through the admin."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyAdmin(NoDeleteAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

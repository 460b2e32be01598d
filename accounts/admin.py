from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.admin import NoDeleteAdmin


@admin.register(User)
class UserAdmin(NoDeleteAdmin, BaseUserAdmin):
    """People are deactivated, never deleted: their names stay on what they did."""

    list_display = ("username", "full_name", "region", "is_active", "last_login")
    list_filter = ("groups", "region", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("地区"), {"fields": ("full_name", "region")}),
    )

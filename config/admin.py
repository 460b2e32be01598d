"""The Django admin, for administrators only (the role, not Django's is_staff flag)."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import roles


class PlatformAdminSite(admin.AdminSite):
    site_header = _("信息化发展评价数据填报平台 · 系统管理")
    site_title = _("系统管理")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and roles.is_administrator(request.user))

"""The Django admin: for administrators (the platform's models) and security administrators
(people, roles, second factors, lock-outs) — the roles, not Django's is_staff flag. Which pages
each sees follows the permissions of their role's group (``accounts.services.ROLE_PERMISSIONS``):
the administrator no longer manages accounts (separation of duties)."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import roles


class PlatformAdminSite(admin.AdminSite):
    site_header = _("信息化发展评价数据填报平台 · 系统管理")
    site_title = _("系统管理")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (roles.is_administrator(user)
                                        or roles.is_security_administrator(user)))

    def login(self, request: HttpRequest, extra_context: dict[str, object] | None = None,
              ) -> HttpResponse:
        """One login for the whole platform (with its second factor and password rules): the
        platform's own page; a signed-in person without an admin role is refused."""
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", reverse("admin:index")),
                                 reverse("accounts:login"))

    # A redirect, not the admin's form page.
    def password_change(self, request: HttpRequest,  # type: ignore[override]
                        extra_context: dict[str, object] | None = None) -> HttpResponse:
        """The platform's own page: the same rules, and the person's other sessions end."""
        return redirect("accounts:password_change")

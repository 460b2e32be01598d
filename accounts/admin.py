"""The people's admin pages: the security administrator's (their permissions are the accounts,
auth, django-otp and axes apps', ``accounts.services.SECURITY_APPS``).

Roles are groups; the superuser and staff flags and single permissions are not offered: a role
is the only way to give rights, so separation of duties holds (``ROLE_CONFLICT`` refused in the
form) and no one is made a superuser from a web page."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.errors import role_conflict
from accounts.models import User
from accounts.services import second_factor_reset
from accounts.validators import TEMPORARY_ATTR
from common.admin import NoDeleteAdmin
from common.errors import ApplicationError


def role_label(group: Group) -> str:
    """A role group by its name in the page's language (审核员), not its code (reviewer)."""
    return str(roles.ROLE_LABELS.get(group.name, group.name))


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return role_label(obj)


class RoleFilter(admin.SimpleListFilter):
    title = _("角色")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(name, str(label)) for name, label in roles.ROLE_LABELS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


class UserForm(UserChangeForm):
    def clean_groups(self) -> Any:
        groups = self.cleaned_data.get("groups")
        names = {g.name for g in groups or []}
        if self.instance.is_superuser:
            names.add(roles.ADMINISTRATOR)
        if roles.conflicting_duties(names):
            refusal = role_conflict(self.instance, names)
            raise forms.ValidationError(refusal.message, code=refusal.code)
        return groups


class TemporaryPasswordForm(AdminPasswordChangeForm):
    """A password a security administrator sets is temporary: its owner changes it at the
    next login."""

    def save(self, commit: bool = True) -> Any:
        setattr(self.user, TEMPORARY_ATTR, True)
        return super().save(commit=commit)


@admin.register(User)
class UserAdmin(NoDeleteAdmin, BaseUserAdmin):
    """People are deactivated, never deleted: their names stay on what they did."""

    form = UserForm
    change_password_form = TemporaryPasswordForm
    list_display = ("username", "full_name", "region", "is_active", "last_login")
    list_filter = (RoleFilter, "region", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "email", "region", "language")}),
        (_("角色"), {"fields": ("is_active", "groups")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups",)
    actions = ["reset_second_factor"]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any
                                 ) -> Any:
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            setattr(obj, TEMPORARY_ATTR, True)  # the new person chooses their own at login
        super().save_model(request, obj, form, change)

    @admin.action(description=_("重置双因素认证（认证器与恢复码）"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = 0
        for person in queryset:
            try:
                second_factor_reset(user=person, actor=request.user)  # type: ignore[arg-type]
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            done += 1
        self.message_user(request, _("已重置 %(n)d 个账户的双因素认证；他们下次登录时重新绑定。")
                          % {"n": done}, messages.SUCCESS)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(BaseGroupAdmin):
    """The role groups, listed by their names in the page's language."""

    list_display = ("role",)

    @admin.display(description=_("角色"), ordering="name")
    def role(self, group: Group) -> str:
        return role_label(group)


# django-otp's device pages, with Chinese column and filter names (its fields' names are not
# marked for translation); everything else is django-otp's own admin.
class ConfirmedFilter(admin.SimpleListFilter):
    title = _("已确认")
    parameter_name = "confirmed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", str(_("是"))), ("0", str(_("否")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("0", "1"):
            return queryset.filter(confirmed=self.value() == "1")
        return queryset


class _DeviceColumns:
    list_display = ["device_user", "device_name", "device_created", "device_last_used",
                    "device_confirmed"]
    list_filter = [ConfirmedFilter]
    search_help_text = _("按用户名或电子邮件地址搜索")

    @admin.display(description=_("用户"), ordering="user__username")
    def device_user(self, device: Any) -> str:
        return str(device.user)

    @admin.display(description=_("名称"), ordering="name")
    def device_name(self, device: Any) -> str:
        return str(device.name)

    @admin.display(description=_("创建时间"), ordering="created_at")
    def device_created(self, device: Any) -> Any:
        return device.created_at

    @admin.display(description=_("最近使用"), ordering="last_used_at")
    def device_last_used(self, device: Any) -> Any:
        return device.last_used_at

    @admin.display(description=_("已确认"), boolean=True, ordering="confirmed")
    def device_confirmed(self, device: Any) -> bool:
        return bool(device.confirmed)


class AuthenticatorAdmin(_DeviceColumns, TOTPDeviceAdmin):  # type: ignore[misc]
    pass


class RecoveryCodesAdmin(_DeviceColumns, StaticDeviceAdmin):  # type: ignore[misc]
    pass


for _model, _admin in ((TOTPDevice, AuthenticatorAdmin), (StaticDevice, RecoveryCodesAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)

from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class PlatformAdminConfig(AdminConfig):
    """The Django admin (config/admin.py), and the project's start-up wiring: the app of the
    ``config`` package that INSTALLED_APPS names."""

    default_site = "config.admin.PlatformAdminSite"

    def ready(self) -> None:
        super().ready()
        from config import folders  # noqa: F401  (registers the data folders' start check)


# Third-party apps under the names the admin's Chinese and English pages show them by (their
# own are English only, or the app's label: "Otp_Totp"); everything else about them is theirs.
class LoginLockoutsConfig(AxesConfig):
    verbose_name = _("登录锁定")


class AuthenticatorsConfig(TOTPConfig):
    verbose_name = _("认证器")


class RecoveryCodesConfig(StaticConfig):
    verbose_name = _("恢复码")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账户")

    def ready(self) -> None:
        from accounts import checks, receivers  # noqa: F401  (registers the check and receivers)

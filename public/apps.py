from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("公开排名")

    def ready(self) -> None:
        from public import checks, signals  # noqa: F401 - registers the check, the receivers

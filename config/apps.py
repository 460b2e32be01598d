from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    """The Django admin (config/admin.py), and the project's start-up wiring: the app of the
    ``config`` package that INSTALLED_APPS names."""

    default_site = "config.admin.PlatformAdminSite"

    def ready(self) -> None:
        super().ready()
        from config import folders  # noqa: F401  (registers the data folders' start check)

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "公开排名"

    def ready(self) -> None:
        from public import signals  # noqa: F401 - connects the receivers

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.models import ModelVersion
from indicators.selectors import model_export_text


class Command(BaseCommand):
    help = "Export a model version as JSON (the format import_model reads)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version names the model version here, replacing Django's own --version flag.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--version", dest="model_version", required=True)
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        version = ModelVersion.objects.filter(code=options["model_version"]).first()
        if version is None:
            known = ", ".join(ModelVersion.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"no model version {options['model_version']!r} (known: {known})")
        text = model_export_text(version=version)
        Path(options["output"]).write_text(text, encoding="utf-8")
        self.stdout.write(f"model version {version.code} written to {options['output']}")

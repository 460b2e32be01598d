from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.model_io import ModelFileError, load_model_file
from indicators.services import model_import


class Command(BaseCommand):
    help = "Import an index model file (JSON) as a new model version; nothing is stored on error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None
        try:
            version, created = model_import(document=load_model_file(raw))
        except ModelFileError as exc:
            lines = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(f"{path}: the model was not imported:\n{lines}") from None
        verb = "imported" if created else "already present, unchanged"
        self.stdout.write(f"model version {version.code}: {verb}")

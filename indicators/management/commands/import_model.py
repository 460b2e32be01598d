from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.selectors import operator_user
from common.commands import refusals_as_command_errors
from indicators.model_io import ModelFileError, load_model_file
from indicators.services import CREATED, UPDATED, model_import

OUTCOMES = {CREATED: "imported", UPDATED: "updated (a draft: no cycle uses it yet)"}


class Command(BaseCommand):
    help = ("Import an index model file (JSON) as a new model version, or as the new content of "
            "a draft version of the same code; nothing is stored on error, and a version that "
            "a cycle uses is never changed (MODEL_FROZEN).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="record the action as this user (default: operator)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None
        try:
            document = load_model_file(raw)
        except ModelFileError as exc:
            lines = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(f"{path}: the model was not imported:\n{lines}") from None
        try:
            actor = operator_user(options["user"])
        except User.DoesNotExist:
            raise CommandError(f"no user {options['user']!r}") from None
        with refusals_as_command_errors():
            version, outcome = model_import(document=document, actor=actor)
        verb = OUTCOMES.get(outcome, "already present, unchanged")
        self.stdout.write(f"model version {version.code}: {verb}")

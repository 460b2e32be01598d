from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.services import groups_ensure
from common.errors import ApplicationError
from indicators.model_io import load_model_file
from indicators.services import (
    CREATED,
    MODEL_2017_FILE,
    UPDATED,
    model_import,
    regions_load,
    targets_load,
)


class Command(BaseCommand):
    help = "Regions, the 2017 index model, the national targets and the role groups (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        regions = regions_load()
        model = self._model_2017()
        targets = targets_load()
        groups = groups_ensure()
        self.stdout.write(
            f"regions: {regions} created; model {model}; targets: {targets} created; "
            f"role groups: {groups} created"
        )

    def _model_2017(self) -> str:
        document = load_model_file(MODEL_2017_FILE.read_bytes())
        try:
            _version, outcome = model_import(document=document)
        except ApplicationError:
            # A database made before the shipped file last changed, whose 2017 version a
            # cycle uses: it stays what the cycle was made with (MODEL_FROZEN).
            return f"{document.version}: present (in use; differs from the shipped file)"
        words = {CREATED: "imported", UPDATED: "updated from the shipped file"}
        return f"{document.version}: {words.get(outcome, 'present')}"

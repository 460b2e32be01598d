from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.services import groups_ensure
from indicators.model_io import load_model_file
from indicators.services import MODEL_2017_FILE, model_import, regions_load, targets_load


class Command(BaseCommand):
    help = "Regions, the 2017 index model, the national targets and the role groups (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        regions = regions_load()
        version, created = model_import(document=load_model_file(MODEL_2017_FILE.read_bytes()))
        targets = targets_load()
        groups = groups_ensure()
        self.stdout.write(
            f"regions: {regions} created; model {version.code}: "
            f"{'imported' if created else 'present'}; targets: {targets} created; "
            f"role groups: {groups} created"
        )

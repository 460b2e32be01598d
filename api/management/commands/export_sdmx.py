from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api import sdmx
from scoring.selectors import latest_published_run
from submissions.models import Cycle


class Command(BaseCommand):
    help = ("Write a cycle's SDMX: the data structure definition (SDMX-ML 3.0) or the latest "
            "publication's figures (SDMX-CSV 2.0).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, required=True)
        parser.add_argument("--what", choices=["structure", "data"], required=True)
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.select_related("model_version").filter(
            year=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"no cycle {options['cycle']}")
        if options["what"] == "structure":
            text, what = sdmx.structure_xml(cycle.model_version), (
                f"structure of model {cycle.model_version.code}")
        else:
            run = latest_published_run(cycle)
            if run is None:
                raise CommandError(f"cycle {cycle.year} has no published ranking")
            text, what = sdmx.data_csv(run), f"figures of run {run.pk}"
        Path(options["output"]).write_text(text, encoding="utf-8")
        self.stdout.write(f"SDMX {what} written to {options['output']}")

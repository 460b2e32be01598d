from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exports import render_table
from scoring.selectors import (
    latest_published_run,
    rank_interval_note,
    ranking_columns,
    ranking_rows,
    run_coverage,
)
from submissions.models import Cycle


class Command(BaseCommand):
    help = ("Export the latest published ranking of a cycle (csv with BOM, xlsx or json); its "
            "columns are the dimensions of the cycle's model, then rank_low and rank_high: the "
            "90% interval of the rank when the dimension weights vary. The file stays a plain "
            "table; a partial publication is said on the command's output.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, required=True)
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], required=True)
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.filter(year=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"no cycle {options['cycle']}")
        run = latest_published_run(cycle)
        if run is None:
            raise CommandError(f"cycle {cycle.year} has no published ranking")
        rows = ranking_rows(run)
        Path(options["output"]).write_bytes(render_table(options["format"], ranking_columns(run),
                                                            rows))
        self.stdout.write(f"{len(rows)} rows of run {run.pk} written to {options['output']}")
        self.stdout.write(rank_interval_note(run))
        coverage = run_coverage(run)
        if coverage.partial:
            # Said here, not in the file: the file stays a plain table (header first).
            self.stdout.write(f"partial publication: {coverage.covered}/{coverage.of} regions")

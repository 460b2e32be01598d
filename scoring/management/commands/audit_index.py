"""``audit_index --run ID | --cycle YEAR --format json|xlsx -o FILE``: the statistical audit
of a scoring run (``scoring.statistics``), written to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring import statistics, studio_selectors
from scoring.models import ScoringRun
from submissions.models import Cycle


class Command(BaseCommand):
    help = ("Write the statistical audit of a scoring run (indicator statistics, Pearson and "
            "Spearman correlations, Cronbach's alpha, principal components, rank uncertainty "
            "and first-order sensitivity) as JSON or xlsx. --cycle takes the cycle's latest "
            "publication, or its latest run before the first publication.")

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--run", type=int, help="a scoring run's id")
        which.add_argument("--cycle", type=int, help="a cycle's year")
        parser.add_argument("--format", choices=["json", "xlsx"], required=True)
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        run = _run(options["run"], options["cycle"])
        report = studio_selectors.audit_report(run)
        if options["format"] == "json":
            content = studio_selectors.audit_json(report)
        else:
            names, regions = studio_selectors.audit_labels(run)
            content = statistics.audit_workbook(report, names, regions)
        try:
            Path(options["output"]).write_bytes(content)
        except OSError as exc:
            raise CommandError(f"{options['output']}: cannot be written ({exc.strerror})"
                               ) from None
        self.stdout.write(f"audit of run {run.pk} ({run.cycle.year} #{run.number}) written to "
                          f"{options['output']}")


def _run(run_id: int | None, year: int) -> ScoringRun:
    if run_id is not None:
        run = ScoringRun.objects.select_related("cycle", "model_version").filter(
            pk=run_id).first()
        if run is None:
            raise CommandError(f"no scoring run {run_id}")
        return run
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise CommandError(f"no cycle {year}")
    found = studio_selectors.official_run(cycle)
    if found is None:
        raise CommandError(f"cycle {cycle.year} has no scoring run")
    return found

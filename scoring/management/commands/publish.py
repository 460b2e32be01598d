from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.selectors import operator_user
from common.commands import refusals_as_command_errors
from scoring.models import ScoringRun
from scoring.selectors import run_coverage
from scoring.services import run_publish
from submissions.models import Cycle


class Command(BaseCommand):
    help = "Publish a scoring run of a cycle (the latest unless --run); a later one is a revision."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, required=True)
        parser.add_argument("--run", type=int, help="the run's id (default: the cycle's latest)")
        parser.add_argument("--note", default="", help="required for a revision")
        parser.add_argument("--allow-incomplete", action="store_true",
                            help="publish although the run has no result for some ranked "
                                 "region: a partial publication, marked as such on every "
                                 "public page and file")
        parser.add_argument("--user", help="record the action as this user (default: operator)")

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.filter(year=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"no cycle {options['cycle']}")
        runs = ScoringRun.objects.filter(cycle=cycle)
        run = runs.filter(pk=options["run"]).first() if options["run"] else runs.order_by(
            "-number").first()
        if run is None:
            raise CommandError(f"no scoring run {options['run'] or ''} in cycle {cycle.year}")
        try:
            actor = operator_user(options["user"])
        except User.DoesNotExist:
            raise CommandError(f"no user {options['user']!r}") from None
        with refusals_as_command_errors():
            run = run_publish(run=run, actor=actor, note=options["note"],
                              allow_incomplete=options["allow_incomplete"])
        kind = f"revision of run {run.revision_of.pk}" if run.revision_of else "first publication"
        coverage = run_coverage(run)
        partial = (f" - partial publication: {coverage.covered}/{coverage.of} regions"
                   if coverage.partial else "")
        self.stdout.write(f"published run {run.pk} of cycle {cycle.year} ({kind}){partial}")

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.selectors import operator_user
from common.commands import refusals_as_command_errors
from scoring.services import run_create
from submissions.models import Cycle


class Command(BaseCommand):
    help = "Score a cycle's approved submissions as a new immutable run; prints the run's id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, required=True)
        parser.add_argument("--user", help="record the action as this user (default: operator)")

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.filter(year=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"no cycle {options['cycle']}")
        try:
            actor = operator_user(options["user"])
        except User.DoesNotExist:
            raise CommandError(f"no user {options['user']!r}") from None
        with refusals_as_command_errors():
            run = run_create(cycle=cycle, actor=actor)
        self.stdout.write(str(run.pk))

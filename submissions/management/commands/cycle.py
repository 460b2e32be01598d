from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from accounts.selectors import operator_user
from common.commands import refusals_as_command_errors
from indicators.models import ModelVersion
from submissions.models import Cycle, Submission
from submissions.services.cycles import cycle_close, cycle_create, cycle_reopen


class Command(BaseCommand):
    help = ("Reporting cycles: open (create) one, close it, reopen it with a reason, print its "
            "state. The command and its flags are the deliberate action: nothing is asked.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        opening = actions.add_parser("open", help="create the year's cycle, open for reporting")
        opening.add_argument("--model", required=True, help="the model version's code")
        opening.add_argument("--deadline", required=True, help="YYYY-MM-DD")
        opening.add_argument("--opens-on", help="YYYY-MM-DD (default: today)")
        actions.add_parser("close", help="close the cycle: officers can no longer change it")
        reopen = actions.add_parser("reopen", help="open a closed cycle again")
        reopen.add_argument("--reason", required=True, help="why (kept in the audit log)")
        actions.add_parser("status", help="the state, the deadline, submissions per state")
        for name, sub in actions.choices.items():
            sub.add_argument("--year", type=int, required=True, help="the cycle's year")
            if name != "status":
                sub.add_argument("--user", help="record the action as this user "
                                                "(default: operator)")

    def handle(self, *args: Any, **options: Any) -> None:
        year, action = options["year"], options["action"]
        if action == "open":
            self._open(year, options)
            return
        cycle = Cycle.objects.filter(year=year).first()
        if cycle is None:
            raise CommandError(f"no cycle {year}: create it with cycle open --year {year} "
                               "--model CODE --deadline YYYY-MM-DD")
        if action == "status":
            self._status(cycle)
            return
        actor = _actor(options.get("user"))
        with refusals_as_command_errors():
            if action == "close":
                cycle = cycle_close(cycle=cycle, actor=actor)
            else:
                if not options["reason"].strip():
                    raise CommandError("--reason must say why the cycle is reopened")
                cycle = cycle_reopen(cycle=cycle, actor=actor, reason=options["reason"])
        self.stdout.write(f"cycle {year}: {cycle.state}")

    def _open(self, year: int, options: dict[str, Any]) -> None:
        if Cycle.objects.filter(year=year).exists():
            raise CommandError(f"cycle {year} exists already; a closed one is opened again "
                               f"with cycle reopen --year {year} --reason TEXT")
        model = ModelVersion.objects.filter(code=options["model"]).first()
        if model is None:
            raise CommandError(f"no model version {options['model']!r}")
        if model.state == ModelVersion.State.DRAFT:
            raise CommandError(f"model version {model.code} is a draft: activate it first")
        deadline = _date(options["deadline"], "--deadline")
        opens_on = (_date(options["opens_on"], "--opens-on") if options["opens_on"]
                    else timezone.localdate())
        with refusals_as_command_errors():
            cycle = cycle_create(year=year, model_version=model, opens_on=opens_on,
                                 deadline=deadline, actor=_actor(options.get("user")))
        self.stdout.write(f"cycle {year}: open, model {model.code}, deadline {deadline}, "
                          f"{cycle.submissions.count()} submission(s)")

    def _status(self, cycle: Cycle) -> None:
        counts = dict(cycle.submissions.order_by().values_list("state")
                      .annotate(n=Count("id")).values_list("state", "n"))
        self.stdout.write(f"cycle {cycle.year}: {cycle.state}")
        self.stdout.write(f"model: {cycle.model_version.code}")
        self.stdout.write(f"deadline: {cycle.deadline}")
        for state in Submission.State.values:
            self.stdout.write(f"{state}: {counts.get(state, 0)}")


def _date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{flag} {text!r} is not a date: YYYY-MM-DD") from None


def _actor(username: str | None) -> Any:
    try:
        return operator_user(username)
    except User.DoesNotExist:
        raise CommandError(f"no user {username!r}") from None

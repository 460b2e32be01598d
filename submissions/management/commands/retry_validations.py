"""``retry_validations``: list the validations the sweep gave up on, and re-queue them."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.selectors import operator_user
from submissions.models import Version
from submissions.services.validation import validation_retry_failed


class Command(BaseCommand):
    help = ("List the versions whose validation was given up (state 'failed'); with --all or "
            "--id ID, re-queue them with their attempts counted from zero.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--id", type=int, action="append", dest="versions",
                            help="re-queue the version of this id (repeat for several)")
        parser.add_argument("--all", action="store_true", help="re-queue every failed one")
        parser.add_argument("--user", help="record the action as this user (default: operator)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["versions"] and not options["all"]:
            failed = Version.objects.filter(validation=Version.Validation.FAILED).select_related(
                "submission__region", "submission__cycle").order_by("pk")
            for version in failed:
                self.stdout.write(f"{version.pk}\t{version}\t{version.validation_attempts} "
                                  "attempts")
            self.stdout.write(f"{len(failed)} failed validation(s)")
            return
        ids = None if options["all"] else options["versions"]
        done = validation_retry_failed(version_ids=ids, actor=operator_user(options["user"]))
        self.stdout.write(f"re-queued {len(done)} validation(s): "
                          + ", ".join(str(pk) for pk in done))

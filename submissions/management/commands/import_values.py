from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.selectors import operator_user
from common.commands import refusals_as_command_errors
from submissions.bulk import BulkProblem, bulk_import
from submissions.models import UploadedFile
from submissions.services.files import file_check_size, file_store
from submissions.tasks import bulk_import_file


class Command(BaseCommand):
    help = ("Load a bulk file (one row per value: region_code, element_code, value, note, "
            "year) through the same validation as uploads; all or nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--cycle", type=int, required=True, help="the cycle's year")
        parser.add_argument("--approve", action="store_true",
                            help="approve each region's new version in the same step")
        parser.add_argument("--async", dest="run_async", action="store_true",
                            help="queue the load for a Celery worker instead of running it here")
        parser.add_argument("--user", help="record the action as this user (default: operator)")
        parser.add_argument("--dry-run", action="store_true",
                            help="run every check and print the same report; store nothing")
        parser.add_argument("--late", action="store_true",
                            help="load into a cycle that is no longer open (needs --reason)")
        parser.add_argument("--reason", default="",
                            help="why the data come late (with --late; kept in the audit log)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        late_reason = options["reason"].strip()
        if options["late"] and not late_reason:
            raise CommandError("--late needs --reason TEXT: why the data come late")
        if late_reason and not options["late"]:
            raise CommandError("--reason goes with --late")
        if options["dry_run"] and options["run_async"]:
            raise CommandError("--dry-run runs here: it cannot be combined with --async")
        try:
            with refusals_as_command_errors():
                file_check_size(size=path.stat().st_size, limit=settings.BULK_MAX_BYTES)
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None
        try:
            actor = operator_user(options["user"])
        except User.DoesNotExist:
            raise CommandError(f"no user {options['user']!r}") from None
        if options["run_async"]:
            record = file_store(content=content, filename=path.name, cycle=None, region=None,
                                purpose=UploadedFile.Purpose.BULK, actor=actor)
            bulk_import_file.delay(str(record.file.name), path.name, options["cycle"], actor.pk,
                                   options["approve"], late_reason)
            self.stdout.write(f"queued: {path.name} (sha256 {record.sha256})")
            return
        with refusals_as_command_errors():
            result = bulk_import(content=content, filename=path.name, year=options["cycle"],
                                 actor=actor, approve=options["approve"],
                                 late_reason=late_reason, dry_run=options["dry_run"])
        for problem in result.warnings:
            self.stdout.write("warning: " + _line(path.name, problem))
        if not result.ok:
            for problem in result.errors:
                self.stderr.write("error: " + _line(path.name, problem))
            raise CommandError(
                f"{path}: {len(result.errors)} error(s); nothing was stored"
            )
        if result.dry_run:
            created = f", would create cycle {options['cycle']}" if result.created_cycle else ""
            self.stdout.write(
                f"{path.name}: dry run: {result.rows} rows, {result.regions} region(s) checked"
                f"{created}, {len(result.warnings)} warning(s); nothing was stored"
            )
            return
        if result.created_cycle:
            self.stdout.write(f"created cycle {options['cycle']}")
        approved = " and approved" if options["approve"] else ""
        self.stdout.write(
            f"{path.name}: {result.rows} rows, {len(result.versions)} region(s) stored"
            f"{approved}, {len(result.warnings)} warning(s)"
        )


def _line(filename: str, p: BulkProblem) -> str:
    place = ", ".join(part for part in (
        p.region and f"region {p.region}",
        p.row is not None and f"row {p.row}",
        p.column and f"column {p.column}",
        p.element_code and f"element {p.element_code}",
    ) if part)
    return f"{filename}: {place}: [{p.rule_code}] {p.message_en} / {p.message_zh}"

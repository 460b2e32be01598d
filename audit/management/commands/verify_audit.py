from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audit.archive import verify_archive
from audit.selectors import ChainReport, audit_verify_chain


class Command(BaseCommand):
    help = ("Check the hash chain of the audit log (or of an archive written by export_audit); "
            "exit non-zero at the first broken entry. Reports how old the oldest entry is.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--archive", type=Path,
                            help="check this archive file instead of the database")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = options.get("archive")
        if archive is not None:
            if not archive.is_file():
                raise CommandError(f"no such archive: {archive}")
            with archive.open(encoding="utf-8") as lines:
                report = verify_archive(lines)
            what = f"archive {archive}"
        else:
            report = audit_verify_chain()
            what = "audit log"
        if report.broken_at is not None:
            raise CommandError(
                f"{what} broken at entry #{report.broken_at}: {report.reason} "
                f"({report.checked} entries verified before it)"
            )
        self.stdout.write(f"{what} intact: {report.checked} entries verified{_details(report)}")


def _details(report: ChainReport) -> str:
    if report.oldest is None:
        return ""
    age = timezone.now() - report.oldest
    algorithms = ", ".join(f"{name} {n}" for name, n in sorted(report.algorithms.items()))
    return (f"; oldest entry {report.oldest:%Y-%m-%d %H:%M:%S %Z} ({age.days} days old); "
            f"hashes: {algorithms}")

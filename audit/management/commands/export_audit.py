import hashlib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audit.archive import archive_entries, archive_lines


def _day(text: str) -> datetime:
    try:
        return timezone.make_aware(datetime.combine(date.fromisoformat(text), time.min))
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = ("Write the audit log (or the entries of a period) to an archive file with its hash "
            "chain (JSON Lines); `verify_audit --archive FILE` checks it later, without the "
            "database. Prints the file's SHA-256 to keep beside it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument("--since", help="first day (YYYY-MM-DD), included")
        parser.add_argument("--until", help="last day (YYYY-MM-DD), excluded")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        since = _day(options["since"]) if options.get("since") else None
        until = _day(options["until"]) if options.get("until") else None
        if output.exists():
            raise CommandError(f"{output} exists: an archive is never overwritten")
        digest = hashlib.sha256()
        lines = 0
        with output.open("x", encoding="utf-8") as out:
            for line in archive_lines(archive_entries(since=since, until=until)):
                out.write(line)
                digest.update(line.encode("utf-8"))
                lines += 1
        self.stdout.write(f"{lines - 1} entries written to {output}; "
                          f"SHA-256 of the file: {digest.hexdigest()}")

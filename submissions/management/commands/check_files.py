"""``check_files``: every stored file whose bytes do not match its SHA-256 name."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.services.files import file_check_all


class Command(BaseCommand):
    help = ("Check every stored upload against its SHA-256 name (a partial or damaged file, "
            "a missing one); exits non-zero naming each.")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = 0
        for found in file_check_all():
            problems += 1
            size = "" if found.size is None else f" ({found.size} bytes)"
            self.stdout.write(f"{found.problem}: {found.name}{size}"
                              + (f" sha256={found.actual}" if found.actual else "")
                              + (f"; used by {', '.join(found.versions)}" if found.versions
                                 else ""))
        if problems:
            raise CommandError(f"{problems} stored file(s) do not match their SHA-256 name")
        self.stdout.write("check_files: 0 problems")

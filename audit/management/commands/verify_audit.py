from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_verify_chain


class Command(BaseCommand):
    help = "Check the hash chain of the audit log; exit non-zero at the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify_chain()
        if report.broken_at is not None:
            raise CommandError(
                f"audit log broken at entry #{report.broken_at}: {report.reason} "
                f"({report.checked} entries verified before it)"
            )
        self.stdout.write(f"audit log intact: {report.checked} entries verified")

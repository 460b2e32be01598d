"""`demo_otp`: the current second-factor code of the demo's staff accounts (their shared, known
TOTP secret: demo data only), for `make run` without an authenticator app at hand."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.management.commands.seed_demo import DEMO_TOTP_KEY, STAFF


def demo_code() -> str:
    return f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}"


class Command(BaseCommand):
    help = "Print the current second-factor code of the demo staff accounts (demo data only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, user__username__in=STAFF).exists():
            raise CommandError("no demo account has the demo's second factor: run seed_demo")
        left = 30 - int(time.time()) % 30
        self.stdout.write(f"{demo_code()}  (valid for {left} more s; accounts: "
                          f"{', '.join(STAFF)})")

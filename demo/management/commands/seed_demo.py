"""`seed_demo`: demo accounts and a clearly labelled synthetic data set (idempotent)."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.models import PasswordRecord, User
from accounts.services import password_record
from demo.data import element_values
from indicators.models import ModelVersion, Region
from public.models import Announcement
from public.services import announcement_create
from scoring.selectors import latest_published_run
from scoring.services import run_create, run_publish
from submissions.bulk import bulk_import
from submissions.models import Cycle
from submissions.services.cycles import cycle_create

DEMO_PASSWORD = "demo-password-2017"  # noqa: S105 - printed for the demo on purpose
# The second factor of the demo's staff accounts: one known TOTP secret, printed like the
# password (and `demo_otp` prints its current code). Demo data only: never in production.
DEMO_TOTP_KEY = b"ifdi-demo-totp-2017!".hex()
DEMO_TOTP_SECRET = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
STAFF = ("admin", "security", "reviewer", "auditor")
NOTE = "演示数据（合成，非真实统计）/ synthetic demo data"


class Command(BaseCommand):
    help = "Demo accounts and a synthetic demo data set: 2016 and 2017 published, 2018 open."

    def handle(self, *args: Any, **options: Any) -> None:
        admin = self._accounts()
        model = ModelVersion.objects.get(code="2017")
        for year, scale in ((2016, 0.93), (2017, 1.0)):
            if Cycle.objects.filter(year=year).exists():
                continue
            # 2016 had no model of its own: the demo scores it with the 2017 model.
            cycle_create(year=year, model_version=model, opens_on=date(year + 1, 1, 1),
                         deadline=date(year + 1, 3, 31), actor=admin)
            result = bulk_import(content=self._csv(year, scale), filename=f"demo-{year}.csv",
                                 year=year, actor=admin, approve=True)
            if not result.ok:
                raise RuntimeError(f"demo data for {year} did not validate: {result.errors[:3]}")
            cycle = Cycle.objects.get(year=year)
            if latest_published_run(cycle) is None:
                run_publish(run=run_create(cycle=cycle, actor=admin), actor=admin,
                            note=f"{year} 年度演示数据发布（合成数据）")
        if not Cycle.objects.filter(year=2018).exists():
            today = timezone.localdate()
            cycle_create(year=2018, model_version=model, opens_on=today,
                         deadline=today + timedelta(days=30), actor=admin)
        if not Announcement.objects.exists():
            self._announcements(admin)
        self._print_logins()

    def _announcements(self, admin: User) -> None:
        """Two notices for the public frame (通知公告), as administrators would write them."""
        announcement_create(
            actor=admin, publish=True, title_zh="2017 年度信息化发展评价指数发布（演示）",
            title_en="The 2017 informatization development index is published (demo)",
            body_zh="2017 年度各省（区、市）信息化发展评价指数已发布，可在“公开排名”中查看并下载"
                    "表格。本平台的演示数据为合成数据，非真实统计。",
            body_en="The 2017 informatization development index of the provinces (regions) "
                    "is published: see the public rankings and download the tables. The "
                    "demo data of this platform are synthetic, not real statistics.")
        announcement_create(
            actor=admin, publish=True, title_zh="2018 年度数据填报工作开始（演示）",
            title_en="Reporting of the 2018 data begins (demo)",
            body_zh="各省（区、市）填报员请登录平台下载 2018 年度填报模板，按期完成填报。",
            body_en="Province officers: sign in, download the 2018 template and report "
                    "before the deadline.")

    def _accounts(self) -> User:
        # One hash for every demo account: a password hash is slow on purpose.
        hashed = make_password(DEMO_PASSWORD)

        def person(username: str, role: str, **extra: Any) -> User:
            user, created = User.objects.get_or_create(username=username, defaults=extra)
            if created:
                user.password = hashed
                user.save(update_fields=["password"])
            if not PasswordRecord.objects.filter(user=user).exists():
                password_record(user=user)  # the demo's password counts as chosen
            user.groups.add(Group.objects.get_or_create(name=role)[0])
            if username in STAFF and not TOTPDevice.objects.filter(user=user).exists():
                TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY,
                                          confirmed=True)
            return user

        for region in Region.objects.all():
            person(f"officer-{region.code}", roles.OFFICER, region=region,
                   full_name=f"{region.short_name_zh}填报员（演示）")
        person("reviewer", roles.REVIEWER, full_name="审核员（演示）")
        person("auditor", roles.AUDITOR, full_name="审计员（演示）")
        person("security", roles.SECURITY_ADMINISTRATOR, full_name="安全管理员（演示）")
        # Not a superuser: the administrator's daily work needs none (separation of duties).
        User.objects.filter(username="admin", is_superuser=True).update(is_superuser=False)
        return person("admin", roles.ADMINISTRATOR, full_name="管理员（演示）")

    def _csv(self, year: int, scale: float) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["region_code", "element_code", "value", "note", "year"])
        for region in Region.objects.all():
            for code, value in element_values(region.code, scale=scale).items():
                writer.writerow([region.code, code, value, NOTE, year])
        return buffer.getvalue().encode("utf-8")

    def _print_logins(self) -> None:
        self.stdout.write(
            "Demo logins (password for all: " + DEMO_PASSWORD + "):\n"
            "  admin           administrator (cycles, scoring, publication; the Django admin)\n"
            "  security        security administrator (accounts, roles, second factors)\n"
            "  reviewer        reviewer of all regions\n"
            "  auditor         auditor, read-only (the audit log)\n"
            "  officer-110000  province officer of 北京 (officer-<GB/T 2260 code> for others)\n"
            "Second factor of admin, security, reviewer and auditor (TOTP, demo only): add the\n"
            "  secret " + DEMO_TOTP_SECRET + " to an authenticator app, or run\n"
            "  `.venv/bin/python manage.py demo_otp` for the current 6-digit code."
        )

"""Benchmark of a swamping upload: what one hostile file costs the platform (issue 16, point 2).

Run from the project root (PostgreSQL on 127.0.0.1:5432, user ``postgres``, trust):

    .venv/bin/python benchmarks/bench_swamp.py [postgres://postgres@127.0.0.1:5432/ifdi_bench_swamp]
        [--runs 5] [--no-docs]

The probe's file: the 26 real rows of the 2017 model plus 249,000 duplicate rows (a 3 MB CSV,
under the 10 MB limit), which once stored 249,000 issues and made a 41 MB submission page
taking 22 s. Here it is uploaded (``version_create_from_upload``) and validated
(``version_validate``, in this process), then every page of the submission is fetched through
Django's test client, signed in as the region's officer and as a reviewer: the submission page,
its timeline, the online edit page, the version's issue list and the status poll. A second file
of 4,000 duplicate rows is let through the row bound (``UPLOAD_ROWS_PER_ELEMENT`` raised for it)
to show the issue caps and the cut lists. For each page: its size, its number of queries, and
the median and slowest of ``--runs`` fetches. The target: every page under 2 MB and 5 s.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import statistics as stats
import sys
import tempfile
import time
from pathlib import Path

from _common import cpu_model, memory_gib, os_name, recreate_database, write_section

ROOT = Path(__file__).resolve().parent.parent
TITLE = "## Swamping: one upload of 249,000 duplicate rows"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ifdi_bench_swamp"


def setup_django(url: str) -> None:
    os.environ.update(DATABASE_URL=url, DEBUG="1", DATA_DIR=tempfile.mkdtemp(prefix="swamp-"),
                      ALLOWED_HOSTS="testserver,localhost", LOG_LEVEL="ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from config.folders import ensure_data_folders

    ensure_data_folders()
    call_command("migrate", verbosity=0)
    call_command("bootstrap", verbosity=0)


def swamping_csv(duplicates: int) -> bytes:
    from tests.submissions.helpers import valid_values

    values = valid_values()
    codes = list(values)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["代码", "名称", "本年数值", "备注"])
    for code, value in values.items():
        writer.writerow([code, "", value, ""])
    for i in range(duplicates):
        writer.writerow([codes[i % len(codes)], "", f"{i}.123", ""])
    return buffer.getvalue().encode("utf-8")


def people():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group

    from accounts import roles
    from accounts.models import User
    from indicators.models import Region

    officer, _ = User.objects.get_or_create(username="officer-110000",
                                            defaults={"region": Region.objects.get(code="110000")})
    officer.groups.add(Group.objects.get_or_create(name=roles.OFFICER)[0])
    reviewer, _ = User.objects.get_or_create(username="reviewer")
    reviewer.groups.add(Group.objects.get_or_create(name=roles.REVIEWER)[0])
    return officer, reviewer


def submission():  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from indicators.models import ModelVersion, Region
    from submissions.models import Cycle, Submission
    from submissions.services.cycles import cycle_create

    cycle = Cycle.objects.filter(year=2018).first() or cycle_create(
        year=2018, model_version=ModelVersion.objects.get(code="2017"),
        opens_on=timezone.localdate(), deadline=timezone.localdate() + timedelta(days=30),
        actor=None)
    return Submission.objects.get(cycle=cycle, region=Region.objects.get(code="110000"))


def upload(content: bytes, officer, target) -> tuple[object, float, float]:  # type: ignore[no-untyped-def]
    from submissions.services.validation import version_validate
    from submissions.services.versions import version_create_from_upload

    started = time.perf_counter()
    version = version_create_from_upload(submission=target, content=content,
                                         filename="swamp.csv", actor=officer)
    stored = time.perf_counter() - started
    started = time.perf_counter()
    version = version_validate(version_id=version.pk)
    return version, stored, time.perf_counter() - started


def measure(client, url: str, runs: int) -> tuple[int, int, float, float]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return len(response.content), len(queries), stats.median(times), max(times)


def pages(target, version) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    return {
        "submission page": reverse("submissions:detail", args=[target.pk]),
        "timeline": reverse("submissions:timeline", args=[target.pk]),
        "edit page": reverse("submissions:edit", args=[target.pk]),
        "issue list (page 1)": reverse("submissions:version_issues", args=[version.pk]),
        "status poll": reverse("submissions:version_status", args=[version.pk]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-docs", action="store_true")
    options = parser.parse_args()
    recreate_database(options.url)
    setup_django(options.url)
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from submissions.models import ValidationIssue

    officer, reviewer = people()
    target = submission()
    clients = {}
    for name, user in (("officer", officer), ("reviewer", reviewer)):
        clients[name] = Client()
        clients[name].force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    load = os.getloadavg()[0]
    rows = []
    hostile = swamping_csv(249_000)
    version, stored, validated = upload(hostile, officer, target)
    files = [(f"249,000 duplicate rows, {len(hostile) / 2**20:.1f} MB", version, stored,
              validated)]
    with override_settings(UPLOAD_ROWS_PER_ELEMENT=10_000):
        capped, stored2, validated2 = upload(swamping_csv(4_000), officer, target)
    files.append(("4,000 duplicate rows let past the row bound", capped, stored2, validated2))
    for label, v, stored_s, validated_s in files:
        issues = ValidationIssue.objects.filter(version=v).count()
        rows.append(f"| {label} | {v.get_validation_display()} | {v.error_count:,} | "
                    f"{issues:,} | {stored_s:.2f} | {validated_s:.2f} |")
    page_rows = []
    for who, client in clients.items():
        for name, url in pages(target, version).items():
            if who == "reviewer" and name == "edit page":
                continue
            size, queries, median, slowest = measure(client, url, options.runs)
            page_rows.append(f"| {name} | {who} | {size / 1024:,.0f} KB | {queries} | "
                             f"{median * 1000:,.0f} | {slowest * 1000:,.0f} |")
    for name, url in pages(target, capped).items():
        size, queries, median, slowest = measure(clients["officer"], url, options.runs)
        page_rows.append(f"| {name} (after the 4,000-row file) | officer | {size / 1024:,.0f} KB "
                         f"| {queries} | {median * 1000:,.0f} | {slowest * 1000:,.0f} |")
    section = "\n".join([
        TITLE, "",
        f"`.venv/bin/python benchmarks/bench_swamp.py --runs {options.runs}` on "
        f"{datetime.date.today().isoformat()}: {cpu_model()}, {os.cpu_count()} cores, "
        f"{memory_gib()}, {os_name()}, PostgreSQL, load average {load:.1f} before the run "
        f"(a shared machine). Row bound {settings.UPLOAD_ROWS_PER_ELEMENT} × 26 elements + "
        f"{settings.UPLOAD_EXTRA_ROWS} = "
        f"{settings.UPLOAD_ROWS_PER_ELEMENT * 26 + settings.UPLOAD_EXTRA_ROWS} rows.", "",
        "| file | result | errors counted | issues stored | store s | validate s |",
        "|---|---|---:|---:|---:|---:|", *rows, "",
        f"Every page of the submission ({options.runs} fetches each, through Django's test "
        "client: the view and its template, no network):", "",
        "| page | as | size | queries | median ms | slowest ms |",
        "|---|---|---:|---:|---:|---:|", *page_rows, "",
        "Before (the probe, issue 16): the same file stored 249,000 issues; the submission page "
        "was 41 MB and took 22 s, its timeline 37 MB.", ""])
    print(section)
    if not options.no_docs:
        write_section(ROOT / "docs" / "benchmarks.md", section)
    recreate_database(options.url, create=False)


if __name__ == "__main__":
    main()

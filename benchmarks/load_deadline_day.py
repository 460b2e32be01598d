"""Deadline day: every province officer logging in and uploading at once while reviewers browse.

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres, trust; Redis on
127.0.0.1:6379), or with ``--embedded`` on the embedded default (SQLite and the filesystem
broker in a temporary DATA_DIR: nothing else needed):

    .venv/bin/python benchmarks/load_deadline_day.py [--embedded] [--duration 60]

It drops and creates the database ``ifdi_load_deadline`` (``--database-url`` for another one),
migrates it, runs ``bootstrap``, ``seed_demo`` (published 2016 and 2017 rankings, an open 2018
cycle, an officer account ``officer-<code>`` per region, password ``demo-password-2017``, the
staff's demo second factor), adds the reviewers ``reviewer-2`` … (``--reviewers``, default 3)
and runs ``collectstatic``, then starts, as in production (``DEBUG=0``): gunicorn with
``--web-workers`` (2) workers of ``--gunicorn-threads`` (8) threads each (gthread, as
``gunicorn.conf.py`` runs it; ``--gunicorn-threads 1`` for the sync workers of before),
``--celery-workers`` (2) Celery worker processes of concurrency 1 with a queue and a cache
prefix of their own, and Locust (``benchmarks/locustfile_deadline_day.py``) headless with the 31
officers of the ranked provinces, the reviewers (password, then the second factor's code, then
the review queue and submission pages, a page every 3–8 s) and ``--visitors`` (0) public
visitors (a page every ``--visitor-think`` seconds) for ``--duration`` seconds (all users started
within the first seconds; no upload is started in the last 15 s, so that each one can be
followed to its result).

It measures the latency of each page (p50/p95/p99, from every request Locust made), the errors,
the time from an upload to its result as the officer sees it (the upload POST, the redirect,
the status polled every second as the page does) and, from the database, the server-side time
from a version's creation to its validation; it samples the depth of the Celery queue every
second. It prints a Markdown report, ends with one line ``SUMMARY deadline-day …`` (the target,
p95 of upload → validated under 5 s with no error, met or missed) and, unless ``--no-docs``,
writes the report as the section "Deadline day, threaded web workers — <backend>" of
docs/benchmarks.md (replacing that section if present, else at the end).

Bounded: Locust stops after ``--duration`` (+30 s to let the last polls end), the queue is given
at most 60 s to drain, and every process it started is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _common import recreate_database, write_section

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ifdi_load_deadline"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
SECTION_TITLE = "## Deadline day, threaded web workers — {backend}"
PASSWORD = "demo-password-2017"
PAGES = ["login", "submission page", "upload POST", "version status poll", "login page",
         "reviewer login", "second factor", "review queue", "reviewer submission page",
         "public ranking", "region page"]
FLOW = "upload → validated (seen by officer)"
TARGET_SECONDS = 5.0
STORM = 20  # seconds: the report also gives the figures of what started after them

# Written by ``manage.py shell``: the officers of the ranked provinces, their 2018 submission and
# three files each (the first with one cell that is not a number, then two correct ones).
SETUP_CODE = """
import json
from pathlib import Path
from submissions.models import Submission
from tests.submissions.helpers import template_csv, valid_values
folder = Path({folder!r})
officers = []
for s in (Submission.objects.filter(cycle__year=2018, region__ranked=True)
          .select_related("region").order_by("region__code")):
    code = s.region.code
    values = valid_values(code)
    broken = dict(values)
    broken[next(iter(broken))] = "abc"
    files = []
    for n, (content, notes) in enumerate(((broken, {{}}), (values, {{}}),
                                          (values, {{next(iter(values)): "已核对"}}))):
        path = folder / f"{{code}}-{{n}}.csv"
        path.write_bytes(template_csv(content, notes=notes))
        files.append(str(path))
    officers.append({{"username": f"officer-{{code}}", "code": code, "submission_id": s.pk,
                     "files": files}})
# The reviewers: the demo's, and more like it (the demo password and second factor).
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts import roles
from accounts.models import User
from accounts.services import password_record
from demo.management.commands.seed_demo import DEMO_TOTP_KEY
first = User.objects.get(username="reviewer")
reviewers = ["reviewer"]
for n in range(2, {reviewers} + 1):
    user, created = User.objects.get_or_create(username=f"reviewer-{{n}}", defaults={{
        "password": first.password, "full_name": f"审核员{{n}}（演示）"}})
    if created:
        password_record(user=user)
        user.groups.add(Group.objects.get(name=roles.REVIEWER))
        TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY, confirmed=True)
    reviewers.append(user.username)
print(json.dumps({{"officers": officers, "reviewers": reviewers[:{reviewers}],
                  "totp_key": DEMO_TOTP_KEY}}))
"""


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Processes:
    """Everything this script starts, each in a session of its own, stopped at the end."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        """SIGTERM (a warm shutdown), then SIGKILL what is left of each session we created."""
        members = {proc.pid: session_members(proc.pid) for proc in self.procs}
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            for pid in members[proc.pid]:
                if proc.pid in session_members_of(pid):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)


def _session_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else int(fields[3])


def session_members(sid: int) -> list[int]:
    """The live processes of the session ``sid`` leads (a worker's pool children, say)."""
    return [int(e.name) for e in Path("/proc").iterdir()
            if e.name.isdigit() and _session_of(int(e.name)) == sid]


def cpu_seconds(sid: int) -> float:
    """User + system CPU seconds of the live processes of a session."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in session_members(sid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, all processes), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def postgres_backends(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving ``database`` (same machine)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if title.startswith("postgres: ") and f" {database} " in title:
                stat = (entry / "stat").read_text()
                fields = stat[stat.rindex(")") + 2:].split()
                found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def session_members_of(pid: int) -> set[int]:
    """{the session id of ``pid``} if it is alive, else nothing."""
    sid = _session_of(pid)
    return set() if sid is None else {sid}


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, text=True,
                            capture_output=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.3)


class Backend:
    """Where the platform keeps its data and queue: PostgreSQL + Redis, or the embedded default
    (SQLite and the filesystem broker under DATA_DIR)."""

    def __init__(self, args: argparse.Namespace, data_dir: Path) -> None:
        self.embedded = bool(args.embedded)
        self.database_url = args.database_url
        self.redis_url = args.redis_url
        self.data_dir = data_dir
        self.name = ("embedded default (SQLite, filesystem broker)" if self.embedded
                     else "PostgreSQL + Redis")

    def env(self) -> dict[str, str]:
        if self.embedded:
            return {"DATABASE_URL": f"sqlite:///{self.data_dir / 'db.sqlite3'}"}
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}

    def recreate(self, *, create: bool = True) -> None:
        if not self.embedded:
            recreate_database(self.database_url, create=create)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.embedded:
            import sqlite3

            with contextlib.closing(sqlite3.connect(self.data_dir / "db.sqlite3",
                                                    timeout=30)) as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        url = self.database_url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url) as conn:
            return conn.execute(sql, params).fetchall()

    def since(self, moment: datetime.datetime) -> Any:
        """A time as the database compares it (SQLite keeps UTC text)."""
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.embedded else moment

    def seconds(self, later: str, earlier: str) -> str:
        if self.embedded:
            return f"(julianday({later}) - julianday({earlier})) * 86400.0"
        return f"EXTRACT(EPOCH FROM {later} - {earlier})"

    def versions(self, started_at: datetime.datetime) -> list[tuple[str, float | None]]:
        return [(v, None if s is None else float(s)) for v, s in self.query(
            f"SELECT validation, {self.seconds('validated_at', 'created_at')} FROM "
            "submissions_version WHERE created_at >= %s", self.since(started_at))]

    def pending(self, started_at: datetime.datetime) -> bool:
        return bool(self.query("SELECT 1 FROM submissions_version WHERE created_at >= %s AND "
                               "validation IN ('pending', 'running') LIMIT 1",
                               self.since(started_at)))

    def queue_depth(self, queue: str) -> int:
        if self.embedded:
            folder = self.data_dir / "broker" / "in"
            return sum(1 for _ in folder.glob("*.msg")) if folder.exists() else 0
        import redis

        return int(redis.Redis.from_url(self.redis_url).llen(queue))

    def versions_of_servers(self) -> str:
        if self.embedded:
            import sqlite3

            return f"SQLite {sqlite3.sqlite_version}, kombu's filesystem broker"
        import redis

        postgres = self.query("SHOW server_version")[0][0]
        redis_version = redis.Redis.from_url(self.redis_url).info("server")["redis_version"]
        return f"PostgreSQL {postgres}, Redis {redis_version}"


# --- measuring ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class Sampler(threading.Thread):
    """Every second: the depth of the Celery queue and the load average."""

    def __init__(self, backend: Backend, queue: str) -> None:
        super().__init__(daemon=True)
        self.backend = backend
        self.queue = queue
        self.depths: list[int] = []
        self.loads: list[float] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            with contextlib.suppress(Exception):
                self.depths.append(self.backend.queue_depth(self.queue))
            self.loads.append(os.getloadavg()[0])


def summarize(samples_path: Path, *, after: float = 0.0
              ) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """Per name: count, failures, percentiles; ``after``: only what started that many seconds
    or more after the first request."""
    rows = [json.loads(line) for line in samples_path.read_text(encoding="utf-8").splitlines()]
    first = min((end - ms / 1000 for _, ms, _, end in rows), default=0.0)
    times: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    errors: dict[str, int] = defaultdict(int)
    for name, ms, error, end in rows:
        if end - ms / 1000 - first < after:
            continue
        times[name].append(ms)
        if error:
            failures[name] += 1
            errors[f"{name}: {error}"] += 1
    stats = {}
    for name, values in times.items():
        stats[name] = {"n": len(values), "failures": failures[name],
                       "p50": percentile(values, 50), "p95": percentile(values, 95),
                       "p99": percentile(values, 99), "max": max(values)}
    return stats, dict(errors)


# --- report ------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    system = platform.platform()
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = line.split("=", 1)[1].strip('"')
    return f"{cpu}, {os.cpu_count()} cores, {memory} RAM; {system}"


def command_line(args: argparse.Namespace) -> str:
    return ".venv/bin/python benchmarks/load_deadline_day.py" + (
        " --embedded" if args.embedded else "") + "".join(
        f" --{k.replace('_', '-')} {v}" for k, v in (
            ("duration", args.duration), ("reviewers", args.reviewers),
            ("visitors", args.visitors), ("web_workers", args.web_workers),
            ("gunicorn_threads", args.gunicorn_threads), ("celery_workers", args.celery_workers)))


def _page_rows(stats: dict[str, dict[str, Any]]) -> list[str]:
    rows = ["| page | requests | errors | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for name in [*PAGES, *sorted(set(stats) - set(PAGES) - {FLOW})]:
        if name in stats:
            s = stats[name]
            rows.append(f"| {name} | {s['n']:,} | {s['failures']} | {s['p50']:,.0f} | "
                        f"{s['p95']:,.0f} | {s['p99']:,.0f} | {s['max']:,.0f} |")
    return rows


def _flow_rows(flow: dict[str, Any] | None, server: dict[str, Any]) -> list[str]:
    rows = ["| upload → validated | uploads | not validated | p50 s | p95 s | p99 s | max s |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    if flow:
        rows.append(f"| seen by the officer (POST start → status shows the result, polled "
                    f"every 1 s) | {flow['n']} | {flow['failures']} | {flow['p50'] / 1000:.1f} "
                    f"| {flow['p95'] / 1000:.1f} | {flow['p99'] / 1000:.1f} | "
                    f"{flow['max'] / 1000:.1f} |")
    if server["n"]:
        rows.append(f"| in the database (version created → validated_at) | {server['n']} | "
                    f"{server['pending']} | {server['p50']:.1f} | {server['p95']:.1f} | "
                    f"{server['p99']:.1f} | {server['max']:.1f} |")
    return rows


def _later_rows(later: dict[str, dict[str, Any]]) -> list[str]:
    rows = ["| page | requests | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    for name in [*PAGES, *sorted(set(later) - set(PAGES))]:
        if name in later:
            s = later[name]
            if name == FLOW:
                cells = [f"{s[k] / 1000:.1f} s" for k in ("p50", "p95", "p99")]
            else:
                cells = [f"{s[k]:,.0f}" for k in ("p50", "p95", "p99")]
            rows.append(f"| {name} | {s['n']:,} | " + " | ".join(cells) + " |")
    return rows


def verdict(stats: dict[str, dict[str, Any]], errors: dict[str, int]) -> tuple[bool, float]:
    """The target: upload → validated p95 under TARGET_SECONDS, every upload validated, no
    error on any page."""
    flow = stats.get(FLOW)
    p95 = flow["p95"] / 1000 if flow else float("inf")
    failed = sum(s["failures"] for s in stats.values())
    return bool(flow) and p95 < TARGET_SECONDS and failed == 0 and not errors, p95


def summary_line(args: argparse.Namespace, backend: Backend, facts: dict[str, Any],
                 stats: dict[str, dict[str, Any]], errors: dict[str, int]) -> str:
    met, p95 = verdict(stats, errors)
    total = sum(s["n"] for name, s in stats.items() if name != FLOW)
    failed = sum(s["failures"] for s in stats.values())
    login = stats.get("login", {}).get("p95", 0.0) / 1000
    return (f"SUMMARY deadline-day backend={'embedded' if args.embedded else 'postgres+redis'} "
            f"officers={facts['officers']} reviewers={facts['reviewers']} "
            f"visitors={args.visitors} web={args.web_workers}x{args.gunicorn_threads} "
            f"upload_to_validated_p95={p95:.1f}s login_p95={login:.1f}s requests={total} "
            f"errors={failed} target=p95<{TARGET_SECONDS:.0f}s,0-errors "
            f"{'MET' if met else 'MISSED'} load_before={facts['load_before']:.1f} "
            f"load_max={facts['load_max']:.1f}")


def report(args: argparse.Namespace, backend: Backend, facts: dict[str, Any],
           stats: dict[str, dict[str, Any]], errors: dict[str, int],
           later: dict[str, dict[str, Any]]) -> str:
    total = sum(s["n"] for name, s in stats.items() if name != FLOW)
    failed = sum(s["failures"] for name, s in stats.items() if name != FLOW)
    flow = stats.get(FLOW)
    server = facts["validation"]
    worker_kind = ("sync" if args.gunicorn_threads <= 1
                   else f"gthread, {args.gunicorn_threads} threads each")
    lines = [
        f"- date: {facts['date']}",
        f"- machine: {machine()}; Python {platform.python_version()}, {facts['servers']}, all "
        f"on this one machine with the load generator; load average "
        f"{facts['load_before']:.1f} before the run, {facts['load_max']:.1f} at most during it "
        "(other engineers' work on the machine included)",
        f"- command: `{command_line(args)}`",
        f"- platform: `DEBUG=0`, gunicorn {args.web_workers} workers ({worker_kind}), "
        f"{args.celery_workers} Celery worker processes (concurrency 1, prefetch 1, acks late) "
        f"on the {backend.name}; passwords hashed with Argon2id (m=19 MiB, t=2, p=1); "
        "`seed_demo` data (2017 published, 2018 open)",
        f"- load: {facts['officers']} officers (log in, then: submission page, upload, follow "
        f"the status every 1 s until validated, think 5–15 s), {facts['reviewers']} reviewers "
        "(log in with the password and the second factor's code, then the review queue and "
        "submission pages, think 3–8 s)"
        + (f" and {args.visitors} public visitors (think "
           f"{args.visitor_think.replace('-', '–')} s)" if args.visitors else "")
        + f", all started within {facts['spawn_seconds']:.0f} s, for {args.duration} s",
        "",
        *_page_rows(stats),
        "",
        f"Requests: {total:,} in {args.duration} s ({total / args.duration:.1f}/s), "
        f"errors: {failed}.",
        "",
        *_flow_rows(flow, server),
        "",
        f"Celery queue depth: at most {facts['queue_max']} waiting messages (sampled every "
        f"second); versions created {server['n']}, validated {server['n'] - server['pending']}"
        f" (valid {server['valid']}, invalid {server['invalid']}).",
        "",
        f"After the first {STORM} s (the logins and the first uploads of all 31 officers are "
        "over), the same measures:",
        "",
        *_later_rows(later),
    ]
    cpu = facts["cpu"]
    ours = cpu["web"] + cpu["celery"] + cpu["postgres"] + cpu["locust"]
    lines += [
        "",
        f"CPU used during the {cpu['wall']:.0f} s of load (of {os.cpu_count()} cores × "
        f"{cpu['wall']:.0f} s = {os.cpu_count() * cpu['wall']:.0f} core-seconds): gunicorn "
        f"{cpu['web']:.0f} s, Celery workers {cpu['celery']:.0f} s, PostgreSQL backends of "
        f"this database {cpu['postgres']:.0f} s, Locust {cpu['locust']:.0f} s; the whole "
        f"machine was busy {cpu['machine']:.0f} core-seconds, so about "
        f"{max(0.0, cpu['machine'] - ours):.0f} went to other work on it (other processes, "
        "Redis, the kernel).",
    ]
    met, p95 = verdict(stats, errors)
    later_flow = later.get(FLOW)
    lines += [
        "",
        f"Target \"upload → validated, p95 under {TARGET_SECONDS:.0f} s, no error\": "
        f"{'met' if met else 'missed'} (p95 {p95:.1f} s as the officer sees it over the whole "
        "run" + (f", {later_flow['p95'] / 1000:.1f} s after the first {STORM} s"
                 if later_flow else "")
        + f"); the validation itself, in the database: p95 {server.get('p95', 0):.1f} s.",
    ]
    if errors:
        lines += ["", "Errors:", ""] + [f"- {count} × {text}" for text, count in
                                        sorted(errors.items(), key=lambda kv: -kv[1])[:10]]
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedded", action="store_true",
                        help="the embedded default: SQLite and the filesystem broker")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (10–600)")
    parser.add_argument("--reviewers", type=int, default=3)
    parser.add_argument("--visitors", type=int, default=0)
    parser.add_argument("--visitor-think", default="5-15",
                        help="seconds a visitor reads a page, min-max (default 5-15)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--gunicorn-threads", type=int, default=8,
                        help="threads per gunicorn worker (gthread); 1: sync workers")
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database and DATA_DIR")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    args.duration = max(10, min(600, args.duration))
    args.reviewers = max(1, args.reviewers)
    return args


def platform_env(args: argparse.Namespace, backend: Backend, queue: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TESTING", "PYTEST_XDIST_WORKER", "DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0", HTTPS="0",
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1,localhost",
        CELERY_QUEUE=queue, CACHE_KEY_PREFIX=queue, DATA_DIR=str(backend.data_dir),
        LOG_LEVEL="WARNING",
        UNCERTAINTY_REPLICATIONS="200",  # seed_demo's published rank intervals: faster set-up
        PYTHONPATH=str(ROOT), AXES_ENABLED="1", **backend.env(),
    )
    return env


def prepare(env: dict[str, str], backend: Backend, work: Path, reviewers: int) -> dict[str, Any]:
    print(f"preparing the {backend.name} in {work} …", flush=True)
    backend.data_dir.mkdir(parents=True, exist_ok=True)
    backend.recreate()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "bootstrap")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    (work / "files").mkdir()
    code = SETUP_CODE.format(folder=str(work / "files"), reviewers=reviewers)
    return dict(json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1]))


def start_platform(args: argparse.Namespace, env: dict[str, str], work: Path, queue: str,
                   processes: Processes) -> tuple[str, Any, list[Any]]:
    port = free_port()
    web = ["--workers", str(args.web_workers)]
    if args.gunicorn_threads > 1:
        web += ["--worker-class", "gthread", "--threads", str(args.gunicorn_threads)]
    else:
        web += ["--worker-class", "sync"]
    gunicorn = processes.start(
        [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi", *web, "--bind",
         f"127.0.0.1:{port}",
         "--timeout", "60", "--backlog", "2048"], env, work / "gunicorn.log")
    names = [f"deadline-{n}-{os.getpid()}@{socket.gethostname()}"
             for n in range(args.celery_workers)]
    workers = [processes.start(
        [PYTHON, "-m", "celery", "-A", "config", "worker", "--concurrency", "1",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-n", name, "-Q", queue],
        env, work / f"celery-{n}.log") for n, name in enumerate(names)]
    base = f"http://127.0.0.1:{port}"

    def web_up() -> bool:
        import urllib.request

        if gunicorn.poll() is not None:
            raise SystemExit((work / "gunicorn.log").read_text()[-3000:])
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    def workers_ready() -> bool:
        """Every worker beats (common/heartbeat.py), seen through /readyz."""
        import urllib.error
        import urllib.request

        if any(w.poll() is not None for w in workers):
            raise SystemExit((work / "celery-0.log").read_text()[-3000:])
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=10) as r:
                return r.status == 200
        except (OSError, urllib.error.HTTPError):
            return False

    wait_until(web_up, 60, "gunicorn")
    wait_until(workers_ready, 90, "the Celery workers (/readyz)")
    return base, gunicorn, workers


def run_locust(args: argparse.Namespace, env: dict[str, str], base: str, setup: Path,
               samples: Path, users: int) -> subprocess.CompletedProcess[str]:
    spawn_rate = max(50, users // 4)
    return subprocess.run(
        [PYTHON, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile_deadline_day.py"),
         "--headless", "--host", base, "--users", str(users), "--spawn-rate",
         str(spawn_rate), "--run-time", f"{args.duration}s", "--stop-timeout", "30",
         "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
        cwd=ROOT, env={**env, "DEADLINE_SETUP": str(setup), "DEADLINE_SAMPLES": str(samples)},
        capture_output=True, text=True, timeout=args.duration + 120, check=False)


def validation_facts(backend: Backend, started_at: datetime.datetime) -> dict[str, Any]:
    rows = backend.versions(started_at)
    seconds = [s for _, s in rows if s is not None]
    return {
        "n": len(rows), "pending": sum(1 for v, _ in rows if v in ("pending", "running")),
        "valid": sum(1 for v, _ in rows if v == "valid"),
        "invalid": sum(1 for v, _ in rows if v == "invalid"),
        **({"p50": percentile(seconds, 50), "p95": percentile(seconds, 95),
            "p99": percentile(seconds, 99), "max": max(seconds)} if seconds else {}),
    }


def main() -> None:
    args = arguments()
    work = Path(tempfile.mkdtemp(prefix="ifdi-deadline-"))
    queue = f"ifdi-deadline-{os.getpid()}"
    backend = Backend(args, work / "data")
    env = platform_env(args, backend, queue)
    database_name = "" if args.embedded else urlsplit(args.database_url).path.lstrip("/")
    processes = Processes()
    sampler: Sampler | None = None
    try:
        prepared = prepare(env, backend, work, args.reviewers)
        officers, reviewers = prepared["officers"], prepared["reviewers"]
        base, gunicorn, workers = start_platform(args, env, work, queue, processes)
        facts: dict[str, Any] = {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "servers": backend.versions_of_servers(), "load_before": os.getloadavg()[0],
            "officers": len(officers), "reviewers": len(reviewers),
        }
        started_at = datetime.datetime.now(datetime.UTC)
        setup = work / "setup.json"
        setup.write_text(json.dumps({
            "officers": officers, "reviewers": reviewers, "totp_key": prepared["totp_key"],
            "password": PASSWORD, "public_year": 2017,
            "visitors": args.visitors, "upload_seconds": args.duration - 15,
            "visitor_think": [float(x) for x in args.visitor_think.split("-", 1)],
        }))
        samples = work / "samples.jsonl"
        users = len(officers) + len(reviewers) + args.visitors
        facts["spawn_seconds"] = users / max(50, users // 4)
        sampler = Sampler(backend, queue)
        sampler.start()
        cpu_before = {"web": cpu_seconds(gunicorn.pid),
                      "celery": sum(cpu_seconds(w.pid) for w in workers),
                      "locust": resource.getrusage(resource.RUSAGE_CHILDREN),
                      "postgres": postgres_backends(database_name) if database_name else {},
                      "machine": machine_busy_seconds()}
        wall_before = time.monotonic()
        print(f"load: {len(officers)} officers + {len(reviewers)} reviewers + {args.visitors} "
              f"visitors for {args.duration} s against {base} ({backend.name}) …", flush=True)
        locust = run_locust(args, env, base, setup, samples, users)
        wall = time.monotonic() - wall_before
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        facts["cpu"] = {
            "web": cpu_seconds(gunicorn.pid) - cpu_before["web"],
            "celery": sum(cpu_seconds(w.pid) for w in workers) - cpu_before["celery"],
            "locust": (children.ru_utime + children.ru_stime
                       - cpu_before["locust"].ru_utime - cpu_before["locust"].ru_stime),
            "wall": wall,
            "postgres": sum(seconds - cpu_before["postgres"].get(pid, 0.0)
                            for pid, seconds in (postgres_backends(database_name).items()
                                                 if database_name else [])),
            "machine": machine_busy_seconds() - cpu_before["machine"],
        }
        (work / "locust.log").write_text(locust.stdout + locust.stderr)
        if locust.returncode != 0 or not samples.exists():
            raise SystemExit(f"locust failed ({locust.returncode}):\n{locust.stderr[-3000:]}")

        # Let the queue drain (bounded), then read the validation times from the database.
        with contextlib.suppress(SystemExit):
            wait_until(lambda: not backend.pending(started_at), 60, "the validations to finish")
        sampler.stopping.set()
        facts["validation"] = validation_facts(backend, started_at)
        facts["queue_max"] = max(sampler.depths, default=0)
        facts["load_max"] = max(sampler.loads, default=os.getloadavg()[0])
        stats, errors = summarize(samples)
        later, _ = summarize(samples, after=STORM)
        text = report(args, backend, facts, stats, errors, later)
        print("\n" + text)
        server_errors = (work / "gunicorn.log").read_text(errors="replace").count("Traceback")
        if server_errors:
            print(f"\n{server_errors} traceback(s) in {work / 'gunicorn.log'}")
        if not args.no_docs:
            title = SECTION_TITLE.format(backend=backend.name)
            written = write_section(ROOT / "docs" / "benchmarks.md", f"{title}\n\n{text}")
            print(f"\nwritten to {written}")
        print("\n" + summary_line(args, backend, facts, stats, errors), flush=True)
    finally:
        if sampler is not None:
            sampler.stopping.set()
        processes.stop_all()
        if not args.keep:
            with contextlib.suppress(Exception):
                backend.recreate(create=False)
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept the {backend.name} data in {work}")


if __name__ == "__main__":
    main()

"""Deadline day: every province officer uploading at once while the public reads the rankings.

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres, trust; Redis on
127.0.0.1:6379):

    .venv/bin/python benchmarks/load_deadline_day.py [--duration 60 --visitors 200]

It drops and creates the database ``ifdi_load_deadline`` (``--database-url`` for another one),
migrates it, runs ``bootstrap``, ``seed_demo`` (published 2016 and 2017 rankings, an open 2018
cycle, an officer account ``officer-<code>`` per region, password ``demo-password-2017``) and
``collectstatic``, then starts, as in production (``DEBUG=0``): gunicorn with ``--web-workers``
(2) sync workers, ``--celery-workers`` (2) Celery worker processes of concurrency 1 on Redis
with a queue and a cache prefix of its own, and Locust (``benchmarks/locustfile_deadline_day.py``)
headless with the 31 officers of the ranked provinces and ``--visitors`` public visitors (a page
every ``--visitor-think`` seconds, default 5–15) for ``--duration`` seconds (all users started
within the first seconds; no upload is started in the last 15 s, so that each one can be
followed to its result).

It measures the latency of each page (p50/p95/p99, from every request Locust made), the errors,
the time from an upload to its result as the officer sees it (the upload POST, the redirect,
the status polled every second as the page does) and, from the database, the server-side time
from a version's creation to its validation; it samples the depth of the Celery queue every
second. It prints a Markdown report and, unless ``--no-docs``, writes it as the section
"Deadline day" of docs/benchmarks.md (replacing that section if present).

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
SECTION_TITLE = "## Deadline day"
PASSWORD = "demo-password-2017"
PAGES = ["login", "submission page", "upload POST", "version status poll", "public ranking",
         "region page", "login page"]
FLOW = "upload → validated (seen by officer)"
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
print(json.dumps(officers))
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


def query(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        return conn.execute(sql, params).fetchall()


# --- measuring ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class Sampler(threading.Thread):
    """Every second: the depth of the Celery queue and the load average."""

    def __init__(self, redis_url: str, queue: str) -> None:
        super().__init__(daemon=True)
        import redis

        self.redis = redis.Redis.from_url(redis_url)
        self.queue = queue
        self.depths: list[int] = []
        self.loads: list[float] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            with contextlib.suppress(Exception):
                self.depths.append(int(self.redis.llen(self.queue)))
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


def report(args: argparse.Namespace, facts: dict[str, Any], stats: dict[str, dict[str, Any]],
           errors: dict[str, int], later: dict[str, dict[str, Any]]) -> str:
    command = ".venv/bin/python benchmarks/load_deadline_day.py" + "".join(
        f" --{k.replace('_', '-')} {v}" for k, v in (
            ("duration", args.duration), ("visitors", args.visitors),
            ("visitor_think", args.visitor_think),
            ("web_workers", args.web_workers), ("celery_workers", args.celery_workers))
    ) + (f" --gunicorn-threads {args.gunicorn_threads}" if args.gunicorn_threads > 1 else "")
    total = sum(s["n"] for name, s in stats.items() if name != FLOW)
    failed = sum(s["failures"] for name, s in stats.items() if name != FLOW)
    lines = [
        f"- date: {facts['date']}",
        f"- machine: {machine()}; Python {platform.python_version()}, PostgreSQL "
        f"{facts['postgres']}, Redis {facts['redis']}, all on this one machine with the load "
        f"generator; load average {facts['load_before']:.1f} before the run, "
        f"{facts['load_max']:.1f} at most during it (other work on the machine included)",
        f"- command: `{command}`",
        f"- platform: `DEBUG=0`, gunicorn {args.web_workers} "
        f"{'sync' if args.gunicorn_threads <= 1 else f'gthread×{args.gunicorn_threads}'} "
        f"workers, {args.celery_workers} Celery worker processes (concurrency 1, prefetch 1, "
        f"acks late) on Redis, PostgreSQL; `seed_demo` data (2017 published, 2018 open)",
        f"- load: {facts['officers']} officers (log in, then: submission page, upload, follow "
        f"the status every 1 s until validated, think 5–15 s) and {args.visitors} visitors "
        f"(public ranking 2 : region page 1, think {args.visitor_think.replace('-', '–')} s), "
        f"all started within "
        f"{facts['spawn_seconds']:.0f} s, for {args.duration} s",
        "",
        "| page | requests | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in [*PAGES, *sorted(set(stats) - set(PAGES) - {FLOW})]:
        if name in stats:
            s = stats[name]
            lines.append(f"| {name} | {s['n']:,} | {s['failures']} | {s['p50']:,.0f} | "
                         f"{s['p95']:,.0f} | {s['p99']:,.0f} | {s['max']:,.0f} |")
    lines += ["", f"Requests: {total:,} in {args.duration} s ({total / args.duration:.1f}/s), "
              f"errors: {failed}."]
    flow = stats.get(FLOW)
    server = facts["validation"]
    lines += [
        "",
        "| upload → validated | uploads | not validated | p50 s | p95 s | p99 s | max s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    if flow:
        lines.append(f"| seen by the officer (POST start → status shows the result, polled "
                     f"every 1 s) | {flow['n']} | {flow['failures']} | {flow['p50'] / 1000:.1f} "
                     f"| {flow['p95'] / 1000:.1f} | {flow['p99'] / 1000:.1f} | "
                     f"{flow['max'] / 1000:.1f} |")
    if server["n"]:
        lines.append(f"| in the database (version created → validated_at) | {server['n']} | "
                     f"{server['pending']} | {server['p50']:.1f} | {server['p95']:.1f} | "
                     f"{server['p99']:.1f} | {server['max']:.1f} |")
    lines += [
        "",
        f"Celery queue depth: at most {facts['queue_max']} waiting messages (sampled every "
        f"second); versions created {server['n']}, validated {server['n'] - server['pending']}"
        f" (valid {server['valid']}, invalid {server['invalid']}).",
    ]
    lines += [
        "",
        f"After the first {STORM} s (the logins and the first uploads of all 31 officers are "
        "over), the same measures:",
        "",
        "| page | requests | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in [*PAGES, *sorted(set(later) - set(PAGES))]:
        if name in later:
            s = later[name]
            if name == FLOW:
                cells = [f"{s[k] / 1000:.1f} s" for k in ("p50", "p95", "p99")]
            else:
                cells = [f"{s[k]:,.0f}" for k in ("p50", "p95", "p99")]
            lines.append(f"| {name} | {s['n']:,} | " + " | ".join(cells) + " |")
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
    if flow:
        verdict = "met" if flow["p95"] / 1000 < 10 else "missed"
        later_flow = later.get(FLOW)
        lines += [
            "",
            f"Target \"upload → validated, p95 under 10 s\": {verdict} as the officer sees it "
            f"(p95 {flow['p95'] / 1000:.1f} s over the whole run"
            + (f", {later_flow['p95'] / 1000:.1f} s after the first {STORM} s"
               if later_flow else "")
            + f"); the validation itself, in the database: p95 {server.get('p95', 0):.1f} s.",
        ]
    web_ms = cpu["web"] / max(1, total) * 1000
    lines += [
        "",
        f"Reading: the workers validate in {server.get('p95', 0):.1f} s (p95) and the queue "
        f"held at most {facts['queue_max']} waiting message(s); what an officer waits for is "
        "the web tier. A login costs about 0.3 s of CPU (PBKDF2, "
        "1,000,000 iterations, on purpose), so the 31 simultaneous logins are about 10 "
        f"CPU-seconds for {args.web_workers} web workers, and every request that arrives "
        "meanwhile queues behind them: the whole-run p95/p99 are those first seconds. gunicorn "
        f"spent {web_ms:.0f} ms of CPU per request on average (logins included).",
    ]
    if errors:
        lines += ["", "Errors:", ""] + [f"- {count} × {text}" for text, count in
                                        sorted(errors.items(), key=lambda kv: -kv[1])[:10]]
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (10–600)")
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--visitor-think", default="5-15",
                        help="seconds a visitor reads a page, min-max (default 5-15)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--gunicorn-threads", type=int, default=1,
                        help=">1: gthread workers with this many threads")
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database and DATA_DIR")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    args.duration = max(10, min(600, args.duration))
    return args


def start_platform(args: argparse.Namespace, env: dict[str, str], work: Path,
                   processes: Processes) -> tuple[Any, list[Any], str]:
    """gunicorn and the Celery workers, started and answering."""
    port = free_port()
    web = ["--workers", str(args.web_workers)]
    if args.gunicorn_threads > 1:
        web += ["--worker-class", "gthread", "--threads", str(args.gunicorn_threads)]
    gunicorn = processes.start(
        [PYTHON, "-m", "gunicorn", "config.wsgi", *web, "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--backlog", "2048"], env, work / "gunicorn.log")
    workers = [processes.start(
        [PYTHON, "-m", "celery", "-A", "config", "worker", "--concurrency", "1",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-n", f"deadline-{n}-{os.getpid()}@{socket.gethostname()}",
         "-Q", env["CELERY_QUEUE"]],
        env, work / f"celery-{n}.log") for n in range(args.celery_workers)]
    base = f"http://127.0.0.1:{port}"

    def web_up() -> bool:
        import urllib.request

        if gunicorn.poll() is not None:
            raise SystemExit((work / "gunicorn.log").read_text()[-3000:])
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    wait_until(web_up, 60, "gunicorn")
    names = [f"deadline-{n}-{os.getpid()}@{socket.gethostname()}"
             for n in range(args.celery_workers)]

    def workers_up() -> bool:
        if any(w.poll() is not None for w in workers):
            raise SystemExit((work / "celery-0.log").read_text()[-3000:])
        ping = subprocess.run(
            [PYTHON, "-m", "celery", "-A", "config", "inspect", "ping", "--timeout", "3",
             "-d", ",".join(names)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
        return ping.stdout.count("pong") >= len(names)

    wait_until(workers_up, 90, "the Celery workers to answer `celery inspect ping`")
    return gunicorn, workers, base


def validation_facts(args: argparse.Namespace, started_at: datetime.datetime,
                     sampler: Sampler) -> dict[str, Any]:
    """Once the queue has drained (bounded), the validation times read from the database."""
    def drained() -> bool:
        return not query(args.database_url, "SELECT 1 FROM submissions_version WHERE "
                         "created_at >= %s AND validation IN ('pending', 'running') LIMIT 1",
                         started_at)

    with contextlib.suppress(SystemExit):
        wait_until(drained, 60, "the validations to finish")
    sampler.stopping.set()
    rows = query(args.database_url,
                 "SELECT validation, EXTRACT(EPOCH FROM validated_at - created_at) FROM "
                 "submissions_version WHERE created_at >= %s", started_at)
    seconds = [float(s) for v, s in rows if s is not None]
    return {
        "n": len(rows), "pending": sum(1 for v, _ in rows if v in ("pending", "running")),
        "valid": sum(1 for v, _ in rows if v == "valid"),
        "invalid": sum(1 for v, _ in rows if v == "invalid"),
        **({"p50": percentile(seconds, 50), "p95": percentile(seconds, 95),
            "p99": percentile(seconds, 99), "max": max(seconds)} if seconds else {}),
    }


def run_load(args: argparse.Namespace, env: dict[str, str], work: Path, officers: list[Any],
             platform_: tuple[str, Any, list[Any]], database_name: str
             ) -> tuple[Path, float, dict[str, float]]:
    """The Locust run of the officers and visitors; its samples, the seconds it took to start
    every user, and the CPU seconds of each part during the load."""
    base, gunicorn, workers = platform_
    setup = work / "setup.json"
    setup.write_text(json.dumps({
        "officers": officers, "password": PASSWORD, "public_year": 2017,
        "visitors": args.visitors, "upload_seconds": args.duration - 15,
        "visitor_think": [float(x) for x in args.visitor_think.split("-", 1)],
    }))
    samples = work / "samples.jsonl"
    users = len(officers) + args.visitors
    spawn_rate = max(50, users // 4)
    spawn_seconds = users / spawn_rate
    cpu_before = {"web": cpu_seconds(gunicorn.pid),
                  "celery": sum(cpu_seconds(w.pid) for w in workers),
                  "locust": resource.getrusage(resource.RUSAGE_CHILDREN),
                  "postgres": postgres_backends(database_name),
                  "machine": machine_busy_seconds()}
    wall_before = time.monotonic()
    print(f"load: {len(officers)} officers + {args.visitors} visitors for {args.duration} s "
          f"against {base} …", flush=True)
    locust = subprocess.run(
        [PYTHON, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile_deadline_day.py"),
         "--headless", "--host", base, "--users", str(users), "--spawn-rate",
         str(spawn_rate), "--run-time", f"{args.duration}s", "--stop-timeout", "30",
         "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
        cwd=ROOT, env={**env, "DEADLINE_SETUP": str(setup), "DEADLINE_SAMPLES": str(samples)},
        capture_output=True, text=True, timeout=args.duration + 120, check=False)
    wall = time.monotonic() - wall_before
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {
        "web": cpu_seconds(gunicorn.pid) - cpu_before["web"],
        "celery": sum(cpu_seconds(w.pid) for w in workers) - cpu_before["celery"],
        "locust": (children.ru_utime + children.ru_stime
                   - cpu_before["locust"].ru_utime - cpu_before["locust"].ru_stime),
        "wall": wall,
        "postgres": sum(seconds - cpu_before["postgres"].get(pid, 0.0)
                        for pid, seconds in postgres_backends(database_name).items()),
        "machine": machine_busy_seconds() - cpu_before["machine"],
    }
    (work / "locust.log").write_text(locust.stdout + locust.stderr)
    if locust.returncode != 0 or not samples.exists():
        raise SystemExit(f"locust failed ({locust.returncode}):\n{locust.stderr[-3000:]}")

    return samples, spawn_seconds, cpu


def main() -> None:
    args = arguments()
    work = Path(tempfile.mkdtemp(prefix="ifdi-deadline-"))
    queue = f"ifdi-deadline-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in ("TESTING", "PYTEST_XDIST_WORKER")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0", HTTPS="0",
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=args.database_url, REDIS_URL=args.redis_url, CELERY_QUEUE=queue,
        CACHE_KEY_PREFIX=queue, DATA_DIR=str(work / "data"), LOG_LEVEL="WARNING",
        UNCERTAINTY_REPLICATIONS="200",  # seed_demo's published rank intervals: faster set-up
        PYTHONPATH=str(ROOT), AXES_ENABLED="1",
    )
    database_name = urlsplit(args.database_url).path.lstrip("/")
    processes = Processes()
    sampler: Sampler | None = None
    try:
        print(f"preparing {args.database_url} in {work} …", flush=True)
        recreate_database(args.database_url)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "bootstrap")
        manage(env, "seed_demo")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        (work / "files").mkdir()
        officers = json.loads(manage(env, "shell", "-c",
                                     SETUP_CODE.format(folder=str(work / "files")))
                              .strip().splitlines()[-1])

        gunicorn, workers, base = start_platform(args, env, work, processes)
        facts: dict[str, Any] = {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "postgres": query(args.database_url, "SHOW server_version")[0][0],
            "load_before": os.getloadavg()[0], "officers": len(officers),
        }
        import redis

        facts["redis"] = redis.Redis.from_url(args.redis_url).info("server")["redis_version"]
        started_at = datetime.datetime.now(datetime.UTC)
        sampler = Sampler(args.redis_url, queue)
        sampler.start()
        samples, facts["spawn_seconds"], facts["cpu"] = run_load(
            args, env, work, officers, (base, gunicorn, workers), database_name)

        facts["validation"] = validation_facts(args, started_at, sampler)
        facts["queue_max"] = max(sampler.depths, default=0)
        facts["load_max"] = max(sampler.loads, default=os.getloadavg()[0])
        stats, errors = summarize(samples)
        later, _ = summarize(samples, after=STORM)
        text = report(args, facts, stats, errors, later)
        print("\n" + text)
        server_errors = (work / "gunicorn.log").read_text(errors="replace").count("Traceback")
        if server_errors:
            print(f"\n{server_errors} traceback(s) in {work / 'gunicorn.log'}")
        if not args.no_docs:
            written = write_section(ROOT / "docs" / "benchmarks.md", f"{SECTION_TITLE}\n\n{text}")
            print(f"\nwritten to {written}")
    finally:
        if sampler is not None:
            sampler.stopping.set()
        processes.stop_all()
        if not args.keep:
            with contextlib.suppress(Exception):
                recreate_database(args.database_url, create=False)
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {args.database_url} and {work}")


if __name__ == "__main__":
    main()

"""Benchmark of the public overall ranking page, ``/rankings/2017/``, under 50 concurrent
clients: gunicorn against PostgreSQL, with the page cache on and off.

Run from the project root (PostgreSQL and Redis running; the database is dropped and created
afresh; Redis database 14 is emptied):

    .venv/bin/python benchmarks/bench_public_ranking.py \
        [postgres://postgres@127.0.0.1:5432/ifdi_bench_public] [--workers 3] \
        [--users 50] [--seconds 30] [--wait 1.0] [--no-wrk] [--profile] \
        [--append docs/benchmarks.md]

It migrates the database, runs ``bootstrap`` and ``seed_demo`` (the demo's 2016 and 2017
cycles, scored and published) and ``collectstatic``, and starts gunicorn
(``config.wsgi``) on a free port of 127.0.0.1 with ``DEBUG=0``, ``HTTPS=0`` and the cache on
Redis (``REDIS_URL=redis://127.0.0.1:6379/14``). Then, each for ``--seconds`` and with the cache on
(``PUBLIC_CACHE_SECONDS`` unset: 24 h) and off (``PUBLIC_CACHE_SECONDS=0``):

- Locust, headless, ``--users`` users started at once, each pausing ``--wait`` seconds on
  average (0.5–1.5 × wait) between requests: visitors at a reader's pace;
- Locust again with no pause at all: a closed loop, as many requests as the server answers;
- wrk (when installed), 2 threads and ``--users`` connections, closed loop: the same load from
  a client that needs far less CPU than Locust.

The client shares the machine's cores with gunicorn and PostgreSQL; Locust in a closed loop
takes one core of its own. ``--profile`` adds the cProfile of one request of the page with the
cache on and one with it off (in this process, Django's test client). gunicorn is stopped at
the end. The result is a Markdown section, printed, and written into the file given with
``--append`` (replacing an earlier section of the same title, leaving the others).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime
import io
import json
import os
import platform
import pstats
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from _common import cpu_model, memory_gib, recreate_database, write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ifdi_bench_public"
REDIS_URL = "redis://127.0.0.1:6379/14"
PATH = "/rankings/2017/"
DATA_DIR = Path("/tmp/ifdi-bench-public")
TITLE = "## Public ranking page under load"
TARGET_P95_MS = 50.0
BIN = ROOT / ".venv" / "bin"


# --- database, settings, server --------------------------------------------------------------


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_CACHE_SECONDS", "TESTING")}
    env.update({
        "DATABASE_URL": database_url, "DATA_DIR": str(DATA_DIR), "DEBUG": "0",
        "SECRET_KEY": "bench-public-ranking-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1", "HTTPS": "0", "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "ifdi-bench", "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT),
    })
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_gunicorn(env: dict[str, str], workers: int, cache_seconds: int | None,
                   log: Path) -> Server:
    port = free_port()
    env = dict(env)
    if cache_seconds is not None:
        env["PUBLIC_CACHE_SECONDS"] = str(cache_seconds)
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi:application", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    server = Server(process, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (exit {process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(server.base + PATH, timeout=5) as answer:
                body = answer.read().decode()
            if answer.status == 200:
                if "82.97" not in body or "ranking-table" not in body:
                    server.stop()
                    raise SystemExit("the ranking page does not show the demo's ranking")
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise SystemExit("gunicorn did not answer within 60 s")


def wait_for_quiet(limit: float, patience: float) -> float:
    """Wait (at most ``patience`` seconds) until the 1-minute load average of the machine is
    under ``limit``: other work on the same cores spoils the figures. Returns the load."""
    deadline = time.monotonic() + patience
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


def warm_up(server: Server, requests: int = 60) -> None:
    """Every worker's first request loads templates and opens its database connection."""
    for _ in range(requests):
        with urllib.request.urlopen(server.base + PATH, timeout=10) as answer:
            answer.read()


# --- load --------------------------------------------------------------------------------------


@dataclass
class Result:
    tool: str
    cache: str
    pace: str
    requests: int
    errors: int
    rps: float
    p50: float
    p95: float
    p99: float
    max: float
    load: str = ""

    def row(self) -> str:
        verdict = "" if self.cache != "on" or self.pace.startswith("closed") else (
            " ✔" if self.p95 < TARGET_P95_MS and not self.errors else " ✘")
        return (f"| {self.tool} | {self.cache} | {self.pace} | {self.requests:,} | "
                f"{self.rps:,.0f} | {self.p50:.0f} | {self.p95:.0f}{verdict} | {self.p99:.0f} | "
                f"{self.max:.0f} | {self.errors} | {self.load} |")


def run_locust(server: Server, users: int, seconds: int, wait: float, out: Path,
               cache: str) -> Result:
    prefix = out / f"locust-{cache}-{'paced' if wait else 'closed'}"
    env = {**os.environ, "BENCH_WAIT": str(wait), "BENCH_PATH": PATH}
    subprocess.run(
        [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "public_locustfile.py"),
         "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
         "--host", server.base, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
         "--stop-timeout", "5"],
        cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL,
        stderr=(out / "locust.log").open("ab"), timeout=seconds + 120)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = {r["Name"]: r for r in csv.DictReader(handle)}
    row = rows["Aggregated"]
    pace = (f"{users} users, {wait / 2:g}–{wait * 1.5:g} s pause" if wait
            else f"closed loop, {users} users")
    return Result("Locust", cache, pace, int(row["Request Count"]), int(row["Failure Count"]),
                  float(row["Requests/s"]), float(row["50%"]), float(row["95%"]),
                  float(row["99%"]), float(row["Max Response Time"]))


def run_wrk(server: Server, users: int, seconds: int, cache: str) -> Result:
    done = subprocess.run(
        ["wrk", "-t", "2", "-c", str(users), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(ROOT / "benchmarks" / "public_wrk.lua"), server.base + PATH],
        capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Result("wrk", cache, f"closed loop, {users} connections", data["requests"], errors,
                  data["requests"] / (data["duration_us"] / 1e6), data["p50"] / 1000,
                  data["p95"] / 1000, data["p99"] / 1000, data["max"] / 1000)


# --- one request, profiled ---------------------------------------------------------------------


def profile_one_request(env: dict[str, str]) -> list[str]:
    """One request of the page with the cache on (warm) and one with it off, in this process
    with Django's test client: wall and CPU time a request (mean of 200), its queries, and
    the functions that took the most time of their own under cProfile (20 requests)."""
    os.environ.update(env)
    os.environ["TESTING"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    lines = []
    client = Client(HTTP_HOST="127.0.0.1")
    for label, seconds in (("cache on", 24 * 3600), ("cache off", 0)):
        settings.PUBLIC_CACHE_SECONDS = seconds
        cache.clear()
        client.get(PATH)
        with CaptureQueriesContext(connection) as queries:
            client.get(PATH)
        # read now: the next request empties the connection's query log
        captured = [q["sql"] for q in queries.captured_queries]
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(200):
            client.get(PATH)
        wall_ms = (time.perf_counter() - started) / 200 * 1000
        cpu_ms = (time.process_time() - cpu) / 200 * 1000
        load = os.getloadavg()[0]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            client.get(PATH)
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(12)
        lines += [f"**{label}**: {cpu_ms:.1f} ms of CPU a request ({wall_ms:.1f} ms wall, load "
                  f"average {load:.1f}), {len(captured)} "
                  f"{'query' if len(captured) == 1 else 'queries'}"
                  + (f", the first: `{captured[0][:110]}…`" if captured else ""), "",
                  "```", *_profile_lines(text.getvalue()), "```", ""]
    return lines


def _profile_lines(text: str) -> list[str]:
    keep = []
    for line in text.splitlines():
        if re.match(r"\s*\d", line) or line.strip().startswith("ncalls"):
            keep.append(line.replace(str(ROOT / ".venv" / "lib" / "python3.11" / "site-packages"),
                                     "…").replace(str(ROOT), "."))
    return keep


# --- report ------------------------------------------------------------------------------------


def versions() -> str:
    def version(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False,
                                  timeout=20).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    import django

    return (f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"{version([str(BIN / 'gunicorn'), '--version'])}, "
            f"{version([str(BIN / 'locust'), '--version'])}, "
            f"{version(['psql', '--version'])}, "
            f"{version(['wrk', '--version']) if shutil.which('wrk') else 'no wrk'}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--wait", type=float, default=1.0,
                        help="mean pause of a paced Locust user, seconds")
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--quiet-load", type=float, default=1.0,
                        help="wait before each run until the 1-minute load average is under this")
    parser.add_argument("--quiet-wait", type=float, default=300,
                        help="wait for quiet at most this many seconds before each run")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--append", type=Path)
    args = parser.parse_args()
    if not 2 <= args.workers <= 4:
        parser.error("--workers: 2 to 4")
    return args


def main() -> None:
    args = arguments()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    out = DATA_DIR / datetime.datetime.now().strftime("run-%Y%m%d-%H%M%S")
    out.mkdir()
    env = environment(args.database_url)
    print(f"database {args.database_url}: fresh; migrate, bootstrap, seed_demo, collectstatic",
          flush=True)
    recreate_database(args.database_url)
    manage(env, "migrate", "--noinput")
    manage(env, "bootstrap")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput")
    results = measure(args, env, out)
    profile = profile_one_request(env) if args.profile else []
    section = report(args, results, profile)
    print(section)
    if args.append:
        write_section(args.append, section)


def measure(args: argparse.Namespace, env: dict[str, str], out: Path) -> list[Result]:
    """Each tool against the page with the cache on, then off."""
    use_wrk = shutil.which("wrk") is not None and not args.no_wrk
    results: list[Result] = []
    for cache, seconds in (("on", None), ("off", 0)):
        flush_redis()
        server = start_gunicorn(env, args.workers, seconds, out / "gunicorn.log")
        try:
            warm_up(server)
            print(f"cache {cache}: gunicorn on {server.base}, pid {server.process.pid}",
                  flush=True)
            runs = [lambda s=server, c=cache: run_locust(s, args.users, args.seconds,
                                                         args.wait, out, c),
                    lambda s=server, c=cache: run_locust(s, args.users, args.seconds, 0, out,
                                                         c)]
            if use_wrk:
                runs.append(lambda s=server, c=cache: run_wrk(s, args.users, args.seconds, c))
            for run in runs:
                before = wait_for_quiet(args.quiet_load, args.quiet_wait)
                result = run()
                result.load = f"{before:.1f} → {os.getloadavg()[0]:.1f}"
                results.append(result)
                print(result.row(), flush=True)
                time.sleep(2)
        finally:
            server.stop()
    return results


def report(args: argparse.Namespace, results: list[Result], profile: list[str]) -> str:
    paced_on = next(r for r in results if r.cache == "on" and r.tool == "Locust"
                    and not r.pace.startswith("closed"))
    paced_off = next(r for r in results if r.cache == "off" and r.tool == "Locust"
                     and not r.pace.startswith("closed"))
    closed = {(r.tool, r.cache): r for r in results if r.pace.startswith("closed")}
    command = " ".join(["benchmarks/bench_public_ranking.py",
                        *map(shlex.quote, sys.argv[1:])]).replace(" --append docs/benchmarks.md",
                                                                   "")
    def verdict(label: str, result: Result | None) -> str:
        if result is None:
            return f"{label}: not measured"
        met = result.p95 < TARGET_P95_MS and result.errors == 0
        return (f"{label}: {'met' if met else 'MISSED'} (p95 {result.p95:.0f} ms, "
                f"{result.errors} errors)")

    verdicts = [verdict(f"wrk, {args.users} connections in a closed loop",
                        closed.get(("wrk", "on"))),
                verdict(f"Locust, {args.users} users at a reader's pace", paced_on)]
    locust_closed = closed.get(("Locust", "on"))
    if locust_closed is not None:
        verdicts.append(
            f"Locust, {args.users} users in a closed loop: p95 {locust_closed.p95:.0f} ms at "
            f"{locust_closed.rps:,.0f} requests a second, the most one Locust process (Python, "
            "one of the two cores) sends here — a measure of the client, not a verdict on the "
            "server")
    lines = [
        TITLE, "",
        f"`.venv/bin/python {command}`"
        + ("" if args.database_url != DEFAULT_URL else f" (database {DEFAULT_URL})"), "",
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, {memory_gib()} RAM; "
        f"{platform.platform()}",
        f"- {versions()}",
        f"- server: gunicorn, {args.workers} sync workers, `DEBUG=0`, PostgreSQL on "
        f"127.0.0.1, cache on Redis ({REDIS_URL}): with the cache on, anonymous visitors get "
        "the whole page from the memory of each gunicorn worker (`public/page_cache.py`), "
        "signed-in people a page around the content cached in Redis; data: `seed_demo` (31 "
        "provinces and the corps, 2016 and 2017 published)",
        f"- page: `{PATH}`, anonymous visitors (each Locust user its own cookies); "
        f"{args.seconds} s a run after a warm-up; cache on = `PUBLIC_CACHE_SECONDS` unset "
        "(24 h), off = `PUBLIC_CACHE_SECONDS=0`",
        f"- the load tool runs on the same {os.cpu_count()} cores as gunicorn and PostgreSQL: "
        "Locust in a closed loop takes about one core of its own, so its closed-loop figures "
        "are those of a server with roughly one core left; wrk needs far less. Other work on "
        "the machine spoils the figures: before each run the script waits (at most "
        f"{args.quiet_wait:.0f} s) for the 1-minute load average to fall under "
        f"{args.quiet_load:g}; the last column is the load average at the start and the end "
        "of each run (the run's own load included)",
        f"- target: p95 under {TARGET_P95_MS:.0f} ms and no errors for {args.users} "
        "concurrent clients with the cache on — " + "; ".join(verdicts),
        "",
        "| tool | cache | clients | requests | req/s | p50 ms | p95 ms | p99 ms | max ms "
        "| errors | load before → after |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
        *[r.row() for r in results],
        "",
    ]
    ratios = []
    for tool in ("Locust", "wrk"):
        on, off = closed.get((tool, "on")), closed.get((tool, "off"))
        if on and off and on.rps:
            ratios.append(f"{tool} closed loop: {on.rps / max(off.rps, 1e-9):.1f}× the "
                          f"requests a second with the cache on, p95 "
                          f"{off.p95 / max(on.p95, 1e-9):.1f}× lower")
    ratios.append(f"at a reader's pace: p50 {paced_off.p50:.0f} → {paced_on.p50:.0f} ms, "
                  f"p95 {paced_off.p95:.0f} → {paced_on.p95:.0f} ms (off → on)")
    lines += ["Cache on against off: " + "; ".join(ratios) + ".", ""]
    if profile:
        lines += ["One request, in one process (Django's test client; the functions with the "
                  "most time of their own in 20 requests under cProfile):", "", *profile]
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    main()

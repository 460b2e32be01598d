"""Fault tests against the real PostgreSQL and real processes.

These tests do not use pytest-django's test database. Each gets its own PostgreSQL database
(``ifdi_rel_<pid>_<n>``, a copy of a template migrated and bootstrapped once per session), its own
``DATA_DIR``, its own Celery queue and, where a broker is needed, a PRIVATE ``redis-server`` on a
free port with no persistence (the machine's Redis on 6379 is never touched). The platform runs in
subprocesses (``manage.py shell -c``, ``celery -A tests.reliability.celery_app worker``,
``gunicorn``) with that environment; the test itself reads the database with psycopg.

The PostgreSQL server is the one of ``DATABASE_URL`` when that is a postgres URL, else
``postgres://postgres@127.0.0.1:5432``. Without a reachable server, or without ``redis-server``,
the tests are skipped with that reason.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
PREFIX = f"ifdi_rel_{os.getpid()}"
_numbers = itertools.count(1)

pytestmark = pytest.mark.integration

# Run inside ``manage.py shell -c`` before a test's own code.
PRELUDE = """
import json
from datetime import timedelta
from django.contrib.auth.models import Group
from django.utils import timezone
from accounts import roles
from accounts.models import User
from audit.models import AuditEntry
from indicators.models import ModelVersion, Region
from submissions.services import cycles, validation, versions
from submissions.models import Cycle, Submission, UploadedFile, ValidationIssue, Value, Version
from tests.submissions.helpers import template_csv, valid_values

def open_cycle(year=2018):
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        today = timezone.localdate()
        cycle = cycles.cycle_create(
            year=year, model_version=ModelVersion.objects.get(code="2017"), opens_on=today,
            deadline=today + timedelta(days=30), actor=None)
    return cycle

def officer(code, password=None):
    user, created = User.objects.get_or_create(username=f"officer-{code}",
                                               defaults={"region": Region.objects.get(code=code)})
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name=roles.OFFICER)[0])
    return user

def upload(code, values=None, year=2018):
    submission = Submission.objects.get(cycle=open_cycle(year), region__code=code)
    content = template_csv(values if values is not None else valid_values(code))
    return versions.version_create_from_upload(submission=submission, content=content,
                                               filename=f"{code}.csv",
                                               actor=officer(code))
"""


# --- where the services are ------------------------------------------------------------------

def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql", "pgsql"):
        return urlunsplit(urlsplit(url)._replace(path="/postgres"))
    return DEFAULT_SERVER


def database_url(name: str, *, port: int | None = None) -> str:
    """The URL of database ``name`` on the server; ``port`` to go through another port (a
    proxy on this machine) instead."""
    parts = urlsplit(server_url())
    netloc = parts.netloc
    if port is not None:
        userinfo, _, _ = netloc.rpartition("@")
        netloc = f"{userinfo + '@' if userinfo else ''}127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{name}"))


def _psycopg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1).replace("pgsql://", "postgresql://", 1)


def connect(url: str, **kwargs: Any) -> Any:
    import psycopg

    return psycopg.connect(_psycopg_url(url), autocommit=True, connect_timeout=5, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.2,
             message: str | Callable[[], str] = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {text}")
        time.sleep(interval)


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@pytest.fixture(scope="session")
def pg_server() -> str:
    url = server_url()
    parts = urlsplit(url)
    try:
        with connect(url) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        pytest.skip(f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} "
                    f"({type(exc).__name__}: {str(exc).strip().splitlines()[0]})")
    return url


@pytest.fixture(scope="session")
def redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (the tests run a private Redis broker)")
    return binary


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "IFDI_REL_")) and k not in (
               "TESTING", "DATABASE_URL", "REDIS_URL", "CELERY_QUEUE", "DATA_DIR")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1", PYTHONPATH=str(ROOT),
               PYTHONUNBUFFERED="1", UNCERTAINTY_REPLICATIONS="10", LOG_LEVEL="INFO")
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120, check: bool = True
           ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, text=True,
                            capture_output=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def create_database(server: str, name: str, *, template: str | None = None) -> None:
    with connect(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_database(server: str, name: str) -> None:
    with connect(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def dropper(pg_server: str) -> Iterator[Callable[[str], None]]:
    """Drop databases in the background (a DROP DATABASE waits on a checkpoint: seconds on a
    busy machine); every drop is done when the session ends."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-database")
    futures = []

    def drop(name: str) -> None:
        futures.append(pool.submit(drop_database, pg_server, name))

    yield drop
    pool.shutdown(wait=True)
    for future in futures:
        future.result()


@pytest.fixture(scope="session")
def template_database(pg_server: str, dropper: Callable[[str], None],
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated and bootstrapped once; each test copies it (CREATE ... TEMPLATE)."""
    name = f"{PREFIX}_tpl"
    create_database(pg_server, name)
    env = base_env(DATABASE_URL=database_url(name),
                   DATA_DIR=str(tmp_path_factory.mktemp("template-data")))
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "bootstrap")
        yield name
    finally:
        dropper(name)


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``collectstatic`` once, for servers run with ``DEBUG=0`` (``production_env``): the
    manifest the production storage reads, without its slow compression step."""
    data_dir = tmp_path_factory.mktemp("static-data")
    code = (
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "from django.test.utils import override_settings\n"
        "storages = {**settings.STORAGES, 'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}}\n"
        "with override_settings(STORAGES=storages):\n"
        "    call_command('collectstatic', interactive=False, verbosity=0)\n")
    env = base_env(**production_env(), DATA_DIR=str(data_dir),
                   DATABASE_URL=f"sqlite:///{data_dir / 'unused.sqlite3'}")
    manage(env, "shell", "-c", code)
    assert (data_dir / "static" / "staticfiles.json").exists()
    return data_dir / "static"


def production_env() -> dict[str, str]:
    """A web process as in production (``DEBUG=0``: Django's 500 page, not the debug page),
    over plain HTTP on the loopback."""
    return {"DEBUG": "0", "HTTPS": "0", "SECRET_KEY": "reliability-tests-" + "k" * 40}


# --- processes -------------------------------------------------------------------------------

def session_members(sid: int) -> list[int]:
    """The processes of the session a process we started leads (its pool children, say)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def kill_session(sid: int) -> None:
    for pid in session_members(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _stop_group(proc: subprocess.Popen[Any], *, grace: float, sig: int = signal.SIGTERM
                ) -> None:
    """End a process we started (``sig``, then SIGKILL) and what is left of its session."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    kill_session(proc.pid)


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence: a restart loses every
    message, as a crash of an unpersisted production broker would."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.starts += 1
        log = self.workdir / f"redis-{self.port}-{self.starts}.log"
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--logfile", str(log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(self.ping, timeout=10, message=lambda: f"redis on {self.port}: {tail(log)}")

    def stop(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)
        self.proc = None

    def cleanup(self) -> None:
        if self.proc is not None:
            # The test is over: a cold shutdown (SIGQUIT), not a warm one that waits on the pool.
            _stop_group(self.proc, grace=5, sig=signal.SIGQUIT)
            self.proc = None


class Worker:
    """``celery -A tests.reliability.celery_app worker``: the platform's tasks, in a process."""

    def __init__(self, env: dict[str, str], log: Path, *, concurrency: int = 1) -> None:
        self.env = env
        self.log = log
        self.concurrency = concurrency
        self.name = f"rel-{uuid.uuid4().hex[:8]}@%h"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *, wait: bool = True) -> Worker:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [PYTHON, "-m", "celery", "-A", "tests.reliability.celery_app", "worker",
                 "--pool", "prefork", "--concurrency", str(self.concurrency),
                 "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-n", self.name, "-Q", self.env["CELERY_QUEUE"]],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self) -> Worker:
        """Until it consumes (a worker takes 3 to 8 s to import the platform and check it)."""
        assert self.proc is not None
        proc = self.proc
        wait_for(lambda: " ready." in self.log.read_text(errors="replace")
                 or proc.poll() is not None,
                 timeout=60, message=lambda: f"the worker to start:\n{tail(self.log)}")
        assert proc.poll() is None, f"the worker exited:\n{tail(self.log)}"
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL the main process first (so that it cannot hand anything back), then the rest
        of its session: a machine that died."""
        assert self.proc is not None
        children = session_members(self.proc.pid)
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        for pid in children:
            if pid != self.proc.pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        """The test is over: nothing of this worker is needed any more (its broker and database
        are thrown away), so no warm shutdown that waits on the pool."""
        if self.proc is not None and self.proc.poll() is None:
            self.kill()


class Beat:
    """``celery -A tests.reliability.celery_app beat``: the platform's schedule (the sweep of
    stuck validations every 30 s), its schedule and pid files in the test's folder."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.log = workdir / "beat.log"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [PYTHON, "-m", "celery", "-A", "tests.reliability.celery_app", "beat",
                 "--loglevel", "INFO", "--schedule", str(workdir / "beat-schedule"),
                 "--pidfile", str(workdir / "beat.pid")],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            _stop_group(self.proc, grace=5)


class Stack:
    """One test's database, files, queue and processes."""

    def __init__(self, *, database: str, data_dir: Path, workdir: Path, redis_url: str = ""
                 ) -> None:
        self.database = database
        self.url = database_url(database)
        self.data_dir = data_dir
        self.workdir = workdir
        self.queue = f"ifdi-rel-{uuid.uuid4().hex[:10]}"
        self.redis_url = redis_url
        self.extra: dict[str, str] = {}
        self.workers: list[Worker] = []
        self.beats: list[Beat] = []

    @property
    def env(self) -> dict[str, str]:
        values = dict(DATABASE_URL=self.url, DATA_DIR=str(self.data_dir),
                      CELERY_QUEUE=self.queue, CACHE_KEY_PREFIX=self.queue)
        if self.redis_url:
            values["REDIS_URL"] = self.redis_url
        return base_env(**values, **self.extra)

    def shell(self, code: str, *, timeout: float = 120) -> Any:
        """Run code in ``manage.py shell -c`` after PRELUDE; return what it printed as JSON on
        its last line (``print(json.dumps(...))``)."""
        result = manage(self.env, "shell", "-c", PRELUDE + "\n" + code, timeout=timeout)
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None

    def shell_when(self, go: Path, code: str) -> subprocess.Popen[str]:
        """Start ``shell`` now (Django takes seconds to load) and run ``code`` once ``go``
        exists; ``finish`` collects the result."""
        wait = (f"import pathlib, time\nwhile not pathlib.Path({str(go)!r}).exists():\n"
                "    time.sleep(0.05)\n")
        return subprocess.Popen([PYTHON, "manage.py", "shell", "-c", PRELUDE + wait + code],
                                cwd=ROOT, env=self.env, text=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)

    @staticmethod
    def finish(proc: subprocess.Popen[str], *, timeout: float = 60) -> Any:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop_group(proc, grace=1)
            raise
        assert proc.returncode == 0, f"shell exited {proc.returncode}:\n{out[-2000:]}{err[-3000:]}"
        lines = [line for line in out.splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, *params: Any) -> Any:
        return self.query(sql, *params)[0][0]

    def worker(self, *, concurrency: int = 1, wait: bool = True) -> Worker:
        """Start a worker (``wait=False``: return at once, call ``wait_ready`` later)."""
        worker = Worker(self.env, self.workdir / f"worker-{len(self.workers) + 1}.log",
                        concurrency=concurrency)
        self.workers.append(worker)
        return worker.start(wait=wait)

    def worker_logs(self) -> str:
        logs = [(w.log.name, w.log) for w in self.workers] + [("beat.log", b.log)
                                                               for b in self.beats]
        return "\n".join(f"--- {name}\n{tail(path)}" for name, path in logs)

    def beat(self) -> Beat:
        """Start the beat (it sends its first sweep 30 s after it starts, then every 30 s)."""
        beat = Beat(self.env, self.workdir)
        self.beats.append(beat)
        return beat

    def stop(self) -> None:
        for process in [*self.workers, *self.beats]:
            process.stop()


@pytest.fixture
def databases(pg_server: str, dropper: Callable[[str], None]) -> Iterator[Callable[..., str]]:
    """Make databases for this test (``ifdi_rel_<pid>_<n>``); all are dropped after it."""
    made: list[str] = []

    def make(*, template: str | None = None) -> str:
        name = f"{PREFIX}_{next(_numbers)}"
        create_database(pg_server, name, template=template)
        made.append(name)
        return name

    yield make
    for name in made:
        dropper(name)


@pytest.fixture
def stack(databases: Callable[..., str], template_database: str, tmp_path: Path
          ) -> Iterator[Stack]:
    """A bootstrapped database of its own, a DATA_DIR, a queue; no broker yet."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    stack = Stack(database=databases(template=template_database), data_dir=data_dir,
                  workdir=tmp_path)
    yield stack
    stack.stop()


@pytest.fixture
def private_redis(redis_server_binary: str, tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(redis_server_binary, tmp_path)
    server.start()
    yield server
    server.cleanup()


@pytest.fixture
def redis_stack(private_redis: PrivateRedis, stack: Stack) -> Iterator[Stack]:
    """A stack on a private Redis (broker and cache); its workers stop before the Redis does."""
    stack.redis_url = private_redis.url
    yield stack
    stack.stop()

"""The database unreachable for a moment, under a real web server (gunicorn, 2 sync workers,
``DEBUG=0`` as in production).

Two ways to lose it:

* ``network``: the app reaches PostgreSQL through a small TCP proxy run by the test; the proxy
  closes every connection and stops listening (connection refused), then listens again;
* ``database``: ``ALTER DATABASE ... ALLOW_CONNECTIONS false`` and ``pg_terminate_backend`` on
  the backends of this test's database only, then ``ALLOW_CONNECTIONS true``.

While it is down every page that needs the database answers 503 with the friendly page (not
500), an upload stores
nothing (no version, no file record, no file); once it is back the same processes answer 200
again, without a restart.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.reliability.conftest import (
    PYTHON,
    ROOT,
    Stack,
    _stop_group,
    connect,
    database_url,
    free_port,
    production_env,
    server_url,
    tail,
    wait_for,
)

pytestmark = pytest.mark.integration

PASSWORD = "outage-password-2018"
FRIENDLY = "系统暂时无法访问"


class TcpProxy:
    """127.0.0.1:<port> → PostgreSQL, which the test can cut (``down``) and restore (``up``)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.accepting = threading.Event()

    def up(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.1)
        self.accepting.set()
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self) -> None:
        """Stop listening and cut every open connection (the app sees its connections die and
        new ones refused)."""
        self.accepting.clear()
        with self.lock:
            if self.listener is not None:
                self.listener.close()
                self.listener = None
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self.accepting.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            client.settimeout(None)
            with self.lock:
                if not self.accepting.is_set():
                    client.close()
                    server.close()
                    return
                self.sockets.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def gunicorn(stack: Stack, database: str, static: Path) -> Iterator[str]:
    """gunicorn with 2 sync workers, ``DEBUG=0`` as in production."""
    port = free_port()
    shutil.copytree(static, stack.data_dir / "static", dirs_exist_ok=True)
    env = {**stack.env, **production_env(), "DATABASE_URL": database}
    log = stack.workdir / "gunicorn.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind",
             f"127.0.0.1:{port}", "--timeout", "30", "--access-logfile", "-"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        assert proc.poll() is None, tail(log)
        try:
            return requests.get(f"{base}/accounts/login/", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or a worker still booting
            return False

    try:
        wait_for(answering, timeout=60, message=lambda: f"gunicorn to answer\n{tail(log)}")
        yield base
    finally:
        _stop_group(proc, grace=5)


def log_in(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(f"{base}/accounts/login/", timeout=30, allow_redirects=False, data={
        "username": "officer-110000", "password": PASSWORD,
        "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert response.status_code == 302, response.text[:2000]
    return session


def upload(session: requests.Session, base: str, submission_id: int) -> requests.Response:
    from tests.submissions.helpers import template_csv, valid_values

    return session.post(
        f"{base}/submissions/{submission_id}/upload/", timeout=30, allow_redirects=False,
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": base + "/"},
        files={"file": ("110000.csv", template_csv(valid_values("110000")), "text/csv")})


def counts(stack: Stack) -> tuple[int, int]:
    return (stack.scalar("SELECT count(*) FROM submissions_version"),
            stack.scalar("SELECT count(*) FROM submissions_uploadedfile"))


def stored_files(stack: Stack) -> list[Path]:
    return sorted(p for p in (stack.data_dir / "files").rglob("*") if p.is_file())


def server_error(log: Path) -> str:
    """The platform's own frames and the exception of the last traceback in the log."""
    text = log.read_text(errors="replace")
    last = text[text.rfind("Traceback"):]
    lines = last.splitlines()
    ours = [f"{a.strip()} | {b.strip()}" for a, b in itertools.pairwise(lines)
            if a.strip().startswith(f'File "{ROOT}/') and "/.venv/" not in a]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception)\b", line)]
    return "\n".join([*ours, *errors[-1:]])


def assert_friendly_503(response: requests.Response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:3000])
    assert FRIENDLY in response.text and "Temporarily unavailable" in response.text
    assert response.headers.get("Retry-After") == "30"


@pytest.mark.parametrize("cut", ["network", "database"])
def test_the_app_answers_503_while_the_database_is_away_and_recovers_alone(
        stack: Stack, collected_static: Path, cut: str) -> None:
    submission_id = stack.shell(
        f"officer('110000', password={PASSWORD!r})\n"
        "print(json.dumps(Submission.objects.get(cycle=open_cycle(), region__code='110000').pk))")
    server = urlsplit(server_url())
    proxy = TcpProxy((server.hostname or "127.0.0.1", server.port or 5432))
    if cut == "network":
        proxy.up()
        url = database_url(stack.database, port=proxy.port)
    else:
        url = stack.url

    def take_away() -> None:
        if cut == "network":
            proxy.down()
            return
        with connect(server_url()) as conn:
            conn.execute(f'ALTER DATABASE "{stack.database}" ALLOW_CONNECTIONS false')
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (stack.database,))

    def bring_back() -> None:
        if cut == "network":
            proxy.up()
            return
        with connect(server_url()) as conn:
            conn.execute(f'ALTER DATABASE "{stack.database}" ALLOW_CONNECTIONS true')

    with gunicorn(stack, url, collected_static) as base:
        session = log_in(base)
        detail = f"{base}/submissions/{submission_id}/"
        assert session.get(detail, timeout=30).status_code == 200
        assert requests.get(f"{base}/rankings/", timeout=30).status_code == 200
        public_page = f"{base}/rankings/publications/"
        versions_before, files_before = counts(stack)
        on_disk_before = stored_files(stack)

        take_away()
        try:
            # Both web workers, several times: each finds its own connection dead.
            for _ in range(3):
                # A public page not visited before (none is kept in memory yet).
                assert_friendly_503(requests.get(public_page, timeout=30))
                assert_friendly_503(session.get(detail, timeout=30))
            during = upload(session, base, submission_id)
            assert during.status_code != 500, (
                "an upload POST while the database is away answered 500:\n"
                + server_error(stack.workdir / "gunicorn.log"))
            assert_friendly_503(during)
        finally:
            bring_back()
        back_at = time.monotonic()

        # Nothing half-written by the upload that failed.
        assert counts(stack) == (versions_before, files_before)
        assert stored_files(stack) == on_disk_before

        # The same processes serve again, no restart.
        statuses: list[int] = []

        def serving() -> bool:
            statuses.append(requests.get(public_page, timeout=30).status_code)
            return statuses[-1] == 200

        wait_for(serving, timeout=15, interval=0.2,
                 message=lambda: f"200 again (got {statuses})")
        recovered_in = time.monotonic() - back_at
        assert session.get(detail, timeout=30).status_code == 200
        response = upload(session, base, submission_id)
        assert response.status_code == 302, response.text[:2000]
        assert counts(stack) == (versions_before + 1, files_before + 1)
        log = (stack.workdir / "gunicorn.log").read_text(errors="replace")
        assert not re.search(r'" 500 ', log), log[-3000:]
    print(f"\n[database-outage/{cut}] 7 requests during the outage: 503 each; 200 again "
          f"{recovered_in:.2f} s after the database came back, at request {len(statuses)}")


QUEUE_UPLOADS = """
codes = list(Region.objects.filter(ranked=True).order_by("code").values_list("code", flat=True))
ids = [upload(codes[i % len(codes)]).pk for i in range(40)]
print(json.dumps(ids))
"""
OUTAGE_SECONDS = 20


def validated(stack: Stack) -> int:
    return stack.scalar("SELECT count(*) FROM submissions_version "
                        "WHERE validation IN ('valid', 'invalid', 'rejected')")


def test_validations_recover_after_a_20_s_database_outage(redis_stack: Stack) -> None:
    """Workers validating while PostgreSQL goes away for 20 s: each task that meets the outage
    is retried with backoff (2, 4, 8, 16, 30 s) instead of acknowledged and lost, and every
    version ends validated, exactly once, soon after the database is back."""
    stack = redis_stack
    ids = stack.shell(QUEUE_UPLOADS)
    worker = stack.worker(concurrency=2)
    stack.beat()
    wait_for(lambda: validated(stack) >= 3, timeout=60,
             message=lambda: f"the worker to consume\n{stack.worker_logs()}")
    at_outage = validated(stack)  # (the test cannot read it once the database is away)
    with connect(server_url()) as conn:
        conn.execute(f'ALTER DATABASE "{stack.database}" ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (stack.database,))
    time.sleep(OUTAGE_SECONDS)  # the outage itself: how long the database stays away
    with connect(server_url()) as conn:
        conn.execute(f'ALTER DATABASE "{stack.database}" ALLOW_CONNECTIONS true')
    back_at = time.monotonic()
    assert at_outage < len(ids), "the outage came too late: everything was validated"

    wait_for(lambda: validated(stack) == len(ids), timeout=150,
             message=lambda: f"every version validated ({validated(stack)}/{len(ids)})\n"
                             f"{stack.worker_logs()}")
    recovered_in = time.monotonic() - back_at
    per_version = dict(stack.query(
        "SELECT object_id, count(*) FROM audit_auditentry WHERE action = 'version.validate' "
        "GROUP BY object_id"))
    assert {int(k) for k in per_version} == set(ids) and set(per_version.values()) == {1}
    assert {n for (n,) in stack.query(
        "SELECT count(*) FROM submissions_value GROUP BY version_id")} == {26}
    log = worker.log.read_text(errors="replace")
    retries = log.count(" retry: Retry in ")
    assert retries >= 1, log[-3000:]
    assert recovered_in < 120, f"recovered {recovered_in:.0f} s after the database came back"
    print(f"\n[database-outage/validations] 40 uploads, {at_outage} validated when PostgreSQL "
          f"went away for {OUTAGE_SECONDS} s; {retries} task retries with backoff; all 40 "
          f"validated {recovered_in:.1f} s after it came back, each once")

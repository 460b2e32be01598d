"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
``live_server``, with a real Celery worker (``tests/integration/conftest.py``).

Never downloads a browser: CI installs Debian's ``chromium``; without it the tests skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.integration.conftest import WorkerGate, running_worker

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's Chromium, through Playwright, for one test (skipped where it is not installed).

    Playwright's sync API runs an event loop in the test's thread while it lives, and Django
    refuses database calls from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE
    says that this is safe (it is here: the loop only drives the browser). Set for that time
    only, not for the other tests of the run."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium "
                    "(apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS, headless=True)
            try:
                yield browser
            finally:
                # While Playwright's loop runs, Django keeps this thread's connections in
                # another slot (asgiref's Local follows the running loop): close them now, or
                # they outlive the test, and PostgreSQL cannot drop the test database at the
                # end ("is being accessed by other users").
                connections.close_all()
                browser.close()
    finally:
        if before is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = before


@pytest.fixture
def chromium() -> Iterator[Any]:
    with launched_chromium() as browser:
        yield browser


@dataclass
class Console:
    """What the page said: console errors and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [m for m in self.errors if "Content Security Policy" in m]


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(chromium: Any, console: Console) -> Iterator[Any]:
    context = chromium.new_context(accept_downloads=True, locale="zh-CN",
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.exceptions.append(str(e)))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def worker_gate() -> WorkerGate:
    return WorkerGate()


@pytest.fixture
def celery_worker_thread(worker_gate: WorkerGate) -> Iterator[Any]:
    with running_worker(worker_gate) as worker:
        yield worker


def authenticator_code(secret: str) -> str:
    """What an authenticator app shows for the base32 ``secret`` of the enrolment page."""
    import base64

    from django_otp.oath import totp

    return f"{totp(base64.b32decode(secret.replace(' ', ''))):06d}"


def enrol_in_browser(page: Any) -> list[str]:
    """On the enrolment page: type the code of the secret shown, keep the recovery codes,
    go on; the recovery codes are returned."""
    page.fill("#id_token", authenticator_code(page.inner_text("#otp-secret")))
    page.click("#enrol-button")
    page.wait_for_selector("#recovery-codes")
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
    page.click("#codes-kept")
    page.wait_for_load_state()
    return codes

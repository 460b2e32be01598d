"""Locust users of deadline day; run by ``benchmarks/load_deadline_day.py``, which prepares the
platform and sets the environment variables below (not meant to be run alone).

* ``Officer`` (one per province officer account): logs in, then in a loop opens the submission
  page, uploads a file (the first with an error, then corrected ones, as on a real deadline),
  follows the redirect to the submission page and polls the version's status every second, as
  the page's htmx does, until it is validated; then thinks 5–15 s.
* ``Reviewer`` (``reviewer``, ``reviewer-2`` …): logs in with the password, then the second
  factor's code (computed here from the demo's known TOTP secret, as an authenticator app would),
  then reads the review queue and submissions' pages, a page every 3–8 s.
* ``Visitor``: the public ranking and region pages of the latest published year, a page every
  ``visitor_think`` seconds (the driver's ``--visitor-think``, default 5–15).

Every request and every officer's "upload → validated" time (from the start of the upload POST
to the status answer that shows the result) is written to ``DEADLINE_SAMPLES`` (JSON lines) for
the driver's percentiles.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import re
import struct
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

SETUP = json.loads(Path(os.environ["DEADLINE_SETUP"]).read_text())
OFFICERS: list[dict[str, Any]] = list(SETUP["officers"])
REVIEWERS: list[str] = list(SETUP["reviewers"])
TOTP_KEY = bytes.fromhex(SETUP["totp_key"])
SUBMISSIONS = [o["submission_id"] for o in SETUP["officers"]]
PASSWORD = SETUP["password"]
YEAR = SETUP["public_year"]
CODES = [o["code"] for o in SETUP["officers"]]
# No upload is started in the last 15 s of the run: each one can be followed to its result.
UPLOAD_UNTIL = time.time() + float(SETUP["upload_seconds"])
VALIDATION_TIMEOUT = 60.0
TIMEOUT = 60

_samples = Path(os.environ["DEADLINE_SAMPLES"]).open("a", encoding="utf-8")  # noqa: SIM115


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response_length: int,
            exception: BaseException | None = None, **_: Any) -> None:
    _samples.write(json.dumps([name, round(response_time, 1),
                               None if exception is None else str(exception)[:300],
                               round(time.time(), 3)]) + "\n")


@events.quitting.add_listener
def _close(**_: Any) -> None:
    _samples.flush()


STATUS_URL = re.compile(r'hx-get="(/submissions/versions/\d+/status/)"')
STATE = re.compile(r'id="version-status"[^>]*data-state="(\w+)"')
RECEIVED = re.compile(r"第 (\d+) 版")
DONE = ("valid", "invalid", "rejected")


class Officer(HttpUser):
    fixed_count = len(OFFICERS)
    wait_time = between(5, 15)

    def on_start(self) -> None:
        self.me = OFFICERS.pop()
        self.uploads = 0
        self.client.get("/accounts/login/", name="login page", timeout=TIMEOUT)
        with self.client.post(
            "/accounts/login/", name="login", timeout=TIMEOUT, allow_redirects=False,
            data={"username": self.me["username"], "password": PASSWORD,
                  "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")

    def _flow(self, started: float, exception: BaseException | None) -> None:
        events.request.fire(request_type="FLOW", name="upload → validated (seen by officer)",
                            response_time=(time.perf_counter() - started) * 1000,
                            response_length=0, exception=exception, context={})

    @task
    def upload_and_wait(self) -> None:
        detail = f"/submissions/{self.me['submission_id']}/"
        self.client.get(detail, name="submission page", timeout=TIMEOUT)
        if time.time() > UPLOAD_UNTIL:
            return
        files = self.me["files"]
        content = Path(files[min(self.uploads, len(files) - 1)]).read_bytes()
        self.uploads += 1
        started = time.perf_counter()
        with self.client.post(
            f"{detail}upload/", name="upload POST", timeout=TIMEOUT, allow_redirects=False,
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", ""),
                     "Referer": self.host + detail},
            files={"file": (f"{self.me['code']}.csv", content, "text/csv")},
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"upload answered {response.status_code}")
                self._flow(started, RuntimeError(f"upload {response.status_code}"))
                return
        page = self.client.get(detail, name="submission page", timeout=TIMEOUT).text
        received = RECEIVED.search(page)  # "已收到文件（第 N 版）" in the flash message
        number = received.group(1) if received else None
        while True:
            poll = STATUS_URL.search(page)
            state = STATE.search(page)
            at = page.find('id="version-status"')
            shown = RECEIVED.findall(page[at:at + 2000] if at >= 0 else page)
            if state and state.group(1) in DONE and (number is None or number in shown):
                self._flow(started, None)
                return
            if poll is None:
                self._flow(started, RuntimeError("no version status on the page"))
                return
            if time.perf_counter() - started > VALIDATION_TIMEOUT:
                self._flow(started, RuntimeError("not validated within 60 s"))
                return
            time.sleep(1)  # htmx: hx-trigger="every 1s" (gevent-patched)
            page = self.client.get(poll.group(1), name="version status poll", timeout=TIMEOUT,
                                   headers={"HX-Request": "true"}).text


def totp_code(key: bytes, at: float | None = None) -> str:
    """RFC 6238 (30 s steps, 6 digits, HMAC-SHA1): what an authenticator app shows."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Reviewer(HttpUser):
    fixed_count = len(REVIEWERS)
    wait_time = between(3, 8)

    def on_start(self) -> None:
        self.username = REVIEWERS.pop()
        self.client.get("/accounts/login/", name="login page", timeout=TIMEOUT)
        self._post("/accounts/login/", "reviewer login",
                   {"username": self.username, "password": PASSWORD})
        self.client.get("/accounts/otp/verify/", name="second factor", timeout=TIMEOUT)
        self._post("/accounts/otp/verify/", "second factor", {"token": totp_code(TOTP_KEY)})

    def _post(self, url: str, name: str, data: dict[str, str]) -> None:
        with self.client.post(
            url, name=name, timeout=TIMEOUT, allow_redirects=False,
            data={**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
            headers={"Referer": self.host + url}, catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{name} answered {response.status_code}")

    @task(2)
    def queue(self) -> None:
        with self.client.get("/submissions/queue/", name="review queue", timeout=TIMEOUT,
                             allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"review queue answered {response.status_code}")

    @task(3)
    def submission(self) -> None:
        with self.client.get(f"/submissions/{random.choice(SUBMISSIONS)}/",
                             name="reviewer submission page", timeout=TIMEOUT,
                             allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"submission page answered {response.status_code}")


class Visitor(HttpUser):
    fixed_count = int(SETUP["visitors"])
    wait_time = between(*SETUP["visitor_think"])

    @task(2)
    def ranking(self) -> None:
        self.client.get(f"/rankings/{YEAR}/", name="public ranking", timeout=TIMEOUT)

    @task(1)
    def region(self) -> None:
        self.client.get(f"/rankings/{YEAR}/regions/{random.choice(CODES)}/", name="region page",
                        timeout=TIMEOUT)

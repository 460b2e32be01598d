"""Locust users of deadline day; run by ``benchmarks/load_deadline_day.py``, which prepares the
platform and sets the environment variables below (not meant to be run alone).

* ``Officer`` (one per province officer account): logs in, then in a loop opens the submission
  page, uploads a file (the first with an error, then corrected ones, as on a real deadline),
  follows the redirect to the submission page and polls the version's status every second, as
  the page's htmx does, until it is validated; then thinks 5–15 s.
* ``Visitor``: the public ranking and region pages of the latest published year, a page every
  ``visitor_think`` seconds (the driver's ``--visitor-think``, default 5–15).

Every request and every officer's "upload → validated" time (from the start of the upload POST
to the status answer that shows the result) is written to ``DEADLINE_SAMPLES`` (JSON lines) for
the driver's percentiles.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

SETUP = json.loads(Path(os.environ["DEADLINE_SETUP"]).read_text())
OFFICERS: list[dict[str, Any]] = list(SETUP["officers"])
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

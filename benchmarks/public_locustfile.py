"""Locust users of ``bench_public_ranking.py``: each opens the overall ranking page again and
again, as its own visitor (its own cookies).

``BENCH_WAIT`` (seconds, default 0) is each user's pause between two requests: 0 is a closed
loop (a user sends its next request as soon as the last answer came), 1 means pauses spread
evenly between 0.5 and 1.5 s, a reader's pace."""

from __future__ import annotations

import os

from locust import HttpUser, between, constant, task

PATH = os.environ.get("BENCH_PATH", "/rankings/2017/")
WAIT = float(os.environ.get("BENCH_WAIT", "0"))


class Visitor(HttpUser):
    wait_time = between(WAIT / 2, WAIT * 1.5) if WAIT > 0 else constant(0)

    @task
    def ranking(self) -> None:
        with self.client.get(PATH, name=PATH, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "ranking-table" not in response.text:
                response.failure("not the ranking page")

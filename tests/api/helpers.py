"""What the API tests share: the URLs of a region's submission and sending values."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.test import Client, TestCase
from django.urls import reverse

from tests.submissions.helpers import valid_values


def url(name: str, region: str = "110000", year: int = 2018, **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs={"year": year, "region_code": region, **kwargs})


def entries(values: dict[str, Any], notes: dict[str, str] | None = None) -> list[dict]:
    notes = notes or {}
    return [{"element_code": code, "value": float(v) if isinstance(v, Decimal) else v,
             **({"note": notes[code]} if code in notes else {})}
            for code, v in values.items()]


def post_json(client: Client, path: str, body: Any, **extra: Any):
    """POST ``body`` as JSON, running what is queued on commit (validation) at once."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, json.dumps(body), content_type="application/json", **extra)


def send_values(client: Client, values: dict[str, Any] | None = None,
                notes: dict[str, str] | None = None, region: str = "110000"):
    return post_json(client, url("values", region),
                     {"values": entries(values if values is not None else valid_values(region),
                                        notes)})

"""Canonical JSON: the one spelling of a document that is hashed (audit chain, model
documents, scoring runs) — keys sorted, no spaces, UTF-8 text as it is.

Two equal documents give the same text, and so the same hash, whoever writes them. A value
JSON has no spelling for (a date, a Decimal) is written as its ``str``: the audit log hashes
what its callers pass without asking them to convert it first.
"""

from __future__ import annotations

import json
from typing import Any

# One encoder, made once: ``json.dumps`` with arguments builds a new one on every call.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                            default=str)


def canonical_json(data: Any) -> str:
    """The canonical JSON text of ``data``."""
    return _ENCODER.encode(data)


def canonical_bytes(data: Any) -> bytes:
    """The canonical JSON of ``data`` as UTF-8 bytes, as it is hashed."""
    return _ENCODER.encode(data).encode()

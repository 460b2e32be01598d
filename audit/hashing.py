"""The chain's hash functions: SHA-256 (the default) and SM3 (国密, GB/T 32905-2016), chosen by
the environment setting AUDIT_HASH for new entries and recorded on each entry
(``AuditEntry.hash_algorithm``), so that a log can change algorithm without breaking its
verification. SM3 comes from OpenSSL through ``hashlib.new("sm3")`` where OpenSSL has it (1.1.1
and later, unless a distribution left it out), from gmssl (pure Python) otherwise."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings

SHA256 = "sha256"
SM3 = "sm3"
ALGORITHMS = (SHA256, SM3)


def _sm3_openssl(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def _sm3_gmssl(data: bytes) -> str:
    from gmssl import func, sm3

    return str(sm3.sm3_hash(func.bytes_to_list(data)))


def openssl_has_sm3() -> bool:
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


def sm3_function() -> Callable[[bytes], str]:
    return _sm3_openssl if openssl_has_sm3() else _sm3_gmssl


_FUNCTIONS: dict[str, Callable[[bytes], str]] = {}


def hexdigest(algorithm: str, data: bytes) -> str:
    """The hex digest of ``data`` by ``algorithm`` (``sha256`` or ``sm3``)."""
    if algorithm == SHA256:
        return hashlib.sha256(data).hexdigest()
    if algorithm == SM3:
        if SM3 not in _FUNCTIONS:
            _FUNCTIONS[SM3] = sm3_function()
        return _FUNCTIONS[SM3](data)
    raise ValueError(f"unknown audit hash algorithm {algorithm!r}")


def current_algorithm() -> str:
    return str(getattr(settings, "AUDIT_HASH", SHA256))

"""The client's address, as far as the proxies in front of the platform vouch for it.

Behind a TLS proxy ``REMOTE_ADDR`` is the proxy's address, the same for every client. Each
proxy appends the address it received the request from to ``X-Forwarded-For``; the client can
write anything it likes in front of that. So with ``TRUSTED_PROXY_COUNT`` proxies (an
environment setting, default 0) the client's address is the ``TRUSTED_PROXY_COUNT``-th from
the end of the header, and nothing further left is believed. With 0 the header is ignored
(clients reach the platform directly). docs/operations.md shows the proxy's settings.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address: from ``X-Forwarded-For`` through ``TRUSTED_PROXY_COUNT``
    proxies, else ``REMOTE_ADDR`` (also when the header has fewer addresses than there are
    proxies, or a malformed one at that place)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    count = int(settings.TRUSTED_PROXY_COUNT)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in
                 str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote

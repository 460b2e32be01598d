"""A database that cannot be reached: how to tell it from a wrong query, and the friendly 503
page every layer answers with (the view's middleware for a view's error; a middleware that
loads the user before any view, for its own)."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

UNAVAILABLE_MARKERS = (
    "could not connect", "connection failed", "connection refused", "server closed the connection",
    "terminating connection", "connection is lost", "connection already closed",
    "the connection is closed", "database is locked", "unable to open database file",
    "no route to host", "timeout expired",
)


def is_unavailable(exception: Exception) -> bool:
    """A database that cannot be reached, as opposed to a query that is wrong."""
    if isinstance(exception, InterfaceError):
        return True
    text = str(exception).lower()
    return isinstance(exception, OperationalError) and any(m in text for m in UNAVAILABLE_MARKERS)


def unavailable_response(exception: Exception) -> HttpResponse:
    logger.error("database unavailable: %s", exception)
    # The page is rendered without a request context: nothing on it may touch the database
    # (no user, no session).
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response

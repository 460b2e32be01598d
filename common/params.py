"""Query parameters read strictly, in one place: a malformed one is the visitor's mistake (a
hand-edited or truncated link), answered 400 in the page's language, never a 500 with a
traceback in the log.

``str.isdigit()`` is not a test for a number: it accepts "²" (which ``int()`` refuses) and
"٣" (which ``int()`` reads as 3). Only ASCII digits make an id here, and only as many as a
database's integer holds.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError

PARAMETER_INVALID = _("网址中的参数 {name} 无效：{value}")
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_LARGEST_ID = 2**63 - 1  # a database's largest integer
REGION_CODE = re.compile(r"[0-9]{6}", re.ASCII)  # GB/T 2260
_SHOWN = 40  # characters of a bad value repeated in the message


class BadParameter(ApplicationError):
    """A malformed query parameter; ``config.middleware.BadParameterMiddleware`` answers it
    with a 400 page."""

    def __init__(self, name: str, value: str) -> None:
        shown = value if len(value) <= _SHOWN else value[:_SHOWN] + "…"
        super().__init__("BAD_PARAMETER", PARAMETER_INVALID, field=name,
                         params={"name": name, "value": shown})


def query_id(request: HttpRequest, name: str) -> int | None:
    """An id (a run, a version number) or ``None`` when absent or empty. Anything but ASCII
    digits is refused (400); a number no object can have (0, past the database's integers)
    names nothing (404), as an id of no object does."""
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    if len(raw) > _SHOWN or not _DIGITS.fullmatch(raw):
        raise BadParameter(name, raw)
    value = int(raw)
    if not 0 < value <= _LARGEST_ID:
        raise Http404
    return value


def query_choice(request: HttpRequest, name: str, choices: Collection[str]) -> str | None:
    """One of ``choices``, or ``None`` when absent or empty."""
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    if raw not in choices:
        raise BadParameter(name, raw)
    return raw


def query_match(request: HttpRequest, name: str, pattern: re.Pattern[str]) -> str | None:
    """Text the whole of which matches ``pattern``, or ``None`` when absent or empty."""
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    if not pattern.fullmatch(raw):
        raise BadParameter(name, raw)
    return raw


def query_flag(request: HttpRequest, name: str) -> bool:
    """``?name=1`` (or ``?name=``/absent for no)."""
    return query_choice(request, name, ("0", "1")) == "1"

"""What every management command does the same way."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from common.errors import ApplicationError


@contextmanager
def refusals_as_command_errors() -> Iterator[None]:
    """``with refusals_as_command_errors(): service(...)``: a service's refusal ends the
    command with its message (``CommandError``: exit status 1, no traceback)."""
    try:
        yield
    except ApplicationError as exc:
        raise CommandError(exc.message) from None

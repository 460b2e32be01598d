"""The one error type of the services.

A service refuses what may not happen by raising ``ApplicationError`` with a stable code (for
machines: the command line's exit message, the API's problem details, tests), a message in the
user's language (a lazy gettext template, formatted when it is read, so that the language of
the request that shows it decides), and, where the problem has a place, the field or the cell.
Views show ``message`` (``common.views.error_message``), commands raise ``CommandError`` with
it, the API answers problem details; nothing else needs to know the kind of refusal.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A refusal with a stable ``code`` and a translated ``message``."""

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        field: str | None = None,
        place: str | None = None,
        params: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.code = code
        self._message = message
        self.params = params or {}
        self.field = field
        self.place = place
        self.extra = extra or {}
        super().__init__(code)

    @property
    def message(self) -> str:
        """The message in the active language, its ``{name}`` placeholders filled."""
        text = str(self._message)
        return text.format(**self.params) if self.params else text

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r})"

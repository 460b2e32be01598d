"""Content negotiation for answers that are not JSON (a spreadsheet, SDMX, a documentation
page): the view's own format whatever the client's ``Accept`` says, and its errors as problem
details (JSON, the view's first renderer)."""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request


class FirstRendererNegotiation(BaseContentNegotiation):
    def select_renderer(self, request: Request, renderers: list[Any],
                        format_suffix: str | None = None) -> tuple[Any, str]:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None

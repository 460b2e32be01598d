"""Table downloads: CSV (UTF-8 with BOM, what Excel on a Chinese system opens correctly),
xlsx and JSON. Text that a spreadsheet would run as a formula is escaped.

``escape_formula`` is the one escaping of the platform: every text cell of every workbook and
CSV it writes (these tables, the upload template, the statistical audit, the what-if CSV) goes
through it, headers included, since a header can be a name from the data (a region, a
dimension). ``unescape_formula`` undoes it where the platform reads back a file it wrote (the
notes of a re-uploaded template)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from openpyxl import Workbook

# What Excel, LibreOffice and Google Sheets start a formula (or a DDE call) with (OWASP, "CSV
# injection"): a tab or carriage return in front is skipped by some of them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """Prefix text that starts like a formula with an apostrophe; numbers stay numbers."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    """The text ``escape_formula`` was given: an apostrophe is removed only in front of a
    formula's first character, so an officer's own leading apostrophe stays."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return escape_formula(value)


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_formula(c) for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[str], rows: Sequence[dict[str, Any]], *, title: str = "data"
            ) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([escape_formula(c) for c in columns])
    for row in rows:
        sheet.append([_xlsx_value(row.get(c)) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # a number cell; 2-decimal values are exact in a double's repr
    return escape_formula(value)


def to_json(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    def plain(value: Any) -> Any:
        return float(value) if isinstance(value, Decimal) else value

    data = [{c: plain(row.get(c)) for c in columns} for row in rows]
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def render_table(fmt: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    return WRITERS[fmt](columns, rows)

"""Table downloads: CSV (UTF-8 with BOM, what Excel on a Chinese system opens correctly),
xlsx and JSON. Text that a spreadsheet would run as a formula is escaped.

``render_table`` writes a bare table (a header row, then the rows) for programs;
``document_csv`` and ``document_xlsx`` write a ``Document``: the table with the title, the
lines and the notes that let a statistician cite it.

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
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

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


# --- documents: a table a statistician can cite -----------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a cited table: its heading (the unit in it, if any) and, for a figure,
    how many decimals it is printed with (``None``: not a figure)."""

    heading: str
    decimals: int | None = None


@dataclass(frozen=True)
class Document:
    """A table with what makes it citable: a title, lines under it (the year, the model
    version, the publication and its date, the units), the table, and notes under it (what a
    column means, the source). The same document is written as CSV, xlsx and PDF."""

    title: str
    meta: Sequence[tuple[str, str]]
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    notes: Sequence[str] = field(default_factory=tuple)

    @property
    def headings(self) -> list[str]:
        return [c.heading for c in self.columns]


def document_csv(document: Document) -> bytes:
    """The title and its lines first, then one blank line, the header and the rows, then a
    blank line and the notes: the layout of the National Bureau of Statistics' downloads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_formula(document.title)])
    for label, value in document.meta:
        writer.writerow([escape_formula(label), escape_formula(value)])
    writer.writerow([])
    writer.writerow([escape_formula(h) for h in document.headings])
    for row in document.rows:
        writer.writerow([_cell(_fixed(v, c.decimals)) for v, c in
                         zip(row, document.columns, strict=True)])
    if document.notes:
        writer.writerow([])
        for note in document.notes:
            writer.writerow([escape_formula(note)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _fixed(value: Any, decimals: int | None) -> Any:
    """A figure with exactly its decimals (a CSV cell is text: ``16.50``, not ``16.5``)."""
    if decimals is None or isinstance(value, bool) or not isinstance(value, Decimal | float | int):
        return value
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def document_xlsx(document: Document, *, sheet_title: str = "data") -> bytes:
    """One sheet laid out as the CSV; figures are number cells shown with their decimals and
    thousands separators, the header row frozen under the title."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    header_row = len(document.meta) + 3  # the title, the lines, a blank line, then the header
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.append([_styled(sheet, escape_formula(document.title), bold=True)])
    for label, value in document.meta:
        sheet.append([escape_formula(label), escape_formula(value)])
    sheet.append([])
    sheet.append([_styled(sheet, escape_formula(h), bold=True) for h in document.headings])
    formats = [None if c.decimals is None else
               "#,##0" + ("." + "0" * c.decimals if c.decimals else "") for c in document.columns]
    for row in document.rows:
        sheet.append([_number_cell(sheet, v, f) for v, f in zip(row, formats, strict=True)])
    if document.notes:
        sheet.append([])
        for note in document.notes:
            sheet.append([escape_formula(note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _styled(sheet: Any, value: Any, *, bold: bool) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=bold)
    return cell


def _number_cell(sheet: Any, value: Any, number_format: str | None) -> Any:
    value = _xlsx_value(value)
    if number_format is None or not isinstance(value, int | float) or isinstance(value, bool):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell

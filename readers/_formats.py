"""Each format as the sheets that may be read, row by row, with their positions and facts.

``open_book(data, filename, ...)`` decides the format from the content, runs the container
checks, and returns a ``Book``: the sheets that may be read (visible ones; the platform's
"填报数据" first), each opened on demand as rows that keep their spreadsheet positions, with the
facts read_table needs (merged ranges, formulas without a cached value, error and percent
cells). The libraries underneath:

* CSV: the standard ``csv`` module over text decoded by ``_detect``.
* XLSX and ODS: python-calamine (~120,000 rows/s, and no DOM: openpyxl reads ~10,000 rows/s
  and odfpy builds the whole document tree in memory), after ``_container``'s checks.
* XLS: xlrd, opened with formatting info (merged ranges, percent formats) and ragged rows (a
  stray cell at IV65536 must not make 16 million empty cells).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Final

import python_calamine

import readers._container as _container
import readers._detect as _detect
from readers._base import Container, SheetFacts, percent_text, strip_format_literals
from readers._inflate import corrupt
from readers.errors import Detail, FileRejected, RuleCode

logger = logging.getLogger(__name__)

TEMPLATE_SHEET: Final = "填报数据"

# (0-based row, 0-based column of values[0], values)
RowTriple = tuple[int, int, Sequence[object]]


@dataclass
class SheetRows:
    name: str | None
    rows: Iterator[RowTriple]
    facts: SheetFacts = field(default_factory=SheetFacts)


@dataclass
class Book:
    format: str
    candidates: list[Callable[[], SheetRows]]  # sheets that may be read, in order of preference
    sheet_names: list[str]  # the same, for messages (empty for a CSV)
    encoding: str | None = None


def _preferred(names_visible: list[tuple[str, bool]]) -> list[str]:
    """The platform's data sheet when it is visible; otherwise every visible sheet in order."""
    visible = [name for name, is_visible in names_visible if is_visible]
    return [TEMPLATE_SHEET] if TEMPLATE_SHEET in visible else visible


# --- dispatch --------------------------------------------------------------------------------

_BINARY_EXTENSIONS: Final = (".xlsx", ".xlsm", ".xls", ".ods", ".et")


def open_book(data: bytes, filename: str, *, max_uncompressed_bytes: int) -> Book:
    """Choose the format from the content (magic bytes, then the container's own directory);
    the extension is only a hint: text that cannot be decoded, in a file named like a binary
    workbook, is "not a spreadsheet" rather than "a CSV in an unknown encoding"."""
    kind = _detect.sniff(data)
    if kind == _detect.ZIP:
        container = _container.inspect_zip(data, max_uncompressed_bytes=max_uncompressed_bytes)
        return CalamineBook(data, container).book()
    if kind == _detect.OLE:
        return _xls_book(data)
    try:
        return _csv_book(data)
    except FileRejected as rejection:
        if rejection.rule_code == RuleCode.FILE_ENCODING and filename.lower().endswith(
            _BINARY_EXTENSIONS
        ):
            raise _detect.not_spreadsheet() from None
        raise


# --- CSV -------------------------------------------------------------------------------------


def _csv_book(data: bytes) -> Book:
    decoded = _detect.decode_text(data)
    _detect.check_text(decoded)
    text = decoded.text
    if not text.strip(" \t\r\n\ufeff,;"):
        raise FileRejected(RuleCode.FILE_EMPTY)
    # Excel's "Unicode text" is UTF-16 and tab-separated; otherwise commas come first.
    delimiters = ("\t", ",") if decoded.encoding == "utf-16" else (",", "\t")
    return Book(
        "csv",
        [partial(_csv_sheet, text, d) for d in delimiters],
        [],
        encoding=decoded.encoding,
    )


def _csv_sheet(text: str, delimiter: str) -> SheetRows:
    return SheetRows(None, _csv_rows(text, delimiter))


def _csv_rows(text: str, delimiter: str) -> Iterator[RowTriple]:
    """Records with the line where each starts (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous_line = 0
    try:
        for record in reader:
            start = previous_line
            previous_line = reader.line_num
            if record:
                yield start, 0, record
    except csv.Error as exc:
        raise FileRejected(
            RuleCode.FILE_CORRUPT,
            detail=Detail.CSV_RECORD,
            params={"reason": str(exc)},
            row=reader.line_num,
        ) from None


# --- XLSX and ODS through calamine -----------------------------------------------------------


class CalamineBook:
    def __init__(self, data: bytes, container: Container) -> None:
        self.container = container
        if container.kind == "ods":
            # calamine parses every table of an ods when it opens it, expanding repeated rows
            # and columns: all of them, hidden or not, must fit before that.
            for sheet in container.sheets:
                _check_area(sheet.name, container.facts.get(sheet.name))
        try:
            self.workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            calamine_names = self.workbook.sheet_names
        except python_calamine.PasswordError:
            raise FileRejected(RuleCode.FILE_ENCRYPTED) from None
        except Exception as exc:
            logger.info("calamine could not open a %s: %s", container.kind, exc)
            raise corrupt() from None
        if [s.name for s in container.sheets] != list(calamine_names):
            raise corrupt(Detail.SHEET_DIRECTORY)

    def book(self) -> Book:
        names = _preferred([(s.name, s.visible and s.worksheet) for s in self.container.sheets])
        return Book(self.container.kind, [partial(self.open, n) for n in names], list(names))

    def open(self, name: str) -> SheetRows:
        scanned = self.container.facts.get(name)
        # xlsx sheets are parsed (into a dense grid) only when asked for: check each first.
        _check_area(name, scanned)
        assert scanned is not None
        try:
            sheet = self.workbook.get_sheet_by_name(name)
            merged = sheet.merged_cell_ranges or []
            start = sheet.start
        except Exception as exc:
            logger.info("calamine could not read sheet %r: %s", name, exc)
            raise corrupt() from None
        facts = replace(scanned, merged=[*scanned.merged])
        facts.merged.extend((r0, c0, r1, c1) for (r0, c0), (r1, c1) in merged)
        offset = start[1] if start else 0
        # calamine's iter_rows starts at row 0 but at the first used column.
        iterator = ((index, offset, values) for index, values in enumerate(sheet.iter_rows()))
        return SheetRows(name, iterator, facts)


def _check_area(name: str, facts: SheetFacts | None) -> None:
    if facts is None:  # a sheet the container scan did not find: never hand it to calamine
        raise corrupt(Detail.SHEET_DIRECTORY)
    rows, cols = facts.max_row + 1, facts.max_col + 1
    if rows * cols > _container.MAX_SHEET_CELLS:
        raise FileRejected(
            RuleCode.SHEET_TOO_LARGE, params={"rows": rows, "cols": cols}, sheet=name
        )


# --- XLS through xlrd ------------------------------------------------------------------------


def _xls_book(data: bytes) -> Book:
    """xlrd's reading, with visibility, merged ranges and cell types kept."""
    import xlrd

    _container.inspect_ole(data)
    try:
        workbook = xlrd.open_workbook(
            file_contents=data,
            formatting_info=True,
            ragged_rows=True,
            logfile=io.StringIO(),
        )
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise FileRejected(RuleCode.FILE_ENCRYPTED) from None
        raise corrupt() from None
    except Exception as exc:
        logger.info("xlrd could not open an xls: %s", exc)
        raise corrupt() from None
    sheets = workbook.sheets()
    names = _preferred([(s.name, s.visibility == 0) for s in sheets])
    by_name = {s.name: s for s in sheets}
    percent = _xls_percent_formats(workbook)
    return Book(
        "xls",
        [partial(_xls_sheet, workbook, by_name[n], percent) for n in names],
        list(names),
    )


def _xls_percent_formats(workbook: Any) -> frozenset[int]:
    indexes = set()
    for index, xf in enumerate(workbook.xf_list):
        fmt = workbook.format_map.get(xf.format_key)
        if fmt is not None and "%" in strip_format_literals(fmt.format_str):
            indexes.add(index)
    return frozenset(indexes)


def _xls_sheet(workbook: Any, sheet: Any, percent: frozenset[int]) -> SheetRows:
    facts = SheetFacts()
    facts.merged.extend((r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells)
    return SheetRows(sheet.name, _xls_rows(workbook, sheet, percent), facts)


def _xls_rows(workbook: Any, sheet: Any, percent: frozenset[int]) -> Iterator[RowTriple]:
    import xlrd

    for r in range(sheet.nrows):
        types = sheet.row_types(r)
        values = sheet.row_values(r)
        out: list[object] = []
        for c, (kind, value) in enumerate(zip(types, values, strict=True)):
            if kind == xlrd.XL_CELL_NUMBER:
                if percent and sheet.cell_xf_index(r, c) in percent:
                    out.append(percent_text(repr(value)))
                else:
                    out.append(value)
            elif kind == xlrd.XL_CELL_TEXT:
                out.append(value)
            else:
                out.append(_xls_other(kind, value, workbook.datemode))
        yield r, 0, out


def _xls_other(kind: int, value: Any, datemode: int) -> object:
    """A date, boolean, error or empty cell as read_table hands it out."""
    import xlrd

    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(value, datemode)
        except Exception:
            return value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR!")
    return None

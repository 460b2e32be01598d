"""The checks of an ods container: what it is, macros, encryption, and one streamed pass over
``content.xml`` for the facts calamine needs checked or does not report.

calamine parses every table of an ods when it opens it, expanding repeated rows and columns
(``table:number-rows-repeated="1000000"`` is one element), so the pass computes each table's
extent with the repeats, hidden or not. It also collects merged ranges (calamine reports them
for xlsx and xls only), formulas without a value, error and percent cells.
"""

from __future__ import annotations

import io
from typing import Final

import defusedxml.ElementTree as SafeET

import readers._xml as _xml
from readers._base import Container, SheetFacts, SheetPart, percent_text
from readers._detect import not_spreadsheet
from readers._inflate import IN_CHUNK, ChunkStream, Parts, corrupt
from readers.errors import Detail, FileRejected, RuleCode

_ODS_MIMETYPES: Final = (
    b"application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.spreadsheet-template",
)
_MANIFEST: Final = "META-INF/manifest.xml"
_CONTENT: Final = "content.xml"


def inspect_ods(parts: Parts) -> Container:
    mimetype = parts.read_unchecked("mimetype").strip()
    if mimetype not in _ODS_MIMETYPES:
        raise not_spreadsheet(Detail.OTHER_OPENDOCUMENT)
    # ODF keeps macros in Basic/ (StarBasic) and Scripts/ (other languages).
    if any(name.startswith(("Basic/", "Scripts/")) for name in parts.by_name):
        raise FileRejected(RuleCode.FILE_MACROS)
    if _MANIFEST in parts and b"encryption-data" in parts.read(_MANIFEST):
        raise FileRejected(RuleCode.FILE_ENCRYPTED)
    if _CONTENT not in parts:
        raise corrupt(Detail.MISSING_CONTENT)
    sheets, facts = _scan_content(parts)
    parts.check_the_rest()
    return Container("ods", sheets, facts)


_TABLE_NS: Final = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS: Final = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CALCEXT_NS: Final = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_STYLE_NS: Final = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_T = "{" + _TABLE_NS + "}"
_O = "{" + _OFFICE_NS + "}"


_TABLE = _T + "table"
_ROW = _T + "table-row"
_CELL = _T + "table-cell"
_COVERED = _T + "covered-table-cell"
_ROWS_REPEATED = _T + "number-rows-repeated"
_COLS_REPEATED = _T + "number-columns-repeated"
_COLS_SPANNED = _T + "number-columns-spanned"
_ROWS_SPANNED = _T + "number-rows-spanned"
_FORMULA = _T + "formula"
_VALUE_TYPE = _O + "value-type"
_CALC_VALUE_TYPE = "{" + _CALCEXT_NS + "}value-type"
_STYLE = "{" + _STYLE_NS + "}style"


def _count(raw: str | None) -> int:
    """A repeat or span count; absent or malformed counts as 1 (calamine does the same)."""
    if not raw:
        return 1
    try:
        return max(1, int(raw))
    except ValueError:
        return 1


def _scan_content(parts: Parts) -> tuple[list[SheetPart], dict[str, SheetFacts]]:
    """One streamed pass over content.xml: tables and their visibility, and per table the
    extent of the cells that hold something (with repeats: calamine expands them), merged
    ranges, formulas without a value, error and percent cells."""
    scan = _ContentScan()
    stream = io.BufferedReader(ChunkStream(parts.chunks(_CONTENT)), IN_CHUNK)
    try:
        for event, element in SafeET.iterparse(stream, events=("start", "end")):
            if event == "start":
                scan.start(element)
            else:
                scan.end(element)
    except FileRejected:
        raise
    except Exception:
        raise corrupt(Detail.MALFORMED_PART, part=_CONTENT) from None
    return scan.sheets, scan.facts


class _ContentScan:
    """The state of the pass: where in which table it is. Cells are handled at their end
    (their content decides whether they count), rows advance by their repeat count."""

    def __init__(self) -> None:
        self.sheets: list[SheetPart] = []
        self.facts: dict[str, SheetFacts] = {}
        self.hidden_styles: set[str] = set()
        self.current: SheetFacts | None = None
        self.row = 0
        self.col = 0
        self.row_repeat = 1
        self.depth_in_cell = 0  # cells nest (a frame in a cell may hold a table): the outer counts

    def start(self, element: _xml.Element) -> None:
        tag = element.tag
        if tag in (_CELL, _COVERED):
            self.depth_in_cell += 1
        elif tag == _ROW:
            self.row_repeat = _count(element.get(_ROWS_REPEATED))
            self.col = 0
        elif tag == _TABLE:
            name = element.get(_T + "name") or ""
            style = element.get(_T + "style-name") or ""
            self.sheets.append(SheetPart(name, None, style not in self.hidden_styles))
            self.current = self.facts.setdefault(name, SheetFacts())
            self.row = 0

    def end(self, element: _xml.Element) -> None:
        tag = element.tag
        if tag in (_CELL, _COVERED):
            self.depth_in_cell -= 1
            if self.depth_in_cell == 0 and self.current is not None:
                self.col = _ods_cell(element, self.current, self.row, self.col, self.row_repeat)
                element.clear()
        elif tag == _ROW:
            self.row += self.row_repeat
            element.clear()
        elif tag == _TABLE:
            self.current = None
        elif tag == _STYLE:
            _note_hidden_table_style(element, self.hidden_styles)


def _note_hidden_table_style(element: _xml.Element, hidden: set[str]) -> None:
    if element.get("{" + _STYLE_NS + "}family") != "table":
        return
    for child in element:
        if child.get(_T + "display") == "false":
            hidden.add(element.get("{" + _STYLE_NS + "}name") or "")


def _ods_cell(element: _xml.Element, facts: SheetFacts, row: int, col: int, repeat: int) -> int:
    attrib = element.attrib
    cols = _count(attrib.get(_COLS_REPEATED))
    value_type = attrib.get(_VALUE_TYPE)
    # Content is a value type or a paragraph (text:p); a bare repeated cell is empty space.
    if value_type is not None or len(element):
        if row + repeat - 1 > facts.max_row:
            facts.max_row = row + repeat - 1
        if col + cols - 1 > facts.max_col:
            facts.max_col = col + cols - 1
    if _COLS_SPANNED in attrib or _ROWS_SPANNED in attrib:
        spanned_cols = _count(attrib.get(_COLS_SPANNED))
        spanned_rows = _count(attrib.get(_ROWS_SPANNED))
        if spanned_cols > 1 or spanned_rows > 1:
            facts.merged.append((row, col, row + spanned_rows - 1, col + spanned_cols - 1))
    if _FORMULA in attrib and value_type is None:
        facts.uncached.append((row, col))
    elif attrib.get(_CALC_VALUE_TYPE) == "error":
        facts.overrides[(row, col)] = "".join(element.itertext())
    elif value_type == "percentage":
        raw = attrib.get(_O + "value") or "".join(element.itertext())
        facts.overrides[(row, col)] = percent_text(raw)
    return col + cols

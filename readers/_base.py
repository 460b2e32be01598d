"""The shapes the readers hand out and pass between their layers, header matching, and the
small cell helpers every format shares."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

__all__ = [
    "BULK_FIELDS",
    "TEMPLATE_FIELDS",
    "Container",
    "FieldSpec",
    "RawCell",
    "RawRow",
    "SheetFacts",
    "SheetPart",
    "Table",
    "cell_name",
    "column_index",
    "column_letter",
    "normalise_header",
    "percent_text",
    "strip_format_literals",
]


@dataclass(frozen=True)
class FieldSpec:
    """One canonical column and the header spellings accepted for it."""

    name: str
    aliases: tuple[str, ...]
    required: bool


TEMPLATE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("code", ("代码", "数据项代码", "指标代码", "code", "element_code"), True),
    FieldSpec("value", ("本年数值", "数值", "值", "value"), True),
    FieldSpec("note", ("备注", "说明", "note"), False),
)

BULK_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("region", ("region_code", "地区代码", "地区", "region"), True),
    FieldSpec("code", ("element_code", "代码", "数据项代码", "code"), True),
    FieldSpec("value", ("value", "数值", "本年数值"), True),
    FieldSpec("note", ("note", "备注"), False),
    FieldSpec("year", ("year", "年份"), False),
)


# slots: a 180,000-row file makes ~900,000 of these; slots halve their memory.
@dataclass(frozen=True, slots=True)
class RawCell:
    value: object  # as read: str, int, float, bool, date/datetime, None; formulas: cached value
    column: str  # spreadsheet column letter ("A", "AB"); in a CSV the Nth column as a letter


@dataclass(frozen=True, slots=True)
class RawRow:
    number: int  # 1-based row in the spreadsheet, or the line in the CSV where the record starts
    cells: dict[str, RawCell]  # by FieldSpec.name; optional fields absent from the header: absent


@dataclass
class Table:
    filename: str
    format: str  # "xlsx" | "xls" | "ods" | "csv"
    sheet: str | None  # None for CSV
    header_row: int
    columns: dict[str, str]  # field name -> column letter
    rows: list[RawRow]  # data rows below the header; rows whose field cells are all blank skipped
    encoding: str | None  # CSV only


@lru_cache(maxsize=4096)
def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """ "A" -> 0, "AB" -> 27."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def cell_name(row0: int, col0: int) -> str:
    return f"{column_letter(col0)}{row0 + 1}"


# After NFKC a full-width （ is (, so one class covers both widths; 【 and 〔 have no ASCII form.
_BRACKET = re.compile(r"[(\[【〔<]")
_SPACES = re.compile(r"\s+")


def normalise_header(text: str) -> str:
    """The form headers are compared in.

    NFKC (full width to half width), case-folded, all white space removed (``本年 数值``), a
    leading or trailing ``*`` dropped (templates mark required columns with it), and anything
    from the first opening bracket on dropped, so ``本年数值（2017年）``, ``数值(万人)`` and
    ``value [unit]`` name the value column. The bracket rule only ever shortens a header to an
    accepted name that the user wrote at its start, so it cannot turn another column into one.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _BRACKET.split(text, maxsplit=1)[0]
    return _SPACES.sub("", text).strip("*").casefold()


# --- what the container checks learn, for the format readers ---------------------------------


@dataclass
class SheetFacts:
    """What the container scan learned about one sheet. Positions are 0-based (row, col)."""

    max_row: int = -1
    max_col: int = -1
    uncached: list[tuple[int, int] | None] = field(default_factory=list)
    # Values to show instead of what calamine reads: error texts, percent cells as "12.5%".
    overrides: dict[tuple[int, int], object] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1


@dataclass
class SheetPart:
    name: str
    path: str | None  # the sheet's XML part (xlsx); None for ods
    visible: bool
    worksheet: bool = True  # False for chart sheets, dialog sheets: nothing to read there


@dataclass
class Container:
    kind: str  # "xlsx" | "ods"
    sheets: list[SheetPart]
    facts: dict[str, SheetFacts]  # by sheet name


# --- number formats ----------------------------------------------------------------------------

_LITERALS = re.compile(r'"[^"]*"|\\.')


def strip_format_literals(code: str) -> str:
    """A number format without its quoted text and escaped characters ("%" shown as text)."""
    return _LITERALS.sub("", code)


def percent_text(number: str) -> str:
    """A percent-formatted number as the user sees it: 0.125 -> "12.5%"."""
    try:
        value = Decimal(repr(float(number))).scaleb(2)
    except (ValueError, InvalidOperation):
        return number
    return format(value.normalize(), "f") + "%"

"""From the sheets of a book to a ``Table``: the sheet, its header row, and its data rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain, islice
from typing import Final

from readers._base import (
    FieldSpec,
    RawCell,
    RawRow,
    SheetFacts,
    Table,
    cell_name,
    column_letter,
    normalise_header,
)
from readers._formats import Book, RowTriple, SheetRows
from readers.errors import Detail, FileRejected, RuleCode
from readers.memory import gc_paused

HEADER_SEARCH_ROWS: Final = 30


def read_rows(book: Book, filename: str, fields: tuple[FieldSpec, ...], max_rows: int) -> Table:
    """The first sheet (in the book's order of preference) with a header row, as a Table."""
    aliases = {normalise_header(alias): spec.name for spec in fields for alias in spec.aliases}
    required = [spec.name for spec in fields if spec.required]
    first_uncached: tuple[str | None, tuple[int, int] | None] | None = None
    for open_sheet in book.candidates:
        sheet = open_sheet()
        rows = iter(sheet.rows)
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        found = _find_header(head, aliases, required, fields, sheet.name)
        if found is None:
            # Formulas without a cached value read as blank: if they hide the header, that is
            # the better message than "no header", unless another sheet has one.
            if first_uncached is None and sheet.facts.uncached:
                position = min(sheet.facts.uncached, key=lambda p: p or (0, 0))
                first_uncached = (sheet.name, position)
            continue
        index, columns = found
        header_row = head[index][0]
        _check_data_area(sheet, header_row, set(columns.values()))
        return Table(
            filename=filename,
            format=book.format,
            sheet=sheet.name,
            header_row=header_row + 1,
            columns={name: column_letter(col) for name, col in columns.items()},
            rows=_rows(sheet, columns, chain(head[index + 1 :], rows), max_rows),
            encoding=book.encoding,
        )
    if first_uncached is not None:
        raise _uncached_error(*first_uncached)
    raise _no_header(fields, book)


def _find_header(
    head: list[RowTriple],
    aliases: dict[str, str],
    required: list[str],
    fields: tuple[FieldSpec, ...],
    sheet: str | None,
) -> tuple[int, dict[str, int]] | None:
    """The index in ``head`` of the first row that names every required field, and the
    column of each field it names."""
    for index, (row, offset, values) in enumerate(head):
        found: dict[str, list[int]] = {}
        for position, value in enumerate(values):
            if isinstance(value, str) and value:
                name = aliases.get(normalise_header(value))
                if name is not None:
                    found.setdefault(name, []).append(offset + position)
        if not all(name in found for name in required):
            continue
        for spec in fields:
            columns = found.get(spec.name, [])
            if len(columns) > 1:
                raise _duplicate_header(spec, columns, values, offset, sheet, row + 1)
        return index, {name: columns[0] for name, columns in found.items()}
    return None


def _check_data_area(sheet: SheetRows, header_row: int, columns: set[int]) -> None:
    """Merged cells and uncalculated formulas in the field columns, from the header down:
    both would make the values read differ from the values the user sees."""
    for r0, c0, r1, c1 in sheet.facts.merged:
        if r1 > header_row and any(c0 <= col <= c1 for col in columns):
            raise _merged_error(sheet.name, r0, c0, r1, c1)
    for position in sorted(sheet.facts.uncached, key=lambda p: p or (-1, -1)):
        if position is None or (position[0] >= header_row and position[1] in columns):
            raise _uncached_error(sheet.name, position)


# --- the data rows ---------------------------------------------------------------------------

_CACHE_LIMIT: Final = 5_000


def _rows(
    sheet: SheetRows, columns: dict[str, int], rows: Iterator[RowTriple], max_rows: int
) -> list[RawRow]:
    """The rows below the header whose field cells are not all blank.

    One function, not a function per row or cell: this loop runs once per cell of the file
    (~720,000 times for a 180,000-row bulk file), where a call costs as much as the work.
    """
    field_cols = [(name, col, column_letter(col)) for name, col in columns.items()]
    if sheet.facts.overrides:
        rows = _with_overrides(rows, sheet.facts)
    out: list[RawRow] = []
    append = out.append
    # Cells are frozen, so equal ones can be shared: blank cells, and text that repeats
    # (region and element codes, notes). In a 180,000-row bulk file that saves the time and
    # memory of most of its ~720,000 cells.
    blanks = {name: _new_cell(None, letter) for name, _col, letter in field_cols}
    caches: dict[str, dict[str, RawCell]] = {name: {} for name in columns}
    with gc_paused():
        for row, offset, values in rows:
            cells: dict[str, RawCell] = {}
            blank = True
            size = len(values)
            for name, col, letter in field_cols:
                index = col - offset
                value = values[index] if 0 <= index < size else None
                if type(value) is str:
                    if not value:
                        cells[name] = blanks[name]
                        continue
                    blank = blank and value.isspace()
                    cache = caches[name]
                    cell = cache.get(value)
                    if cell is None:
                        cell = _new_cell(value, letter)
                        if len(cache) < _CACHE_LIMIT:
                            cache[value] = cell
                    cells[name] = cell
                    continue
                if value is None:
                    cells[name] = blanks[name]
                    continue
                if type(value) is float and value.is_integer():
                    value = int(value)  # a spreadsheet stores 110000 as 110000.0
                blank = False
                cells[name] = _new_cell(value, letter)
            if blank:
                continue
            if len(out) >= max_rows:
                raise _too_many_rows(sheet.name, row + 1, max_rows)
            append(_new_row(row + 1, cells))
    return out


def _with_overrides(rows: Iterator[RowTriple], facts: SheetFacts) -> Iterator[RowTriple]:
    """The rows with the values the scan found calamine gets wrong (error texts, percent
    cells as shown) put in place. Only sheets that have such cells pass through here."""
    by_row: dict[int, dict[int, object]] = {}
    for (row, col), value in facts.overrides.items():
        by_row.setdefault(row, {})[col] = value
    for row, offset, values in rows:
        changes = by_row.get(row)
        if changes is None:
            yield row, offset, values
            continue
        first = min(offset, *changes)
        last = max(offset + len(values), *(col + 1 for col in changes))
        widened: list[object] = [None] * (last - first)
        widened[offset - first : offset - first + len(values)] = values
        for col, value in changes.items():
            widened[col - first] = value
        yield row, first, widened


def _new_cell(value: object, column: str) -> RawCell:
    return RawCell(value, column)


def _new_row(number: int, cells: dict[str, RawCell]) -> RawRow:
    return RawRow(number, cells)


# --- refusals with a place -------------------------------------------------------------------


def _no_header(fields: tuple[FieldSpec, ...], book: Book) -> FileRejected:
    sheets = book.sheet_names
    if book.format == "csv":
        where = Detail.IN_TEXT
    elif not sheets:
        where = Detail.NO_VISIBLE_SHEET
    elif len(sheets) == 1:
        where = Detail.IN_ONE_SHEET
    else:
        where = Detail.IN_ANY_SHEET
    return FileRejected(
        RuleCode.NO_HEADER,
        detail=where,
        params={
            "rows": HEADER_SEARCH_ROWS,
            "fields": [spec.aliases for spec in fields if spec.required],
        },
        sheet=sheets[0] if len(sheets) == 1 else None,
    )


def _duplicate_header(
    spec: FieldSpec,
    columns: list[int],
    values: Sequence[object],
    offset: int,
    sheet: str | None,
    row: int,
) -> FileRejected:
    return FileRejected(
        RuleCode.DUPLICATE_HEADER,
        params={
            "field": spec.aliases[0],
            "headers": [(column_letter(c), str(values[c - offset])) for c in columns],
        },
        sheet=sheet,
        row=row,
        column=column_letter(columns[1]),
    )


def _merged_error(sheet: str | None, r0: int, c0: int, r1: int, c1: int) -> FileRejected:
    return FileRejected(
        RuleCode.MERGED_CELLS,
        params={"cells": f"{cell_name(r0, c0)}:{cell_name(r1, c1)}"},
        sheet=sheet,
        row=r0 + 1,
        column=column_letter(c0),
    )


def _uncached_error(sheet: str | None, position: tuple[int, int] | None) -> FileRejected:
    row, column = (position[0] + 1, column_letter(position[1])) if position else (None, None)
    return FileRejected(RuleCode.FORMULA_NO_CACHED_VALUE, sheet=sheet, row=row, column=column)


def _too_many_rows(sheet: str | None, row: int, max_rows: int) -> FileRejected:
    return FileRejected(
        RuleCode.TOO_MANY_ROWS, params={"max_rows": max_rows}, sheet=sheet, row=row
    )

"""Uploaded file bytes -> a table of raw cells with their positions, or a clear refusal.

``read_table(data, filename, fields=...)`` is the one entry point of uploads (templates and
bulk files); ``read_template_meta(data)`` reads the hidden "_meta" sheet of a platform template.
No database, no Django models: bytes in, ``Table`` or ``FileRejected`` out.

Layers, from the bytes up:

* ``_detect``: what the file is, from its magic bytes (zip, OLE, text), never from its name;
  known non-spreadsheets (programs, PDF, images, archives, HTML saved as .xls) are named in
  the refusal. The text of a CSV is decoded BOM first (UTF-8, UTF-16 "Unicode text"), then
  strict UTF-8, then GB18030 (which covers GBK/GB2312).
* ``_container``: the safety checks of zip and OLE containers before any library parses them
  (zip bombs by declared sizes *and* by bounded inflation, DTD/entity declarations, macros,
  encryption, sheet extents), and the facts calamine does not report (formulas without a
  cached value, error cells, percent-formatted cells, ODS merged ranges).
* ``_formats``: django-import-export's CSV/XLSX/XLS/ODS format classes, subclassed. The library
  is the dispatch layer and its ``create_dataset`` keeps working; what it lacks for uploads
  (visible-sheet choice, cell positions, a fast xlsx reader, encodings, the checks above) is
  added there. See that module's docstring for the split.
* here: header detection and the rows of the table.

Decisions (the contract the services rely on):

* The sheet: "填报数据" if it exists and is visible, else the first visible sheet with a header
  row. Hidden and very hidden sheets are never read.
* The header row: the first of the first 30 rows (records, in a CSV) that names every required
  field. Headers compare after NFKC, case folding, removing white space and a ``*`` marker, and
  cutting at the first bracket (``本年数值（2017年）`` is ``本年数值``); see
  ``normalise_header``. Two columns naming the same field are DUPLICATE_HEADER.
* Cells: ``RawCell.value`` is what the cell holds: ``str``; a number as ``int`` when it is
  whole (a spreadsheet stores 110000 as 110000.0) else ``float``; ``bool``; ``date``/``datetime``
  for date-formatted cells; ``None`` for blank. Formula cells give their cached value. Error
  cells give their error text (``"#DIV/0!"``). Percent-formatted numbers give the text the user
  sees (``"12.5%"``), so the value parser can apply the unit rule instead of reading 0.125.
* Rows whose field cells are all blank (or white space) are skipped; other columns are not
  read.
* A CSV is tried comma-separated, then tab-separated (tab first for UTF-16), and the first
  delimiter that yields a header wins.
* Every library error is wrapped as FILE_CORRUPT (and logged); nothing else escapes.

Rule codes of FileRejected: FILE_EMPTY, FILE_TOO_LARGE, FILE_NOT_SPREADSHEET, FILE_CORRUPT,
FILE_ENCRYPTED, FILE_MACROS, FILE_ZIP_BOMB, FILE_XML_ENTITIES, FILE_NUL_BYTES, FILE_ENCODING,
NO_HEADER, DUPLICATE_HEADER, MERGED_CELLS, FORMULA_NO_CACHED_VALUE, TOO_MANY_ROWS,
SHEET_TOO_LARGE.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from itertools import chain, islice
from typing import Final

from common.memory import gc_paused
from submissions.readers import _container, _detect, _formats
from submissions.readers._base import (
    BULK_FIELDS,
    TEMPLATE_FIELDS,
    FieldSpec,
    FileRejected,
    RawCell,
    RawRow,
    Table,
    cell_name,
    column_letter,
    normalise_header,
    place_en,
    place_zh,
)

__all__ = [
    "BULK_FIELDS",
    "TEMPLATE_FIELDS",
    "FieldSpec",
    "FileRejected",
    "RawCell",
    "RawRow",
    "Table",
    "normalise_header",
    "read_table",
    "read_template_meta",
]

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS: Final = 30
META_SHEET: Final = "_meta"
DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
DEFAULT_MAX_ROWS: Final = 250_000
DEFAULT_MAX_UNCOMPRESSED_BYTES: Final = 200 * 1024 * 1024


def read_table(
    data: bytes,
    filename: str,
    *,
    fields: tuple[FieldSpec, ...],
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
) -> Table:
    """Read an uploaded .xlsx/.xls/.ods/.csv. Raises ``FileRejected`` and nothing else."""
    if not data:
        raise _formats.empty_file()
    if len(data) > max_bytes:
        size, limit = f"{len(data) / 2**20:.3g} MB", f"{max_bytes / 2**20:.3g} MB"
        raise FileRejected(
            "FILE_TOO_LARGE",
            f"文件过大（{size}），上限为 {limit}；请删除无关的工作表、图片或多余行后重新上传",
            f"The file is too large ({size}; the limit is {limit}); remove unrelated sheets, "
            "pictures or extra rows and upload it again",
        )
    try:
        book = _formats.open_book(
            bytes(data), filename, max_uncompressed_bytes=max_uncompressed_bytes
        )
        return _read(book, filename, fields, max_rows)
    except (FileRejected, MemoryError):
        raise
    except Exception:
        # A library failed on a file our checks let through: the file is the likely cause,
        # but keep the traceback for the log in case the cause is here.
        logger.warning("unexpected error reading upload %r", filename, exc_info=True)
        raise _container.corrupt() from None


def _read(
    book: _formats.Book, filename: str, fields: tuple[FieldSpec, ...], max_rows: int
) -> Table:
    aliases = {normalise_header(alias): spec.name for spec in fields for alias in spec.aliases}
    required = [spec.name for spec in fields if spec.required]
    first_uncached: tuple[str | None, tuple[int, int] | None] | None = None
    for open_sheet in book.candidates:
        sheet = open_sheet()
        rows = iter(sheet.rows)
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        found = _find_header(head, aliases, required, fields, sheet.name)
        if found is None:
            if first_uncached is None and sheet.facts.uncached:
                position = min(sheet.facts.uncached, key=lambda p: p or (0, 0))
                first_uncached = (sheet.name, position)
            continue
        index, columns = found
        header_row = head[index][0]
        return _table(
            book, filename, sheet, header_row, columns, chain(head[index + 1 :], rows), max_rows
        )
    if first_uncached is not None:
        raise _uncached_error(*first_uncached)
    raise _no_header(fields, book)


_CACHE_LIMIT: Final = 5_000


def _new_cell(value: object, column: str) -> RawCell:
    return RawCell(value, column)


def _new_row(number: int, cells: dict[str, RawCell]) -> RawRow:
    return RawRow(number, cells)


def _find_header(
    head: list[_formats.RowTriple],
    aliases: dict[str, str],
    required: list[str],
    fields: tuple[FieldSpec, ...],
    sheet: str | None,
) -> tuple[int, dict[str, int]] | None:
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


def _table(
    book: _formats.Book,
    filename: str,
    sheet: _formats.SheetRows,
    header_row: int,
    columns: dict[str, int],
    rows: Iterator[_formats.RowTriple],
    max_rows: int,
) -> Table:
    field_cols = [(name, col, column_letter(col)) for name, col in columns.items()]
    col_set = set(columns.values())
    for r0, c0, r1, c1 in sheet.facts.merged:
        if r1 > header_row and any(c0 <= col <= c1 for col in col_set):
            raise _merged_error(sheet.name, r0, c0, r1, c1)
    for position in sorted(sheet.facts.uncached, key=lambda p: p or (-1, -1)):
        if position is None or (position[0] >= header_row and position[1] in col_set):
            raise _uncached_error(sheet.name, position)
    overrides = sheet.facts.overrides
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
                if overrides:
                    value = overrides.get((row, col), value)
                if type(value) is str:
                    if not value:
                        cells[name] = blanks[name]
                        continue
                    if blank and not value.isspace():
                        blank = False
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
    return Table(
        filename=filename,
        format=book.format,
        sheet=sheet.name,
        header_row=header_row + 1,
        columns={name: letter for name, _col, letter in field_cols},
        rows=out,
        encoding=book.encoding,
    )


# --- refusals with a place -------------------------------------------------------------------


def _field_label(spec: FieldSpec) -> tuple[str, str]:
    names = "、".join(spec.aliases)
    return (
        f"“{spec.aliases[0]}”列（可写作：{names}）",
        f'"{spec.aliases[0]}" ({", ".join(spec.aliases)})',
    )


def _no_header(fields: tuple[FieldSpec, ...], book: _formats.Book) -> FileRejected:
    labels = [_field_label(spec) for spec in fields if spec.required]
    sheets = book.sheet_names
    if book.format == "csv":
        where_zh, where_en = "文件", "the file"
    elif not sheets:
        where_zh, where_en = "文件（它没有可见的工作表）", "the file (it has no visible sheet)"
    elif len(sheets) == 1:
        where_zh, where_en = f"工作表“{sheets[0]}”", f'sheet "{sheets[0]}"'
    else:
        where_zh, where_en = "各个可见工作表", "any visible sheet"
    return FileRejected(
        "NO_HEADER",
        f"未找到表头：{where_zh}的前 {HEADER_SEARCH_ROWS} 行中没有一行同时包含"
        f"{'和'.join(zh for zh, _ in labels)}；请使用平台模板，或在数据上方加一行这样的表头后"
        "重新上传",
        f"No header row found: none of the first {HEADER_SEARCH_ROWS} rows of {where_en} names "
        f"all of the columns {' and '.join(en for _, en in labels)}; use the platform's template "
        "or add such a header row above the data and upload again",
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
    shown = [f"{column_letter(c)} 列“{values[c - offset]}”" for c in columns]
    shown_en = [f'column {column_letter(c)} "{values[c - offset]}"' for c in columns]
    return FileRejected(
        "DUPLICATE_HEADER",
        f"{place_zh(sheet, row)}的表头中有 {len(columns)} 列都表示“{spec.aliases[0]}”"
        f"（{'、'.join(shown)}）；请删除多余的列或修改其列名后重新上传",
        f"The header ({place_en(sheet, row)}) has {len(columns)} columns meaning "
        f'"{spec.aliases[0]}" ({", ".join(shown_en)}); delete or rename the extra ones and '
        "upload again",
        sheet=sheet,
        row=row,
        column=column_letter(columns[1]),
    )


def _merged_error(sheet: str | None, r0: int, c0: int, r1: int, c1: int) -> FileRejected:
    cells = f"{cell_name(r0, c0)}:{cell_name(r1, c1)}"
    return FileRejected(
        "MERGED_CELLS",
        f"{place_zh(sheet)}的数据区域中有合并单元格（{cells}），无法确定数值属于哪一行；"
        "请取消合并后重新上传",
        f"The data area {place_en(sheet)} has merged cells ({cells}), so it is not clear which "
        "row a value belongs to; unmerge them and upload again",
        sheet=sheet,
        row=r0 + 1,
        column=column_letter(c0),
    )


def _uncached_error(sheet: str | None, position: tuple[int, int] | None) -> FileRejected:
    row, column = (position[0] + 1, column_letter(position[1])) if position else (None, None)
    where_zh = place_zh(sheet, row, column) or "文件中"
    where_en = place_en(sheet, row, column) or "a cell of the file"
    return FileRejected(
        "FORMULA_NO_CACHED_VALUE",
        f"{where_zh}是公式但没有计算结果（文件可能由程序生成而未经 Excel 计算）；请在 Excel 中"
        "打开并保存后重新上传",
        f"{where_en[0].upper()}{where_en[1:]} holds a formula without a calculated result (the "
        "file was probably written by a program and never calculated); open it in Excel, save "
        "it and upload it again",
        sheet=sheet,
        row=row,
        column=column,
    )


def _too_many_rows(sheet: str | None, row: int, max_rows: int) -> FileRejected:
    return FileRejected(
        "TOO_MANY_ROWS",
        f"数据行数超过上限 {max_rows} 行（在{place_zh(sheet, row) or f'第 {row} 行'}处超出）；"
        "请拆分文件后分别上传",
        f"More than {max_rows} data rows (the limit was passed at {place_en(sheet, row)}); "
        "split the file and upload the parts",
        sheet=sheet,
        row=row,
    )


# --- the template's hidden _meta sheet ------------------------------------------------------


def read_template_meta(data: bytes) -> dict[str, str] | None:
    """The key/value pairs of the "_meta" sheet (hidden in the platform's templates) of an
    xlsx, or ``None`` when there is none or the file cannot be read safely. Never raises: it
    only feeds a warning. The sheet is read whatever its visibility (a user who unhides it
    does not change what it says)."""
    try:
        if _detect.sniff(data) != _detect.ZIP:
            return None
        container = _container.inspect_zip(
            bytes(data), max_uncompressed_bytes=DEFAULT_MAX_UNCOMPRESSED_BYTES, for_meta=True
        )
        if container.kind != "xlsx" or META_SHEET not in {s.name for s in container.sheets}:
            return None
        sheet = _formats.CalamineBook(bytes(data), container).open(META_SHEET)
        meta: dict[str, str] = {}
        for _row, _offset, values in islice(sheet.rows, 1000):
            if len(values) < 2:
                continue
            key, value = (_meta_text(v) for v in values[:2])
            if key:
                meta[key] = value
        return meta
    except FileRejected:
        return None
    except Exception:
        logger.warning("could not read the _meta sheet of a template", exc_info=True)
        return None


def _meta_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()

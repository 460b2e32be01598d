"""Uploaded file bytes -> a table of raw cells with their positions, or a clear refusal.

``read_table(data, filename, fields=...)`` is the one entry point of uploads (templates and
bulk files); ``read_template_meta(data)`` reads the hidden "_meta" sheet of a platform template.
No Django, no database, nothing of the platform's apps: bytes in, ``Table`` or
``FileRejected`` out. A refusal carries a stable ``RuleCode`` and the values of its message,
never the message: the application words it, in the user's language
(``submissions.reader_messages``).

Layers, from the bytes up:

* ``errors``: ``FileRejected``, ``RuleCode`` and ``Detail``.
* ``_detect``: what the file is, from its magic bytes (zip, OLE, text), never from its name;
  known non-spreadsheets (programs, PDF, images, archives, HTML saved as .xls) are named in
  the refusal. The text of a CSV is decoded BOM first (UTF-8, UTF-16 "Unicode text"), then
  strict UTF-8, then GB18030 (which covers GBK/GB2312).
* ``_container``: the safety checks of zip and OLE containers before any library parses them
  (zip bombs by declared sizes, DTD/entity declarations, macros, encryption), with
  ``_inflate`` (bounded inflation of every entry read), ``_xlsx`` and ``_ods`` (the parts of
  each kind, in order) and ``_sheet_scan`` (sheet extents, and the facts calamine does not
  report: formulas without a cached value, error cells, percent-formatted cells).
* ``_formats``: the format from the content, and each format's sheets as positioned rows:
  csv, python-calamine (xlsx, ods), xlrd (xls).
* ``_table``: header detection and the rows of the table.

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

The rule codes of FileRejected are the members of ``RuleCode``; ``Detail`` names the case where
one rule covers several (which container check failed, what a non-spreadsheet looks like).
"""

from __future__ import annotations

import logging
from itertools import islice
from typing import Final

from readers import _container, _detect, _formats
from readers._base import (
    BULK_FIELDS,
    TEMPLATE_FIELDS,
    FieldSpec,
    RawCell,
    RawRow,
    Table,
    normalise_header,
)
from readers._table import read_rows
from readers._xlsx import META_SHEET
from readers.errors import Detail, FileRejected, RuleCode

__all__ = [
    "BULK_FIELDS",
    "TEMPLATE_FIELDS",
    "Detail",
    "FieldSpec",
    "FileRejected",
    "RawCell",
    "RawRow",
    "RuleCode",
    "Table",
    "normalise_header",
    "read_table",
    "read_template_meta",
]

logger = logging.getLogger(__name__)

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
        raise FileRejected(RuleCode.FILE_EMPTY)
    if len(data) > max_bytes:
        raise FileRejected(
            RuleCode.FILE_TOO_LARGE,
            params={"size": _megabytes(len(data)), "limit": _megabytes(max_bytes)},
        )
    try:
        book = _formats.open_book(
            bytes(data), filename, max_uncompressed_bytes=max_uncompressed_bytes
        )
        return read_rows(book, filename, fields, max_rows)
    except (FileRejected, MemoryError):
        raise
    except Exception:
        # A library failed on a file our checks let through: the file is the likely cause,
        # but keep the traceback for the log in case the cause is here.
        logger.warning("unexpected error reading upload %r", filename, exc_info=True)
        raise FileRejected(RuleCode.FILE_CORRUPT) from None


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.3g} MB"


# --- the template's hidden _meta sheet ------------------------------------------------------


def read_template_meta(data: bytes) -> dict[str, str] | None:
    """The key/value pairs of the "_meta" sheet (hidden in the platform's templates) of an
    xlsx, or ``None`` when there is none or the file cannot be read safely. Never raises: it
    only feeds a warning. The sheet is read whatever its visibility (a user who unhides it
    does not change what it says)."""
    try:
        return _read_meta(data)
    except FileRejected:
        return None
    except Exception:
        logger.warning("could not read the _meta sheet of a template", exc_info=True)
        return None


def _read_meta(data: bytes) -> dict[str, str] | None:
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


def _meta_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()

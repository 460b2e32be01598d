"""django-import-export's formats, wrapped where they fall short for uploads.

What the library gives (``import_export.formats.base_formats``): one class per format with
``create_dataset(in_stream)`` returning a tablib ``Dataset`` built from the *first* sheet (hidden
or not) with its *first row* as headers; CSV decoded with one fixed encoding; XLSX through
openpyxl (about 10,000 rows/s); XLS through xlrd; ODS through odfpy, which builds the whole
document tree in memory.

What each subclass here adds: ``open_book(data, ...)``, which returns the sheets that may be read
(visible ones; the platform's "填报数据" first) as rows that keep their spreadsheet positions, with
the container facts (merged ranges, formulas without a cached value, error and percent cells)
that read_table needs, after the safety checks of ``_container``. XLSX and ODS values are read
with python-calamine (~120,000 rows/s, and no DOM); XLS stays on xlrd, the library's engine,
opened with formatting info (merged ranges, percent formats) and ragged rows (a stray cell at
IV65536 must not make 16 million empty cells). ``create_dataset`` is kept working on top of the
same path (first readable sheet, first row as headers), so the classes can still serve
django-import-export resources.
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
import tablib
from import_export.formats import base_formats

from submissions.readers import _container, _detect
from submissions.readers._base import FileRejected

logger = logging.getLogger(__name__)

TEMPLATE_SHEET: Final = "填报数据"

# (0-based row, 0-based column of values[0], values)
RowTriple = tuple[int, int, Sequence[object]]


@dataclass
class SheetRows:
    name: str | None
    rows: Iterator[RowTriple]
    facts: _container.SheetFacts = field(default_factory=_container.SheetFacts)


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


def _dataset(book: Book) -> tablib.Dataset:
    """The library's shape: the first readable sheet, its first row as headers."""
    dataset = tablib.Dataset()
    if not book.candidates:
        return dataset
    rows = [list(values) for _r, _c, values in book.candidates[0]().rows]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    if rows:
        dataset.headers = [str(v) if v is not None else "" for v in rows[0]]
        for values in rows[1:]:
            dataset.append(values)
    return dataset


# --- CSV -------------------------------------------------------------------------------------


class CSV(base_formats.CSV):
    """The library's CSV, reading bytes in whatever encoding Excel saved them in."""

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        if isinstance(in_stream, bytes):
            in_stream = _detect.decode_text(in_stream).text
        return super().create_dataset(in_stream, **kwargs)

    def open_book(self, data: bytes, **_limits: int) -> Book:
        decoded = _detect.decode_text(data)
        _detect.check_text(decoded)
        text = decoded.text
        if not text.strip(" \t\r\n\ufeff,;"):
            raise empty_file()
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
        line = reader.line_num
        raise FileRejected(
            "FILE_CORRUPT",
            f"第 {line} 行无法按 CSV 格式读取（可能是引号不配对或单元格过长）；请在 Excel 中打开并"
            "另存为 CSV 或 .xlsx 后重新上传",
            f"Line {line} cannot be read as CSV ({exc}); open the file in Excel, save it as CSV "
            "or .xlsx and upload it again",
            row=line,
        ) from None


def empty_file() -> FileRejected:
    return FileRejected(
        "FILE_EMPTY",
        "文件是空的，没有任何内容；请检查是否选错了文件",
        "The file is empty; check that you picked the right file",
    )


# --- XLSX and ODS through calamine -----------------------------------------------------------


class CalamineBook:
    def __init__(self, data: bytes, container: _container.Container) -> None:
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
            raise _container.encrypted_rejected() from None
        except Exception as exc:
            logger.info("calamine could not open a %s: %s", container.kind, exc)
            raise _container.corrupt() from None
        if [s.name for s in container.sheets] != list(calamine_names):
            raise _container.corrupt("工作表目录不一致", "inconsistent sheet directory")

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
            raise _container.corrupt() from None
        facts = replace(scanned, merged=[*scanned.merged])
        facts.merged.extend((r0, c0, r1, c1) for (r0, c0), (r1, c1) in merged)
        offset = start[1] if start else 0
        # calamine's iter_rows starts at row 0 but at the first used column.
        iterator = ((index, offset, values) for index, values in enumerate(sheet.iter_rows()))
        return SheetRows(name, iterator, facts)


def _check_area(name: str, facts: _container.SheetFacts | None) -> None:
    if facts is None:  # a sheet the container scan did not find: never hand it to calamine
        raise _container.corrupt("工作表目录不一致", "inconsistent sheet directory")
    rows, cols = facts.max_row + 1, facts.max_col + 1
    if rows * cols > _container.MAX_SHEET_CELLS:
        raise _container.sheet_too_large(name, rows, cols)


_DEFAULT_MAX_UNCOMPRESSED: Final = 200 * 1024 * 1024


class _ZipFormat:
    """What XLSX and ODS share: the zip checks, then calamine."""

    def create_dataset(self, in_stream: Any, **_kwargs: Any) -> tablib.Dataset:
        return _dataset(self.open_book(bytes(in_stream)))

    def open_book(
        self, data: bytes, *, max_uncompressed_bytes: int = _DEFAULT_MAX_UNCOMPRESSED
    ) -> Book:
        container = _container.inspect_zip(data, max_uncompressed_bytes=max_uncompressed_bytes)
        return self.open_container(data, container)

    def open_container(self, data: bytes, container: _container.Container) -> Book:
        # The container's own directory decides xlsx or ods, whichever class was asked.
        return CalamineBook(data, container).book()


class XLSX(_ZipFormat, base_formats.XLSX):
    """XLSX read with python-calamine instead of openpyxl, after the container checks."""


class ODS(_ZipFormat, base_formats.ODS):
    """ODS read with python-calamine instead of odfpy, after the container checks."""


# --- XLS through xlrd ------------------------------------------------------------------------


class XLS(base_formats.XLS):
    """The library's xlrd reading, with visibility, merged ranges and cell types kept."""

    def create_dataset(self, in_stream: Any) -> tablib.Dataset:  # type: ignore[override]
        return _dataset(self.open_book(bytes(in_stream)))

    def open_book(self, data: bytes, **_limits: int) -> Book:
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
                raise _container.encrypted_rejected() from None
            raise _container.corrupt() from None
        except Exception as exc:
            logger.info("xlrd could not open an xls: %s", exc)
            raise _container.corrupt() from None
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
        if fmt is not None and "%" in _container.strip_format_literals(fmt.format_str):
            indexes.add(index)
    return frozenset(indexes)


def _xls_sheet(workbook: Any, sheet: Any, percent: frozenset[int]) -> SheetRows:
    facts = _container.SheetFacts()
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
                    out.append(_container.percent_text(repr(value)))
                else:
                    out.append(value)
            elif kind == xlrd.XL_CELL_TEXT:
                out.append(value)
            elif kind == xlrd.XL_CELL_DATE:
                try:
                    out.append(xlrd.xldate.xldate_as_datetime(value, workbook.datemode))
                except Exception:
                    out.append(value)
            elif kind == xlrd.XL_CELL_BOOLEAN:
                out.append(bool(value))
            elif kind == xlrd.XL_CELL_ERROR:
                out.append(xlrd.error_text_from_code.get(value, "#ERROR!"))
            else:
                out.append(None)
        yield r, 0, out


# --- dispatch --------------------------------------------------------------------------------

# The dispatch table, by the format read_table reports.
FORMATS: Final = {"csv": CSV, "xlsx": XLSX, "xls": XLS, "ods": ODS}
_ZIP_FORMATS: Final[dict[str, type[_ZipFormat]]] = {"xlsx": XLSX, "ods": ODS}
_BINARY_EXTENSIONS: Final = (".xlsx", ".xlsm", ".xls", ".ods", ".et")


def open_book(data: bytes, filename: str, *, max_uncompressed_bytes: int) -> Book:
    """Choose the format from the content (magic bytes, then the container's own directory);
    the extension is only a hint: text that cannot be decoded, in a file named like a binary
    workbook, is "not a spreadsheet" rather than "a CSV in an unknown encoding"."""
    kind = _detect.sniff(data)
    if kind == _detect.ZIP:
        container = _container.inspect_zip(data, max_uncompressed_bytes=max_uncompressed_bytes)
        return _ZIP_FORMATS[container.kind]().open_container(data, container)
    if kind == _detect.OLE:
        return XLS().open_book(data)
    try:
        return CSV().open_book(data)
    except FileRejected as rejection:
        if rejection.rule_code == "FILE_ENCODING" and filename.lower().endswith(_BINARY_EXTENSIONS):
            raise _detect.not_spreadsheet() from None
        raise

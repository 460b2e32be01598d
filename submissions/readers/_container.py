"""Safety checks of zip (xlsx, ods) and OLE (xls) containers, before any library parses them.

python-calamine (Rust) and xlrd are trusted to parse well-formed files, not to defend against
hostile ones: calamine inflates zip entries without bounding them by their declared size, it
allocates a dense grid from the extreme cell positions (a 2-cell sheet at A1 and XFD1048576 is
17 billion cells), and XML parsers may expand entities. So, for a zip container:

1. Declared sizes from the central directory: total, per-entry ratio, number of entries,
   duplicate names, zip-level encryption.
2. What it is: xlsx (``[Content_Types].xml`` + ``xl/workbook.xml``) or ods (the ``mimetype``
   entry), refusing macros (``vbaProject.bin``, macro-enabled content types, ODF ``Basic/``
   and ``Scripts/``) and encryption (ODF ``encryption-data``).
3. Every XML part is inflated here, in chunks, from its raw deflate stream, with the output
   bounded by its declared size and by the total budget (declared sizes can lie, and Python's
   ``zipfile`` would merely stop at the declared size), its CRC checked, and its bytes scanned
   for ``<!DOCTYPE`` / ``<!ENTITY`` (in UTF-8 and UTF-16): no workbook needs a DTD.
4. Worksheet parts are scanned, streamed, for what calamine does not tell: the extent of the
   cells (to refuse a grid too large before calamine allocates it), formula cells without a
   cached value, error cells (calamine reads ``#DIV/0!`` as an empty string) and
   percent-formatted numbers (calamine reads 12.5% as 0.125). The scan uses byte regexes on
   the raw XML and not an XML parser, because an XML parser in Python reads ~1 million cells
   in a few seconds; the regexes err on the safe side (an over-count only makes a bound
   stricter). Sheets whose cells lack ``r`` positions get an exact second pass with defusedxml.
5. ODS ``content.xml`` is parsed with defusedxml (iterparse, streamed) for the same facts plus
   merged ranges, which calamine reports for xlsx/xls only.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Final
from xml.sax.saxutils import unescape

import defusedxml.ElementTree as SafeET

from submissions.readers._base import FileRejected, column_index
from submissions.readers._detect import not_spreadsheet

# A workbook has tens of parts; thousands is a crafted file.
MAX_ENTRIES: Final = 5_000
# Honest deflated XML compresses 5-30x (a 180,000-row openpyxl sheet: 10x); deflate cannot
# exceed ~1030x, which is what bombs use. Only entries above MIN_RATIO_SIZE are judged.
MAX_RATIO: Final = 250
MIN_RATIO_SIZE: Final = 16 * 1024 * 1024
# calamine holds a sheet as a dense grid of ~32-byte cells: 6 million cells is ~200 MB.
MAX_SHEET_CELLS: Final = 6_000_000

_IN_CHUNK: Final = 256 * 1024
_OUT_CHUNK: Final = 1024 * 1024
_XML_SUFFIXES: Final = (".xml", ".rels", ".vml")

_REL_NS_ID: Final = "id"
_PERCENT_BUILTIN_FORMATS: Final = frozenset({9, 10})


def corrupt(detail_zh: str = "", detail_en: str = "") -> FileRejected:
    extra_zh = f"（{detail_zh}）" if detail_zh else ""
    extra_en = f" ({detail_en})" if detail_en else ""
    return FileRejected(
        "FILE_CORRUPT",
        f"文件已损坏，无法读取{extra_zh}；请在 Excel 中打开确认，另存为 .xlsx 后重新上传",
        f"The file is damaged and cannot be read{extra_en}; open it in Excel to check, save it "
        "as .xlsx and upload it again",
    )


def _bomb(detail_zh: str, detail_en: str) -> FileRejected:
    return FileRejected(
        "FILE_ZIP_BOMB",
        f"文件解压后过大或结构异常（{detail_zh}），已拒绝；请上传正常保存的电子表格",
        f"The file expands to too much data or has an abnormal structure ({detail_en}) and was "
        "refused; upload a normally saved spreadsheet",
    )


def macros_rejected() -> FileRejected:
    return FileRejected(
        "FILE_MACROS",
        "文件含有宏（VBA 或宏表），出于安全原因不接受；请在 Excel 中另存为不含宏的 .xlsx"
        "（“Excel 工作簿”）后重新上传",
        "The file contains macros (VBA or macro sheets), which are not accepted for security "
        'reasons; save it in Excel as a macro-free .xlsx ("Excel Workbook") and upload it again',
    )


def encrypted_rejected() -> FileRejected:
    return FileRejected(
        "FILE_ENCRYPTED",
        "文件设置了打开密码（已加密），无法读取；请在 Excel 中取消密码保护后重新上传",
        "The file is password-protected (encrypted) and cannot be read; remove the password in "
        "Excel and upload it again",
    )


def entities_rejected(part: str) -> FileRejected:
    return FileRejected(
        "FILE_XML_ENTITIES",
        f"文件内部的 XML（{part}）含有 DOCTYPE/ENTITY 声明，正常的电子表格不会有，出于安全原因"
        "已拒绝；请在 Excel 中打开并另存为 .xlsx 后重新上传",
        f"An XML part of the file ({part}) declares a DOCTYPE/ENTITY, which normal spreadsheets "
        "never do, and was refused for safety; open it in Excel, save it as .xlsx and upload it "
        "again",
    )


def sheet_too_large(sheet: str, rows: int, cols: int) -> FileRejected:
    return FileRejected(
        "SHEET_TOO_LARGE",
        f"工作表“{sheet}”的使用范围过大（约 {rows} 行 × {cols} 列）；请删除数据区域以外的多余"
        "单元格（或把数据复制到新工作表）后重新上传",
        f'The used range of sheet "{sheet}" is too large (about {rows} rows x {cols} columns); '
        "delete stray cells outside the data (or copy the data to a new sheet) and upload again",
        sheet=sheet,
    )


# --- facts gathered about one sheet ----------------------------------------------------------


@dataclass
class SheetFacts:
    """What the container scan learned about one sheet. Positions are 0-based (row, col)."""

    max_row: int = -1
    max_col: int = -1
    uncached: list[tuple[int, int] | None] = field(default_factory=list)
    # Values to show instead of what calamine reads: error texts, percent cells as "12.5%".
    overrides: dict[tuple[int, int], object] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1


# --- bounded inflation of one entry ----------------------------------------------------------


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit


_DOCTYPE_PATTERNS: Final = tuple(
    word.encode(encoding)
    for word in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_OVERLAP: Final = max(len(p) for p in _DOCTYPE_PATTERNS)


def _entry_chunks(data: bytes, info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """Inflate one entry from its raw stream, bounded, CRC-checked; yield output chunks."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise corrupt("压缩包条目头损坏", "bad zip entry header")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise corrupt("压缩包被截断", "the zip archive is truncated")
    declared = info.file_size
    view = memoryview(data)
    produced = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != declared:
            raise corrupt("压缩包条目大小不一致", "inconsistent entry sizes")
        if declared > budget.left:
            raise _bomb("解压数据超过上限", "uncompressed data above the limit")
        budget.left -= declared
        for pos in range(start, end, _OUT_CHUNK):
            chunk = bytes(view[pos : min(pos + _OUT_CHUNK, end)])
            crc = zlib.crc32(chunk, crc)
            yield chunk
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        pos = start
        pending = b""
        while True:
            if pending:
                source: bytes | memoryview = pending
            elif pos < end:
                source = view[pos : min(pos + _IN_CHUNK, end)]
                pos += len(source)
            else:
                break
            try:
                chunk = inflater.decompress(source, _OUT_CHUNK)
            except zlib.error:
                raise corrupt("压缩数据损坏", "bad deflate data") from None
            pending = inflater.unconsumed_tail
            if chunk:
                produced += len(chunk)
                if produced > declared:
                    # The entry inflates past what the directory declares: a lying bomb.
                    raise _bomb("压缩条目的实际大小超过声明", "an entry inflates past its size")
                if len(chunk) > budget.left:
                    raise _bomb("解压数据超过上限", "uncompressed data above the limit")
                budget.left -= len(chunk)
                crc = zlib.crc32(chunk, crc)
                yield chunk
            if inflater.eof:
                break
        if produced != declared or not inflater.eof:
            raise corrupt("压缩条目不完整", "an entry is incomplete")
    else:
        method = info.compress_type
        raise corrupt(f"不支持的压缩方式 {method}", f"unsupported compression {method}")
    if crc != info.CRC:
        raise corrupt("校验和不符", "bad CRC")


def _checked_chunks(data: bytes, info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """Entry chunks, refusing any DOCTYPE/ENTITY declaration (across chunk boundaries too)."""
    tail = b""
    for chunk in _entry_chunks(data, info, budget):
        if _declares_dtd(chunk) or _declares_dtd(tail + chunk[:_OVERLAP]):
            raise entities_rejected(info.filename)
        tail = chunk[-_OVERLAP:]
        yield chunk


def _declares_dtd(window: bytes) -> bool:
    # Cheap pre-check: every pattern starts with "<" then "!", in UTF-8 or UTF-16.
    return (b"<!" in window or b"<\x00!" in window) and any(p in window for p in _DOCTYPE_PATTERNS)


def read_part(data: bytes, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    return b"".join(_checked_chunks(data, info, budget))


class _ChunkStream(io.RawIOBase):
    """A file object over an entry's checked chunks, for iterparse."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = memoryview(b"")
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._position >= len(self._buffer):
            try:
                self._buffer = memoryview(next(self._chunks))
            except StopIteration:
                return 0
            self._position = 0
        # Through a memoryview: slicing the chunk itself would copy its rest on every read.
        size = min(len(target), len(self._buffer) - self._position)
        target[:size] = self._buffer[self._position : self._position + size]
        self._position += size
        return size


# --- the zip container -----------------------------------------------------------------------


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


def inspect_zip(data: bytes, *, max_uncompressed_bytes: int, for_meta: bool = False) -> Container:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise corrupt("不是完整的 zip 压缩包", "not a complete zip archive") from None
    if len(infos) > MAX_ENTRIES:
        raise _bomb(f"包含 {len(infos)} 个条目", f"{len(infos)} entries")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise corrupt("压缩包中有重名条目", "duplicate entry names")
    if any(info.flag_bits & 0x1 for info in infos):
        raise encrypted_rejected()
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed_bytes:
        raise _bomb(
            f"解压后约 {total // (1024 * 1024)} MB", f"about {total // (1024 * 1024)} MB inflated"
        )
    for info in infos:
        if info.file_size > MIN_RATIO_SIZE and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise _bomb("压缩比异常", "abnormal compression ratio")
    by_name = {info.filename: info for info in infos}
    budget = _Budget(max_uncompressed_bytes)
    if "mimetype" in by_name:
        return _inspect_ods(data, by_name, budget)
    if "[Content_Types].xml" in by_name:
        return _inspect_xlsx(data, by_name, budget, for_meta=for_meta)
    lowered = " ".join(names).lower()
    if "word/" in lowered:
        raise not_spreadsheet("Word 文档", "a Word document")
    if "ppt/" in lowered:
        raise not_spreadsheet("PowerPoint 演示文稿", "a PowerPoint presentation")
    raise not_spreadsheet("普通压缩包", "an ordinary zip archive")


def _scan_other_xml(
    data: bytes, by_name: dict[str, zipfile.ZipInfo], budget: _Budget, skip: set[str]
) -> None:
    """Every XML part not otherwise read: bounded inflation and the DTD check."""
    for name, info in by_name.items():
        if name in skip or not name.lower().endswith(_XML_SUFFIXES):
            continue
        for _chunk in _checked_chunks(data, info, budget):
            pass


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element: SafeET.Element, local_name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == local_name:
            return value
    return None


def _parse_xml(raw: bytes, part: str) -> SafeET.Element:
    try:
        return SafeET.fromstring(raw)
    except Exception:  # defusedxml's DTD errors are caught by the scan first; this is syntax
        raise corrupt(f"{part} 格式错误", f"{part} is malformed") from None


# --- xlsx ------------------------------------------------------------------------------------

_MACRO_MARKERS: Final = (b"macroenabled", b"vbaproject", b"macrosheet")


def _inspect_xlsx(
    data: bytes, by_name: dict[str, zipfile.ZipInfo], budget: _Budget, *, for_meta: bool
) -> Container:
    lowered = {name.lower() for name in by_name}
    if any(name.endswith("vbaproject.bin") or "/macrosheets/" in name for name in lowered):
        raise macros_rejected()
    types = read_part(data, by_name["[Content_Types].xml"], budget).lower()
    if any(marker in types for marker in _MACRO_MARKERS):
        raise macros_rejected()
    workbook_path = _workbook_path(data, by_name, budget)
    if workbook_path is None or workbook_path not in by_name:
        if "word/document.xml" in by_name:
            raise not_spreadsheet("Word 文档", "a Word document")
        raise not_spreadsheet()
    read = {"[Content_Types].xml", "_rels/.rels", workbook_path}
    workbook = _parse_xml(read_part(data, by_name[workbook_path], budget), workbook_path)
    rels_path = posixpath.join(
        posixpath.dirname(workbook_path), "_rels", posixpath.basename(workbook_path) + ".rels"
    )
    targets: dict[str, str] = {}
    worksheets: set[str] = set()
    if rels_path in by_name:
        read.add(rels_path)
        rels = _parse_xml(read_part(data, by_name[rels_path], budget), rels_path)
        for rel in rels:
            rel_id, target = rel.get("Id"), rel.get("Target")
            if rel_id and target:
                targets[rel_id] = _resolve(posixpath.dirname(workbook_path), target)
                if (rel.get("Type") or "").endswith("/worksheet"):
                    worksheets.add(rel_id)
    percent_styles: frozenset[int] = frozenset()
    styles_path = next(
        (t for t in targets.values() if t.lower().endswith("styles.xml") and t in by_name), None
    )
    if styles_path is not None and not for_meta:
        read.add(styles_path)
        percent_styles = _percent_styles(read_part(data, by_name[styles_path], budget))
    sheets: list[SheetPart] = []
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        name = element.get("name") or ""
        rel_id = _attr(element, _REL_NS_ID) or ""
        state = (element.get("state") or "visible").lower()
        sheets.append(
            SheetPart(name, targets.get(rel_id), state == "visible", rel_id in worksheets)
        )
    facts: dict[str, SheetFacts] = {}
    by_path: dict[str, SheetFacts] = {}
    for sheet in sheets:
        if not sheet.worksheet or sheet.path is None or sheet.path not in by_name:
            continue  # nothing calamine will read as a grid; a missing part fails there
        if sheet.path not in by_path:
            read.add(sheet.path)
            wanted = sheet.name == "_meta" if for_meta else sheet.visible
            by_path[sheet.path] = scan_sheet_xml(
                partial(_checked_chunks, data, by_name[sheet.path], budget),
                percent_styles,
                detail=wanted,
            )
        facts[sheet.name] = by_path[sheet.path]
    _scan_other_xml(data, by_name, budget, read)
    return Container("xlsx", sheets, facts)


def _workbook_path(data: bytes, by_name: dict[str, zipfile.ZipInfo], budget: _Budget) -> str | None:
    if "_rels/.rels" in by_name:
        rels = _parse_xml(read_part(data, by_name["_rels/.rels"], budget), "_rels/.rels")
        for rel in rels:
            if (rel.get("Type") or "").endswith("/officeDocument") and rel.get("Target"):
                return _resolve("", rel.get("Target") or "")
    return "xl/workbook.xml" if "xl/workbook.xml" in by_name else None


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, target))


def _percent_styles(raw: bytes) -> frozenset[int]:
    """Indexes of cell formats (the ``s`` of a cell) that show numbers as percentages."""
    root = _parse_xml(raw, "styles.xml")
    percent_formats = set(_PERCENT_BUILTIN_FORMATS)
    for element in root.iter():
        if _local(element.tag) == "numFmt":
            code = strip_format_literals(element.get("formatCode") or "")
            if "%" in code:
                try:
                    percent_formats.add(int(element.get("numFmtId") or ""))
                except ValueError:
                    continue
    result = set()
    for element in root.iter():
        if _local(element.tag) == "cellXfs":
            for index, xf in enumerate(x for x in element if _local(x.tag) == "xf"):
                try:
                    if int(xf.get("numFmtId") or "0") in percent_formats:
                        result.add(index)
                except ValueError:
                    continue
    return frozenset(result)


_LITERALS = re.compile(r'"[^"]*"|\\.')


def strip_format_literals(code: str) -> str:
    """A number format without its quoted text and escaped characters ("%" shown as text)."""
    return _LITERALS.sub("", code)


# The scan of a worksheet part. Prefixes (<x:c>) are allowed wherever a tag is matched.
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet\b")


class _SheetPatterns:
    """Byte patterns for one worksheet part, with its namespace prefix (``<x:c>``) if any.

    The position patterns are literal-prefixed (``<c r="``) so that the regex engine can skip
    through the text fast. They match the form every writer produces (``r`` first, double
    quotes); a tag count of ``<c``/``<row`` that exceeds the matches means some position is
    written otherwise or absent, and the exact pass takes over.
    """

    def __init__(self, prefix: bytes) -> None:
        p = prefix + b":" if prefix else b""
        self.cell_tag = b"<" + p + b"c"
        self.close_cell = b"</" + p + b"c>"
        self.close_row = b"</" + p + b"row>"
        q = re.escape(p)
        self.cell_ref = b"<" + p + b'c r="'
        # Tags that start like a cell's but are not (<col>, <cfRule>, ...): rare, outside
        # the cell data, subtracted from the count of "<c".
        self.other_c_tags = re.compile(rb"<" + q + rb"c[\w.:-]")
        self.cell_letters = re.compile(rb"<" + q + rb'c r="([A-Za-z]+)[0-9]')
        self.cell_digits = re.compile(rb"<" + q + rb'c r="[A-Za-z]+([0-9]+)"')
        self.formula = re.compile(rb"<" + q + rb"f[\s/>]")
        self.cell = re.compile(rb"<" + q + rb"c\b([^>]*?)(?:/>|>(.*?)</" + q + rb"c>)", re.DOTALL)
        self.value = re.compile(
            rb"<" + q + rb"v(?:\s[^>]*)?(?:/>|>(.*?)</" + q + rb"v>)", re.DOTALL
        )
        # Error cells as writers write them; one written otherwise is read as blank by
        # calamine, which is a missed message, not a safety problem.
        self.type_error = re.compile(rb"""t=["']e["']""")
        self._wider: dict[int, re.Pattern[bytes] | None] = {}

    def wider_than(self, max_col: int) -> re.Pattern[bytes] | None:
        """A search for cells right of column ``max_col`` (0-based), or None when the letters
        must be collected anyway (nothing seen yet, or beyond column Z)."""
        if max_col not in self._wider:
            pattern = None
            start = re.escape(self.cell_ref)
            if 0 <= max_col < 25:
                first = chr(ord("A") + max_col + 1).encode()
                pattern = re.compile(start + rb"(?:[" + first + rb"-Z]|[A-Za-z]{2}|[a-z])")
            elif max_col == 25:
                pattern = re.compile(start + rb"(?:[A-Za-z]{2}|[a-z])")
            self._wider[max_col] = pattern
        return self._wider[max_col]


_ATTR_T = re.compile(rb"""\bt\s*=\s*["']([^"']*)["']""")
_ATTR_S = re.compile(rb"""\bs\s*=\s*["']([0-9]+)["']""")
_ATTR_R = re.compile(rb"""\br\s*=\s*["']([A-Za-z]+)([0-9]+)["']""")


ChunkFactory = Callable[[], Iterator[bytes]]


def scan_sheet_xml(
    chunks: ChunkFactory, percent_styles: frozenset[int], *, detail: bool
) -> SheetFacts:
    """Stream a worksheet part: the cell extent always; uncached formulas, error cells and
    percent cells if ``detail``. ``chunks`` gives a fresh iterator (a rare second pass needs it).

    The part is cut into pieces after a ``</c>`` or ``</row>`` so that no cell is split: those
    close tags cannot occur inside attribute values, and text content escapes ``<``.
    """
    facts = SheetFacts()
    patterns: _SheetPatterns | None = None
    carry = b""
    implicit = False
    style_pattern = None
    if percent_styles and detail:
        alternatives = b"|".join(str(s).encode() for s in sorted(percent_styles))
        style_pattern = re.compile(rb""" s=["'](?:""" + alternatives + rb""")["']""")
    for chunk in chunks():
        buf = carry + chunk
        if patterns is None:
            root = _ROOT.search(buf)
            if root is None:
                if len(buf) > 1024 * 1024:
                    raise corrupt("工作表格式错误", "malformed worksheet")
                carry = buf
                continue
            patterns = _SheetPatterns(root.group(1) or b"")
        cut = max(buf.rfind(patterns.close_cell), buf.rfind(patterns.close_row))
        if cut >= 0:
            cut = buf.index(b">", cut) + 1
        elif len(buf) > 4 * 1024 * 1024 and (cut := buf.rfind(b">")) >= 0:
            cut += 1  # no cell closes in 4 MB: only tags to count, cut after any tag
        else:
            carry = buf
            continue
        piece, carry = buf[:cut], buf[cut:]
        implicit |= _extent(piece, patterns, facts)
        if detail:
            _details(piece, patterns, facts, style_pattern, percent_styles)
    if patterns is None:
        if carry.strip():
            raise corrupt("工作表格式错误", "malformed worksheet")
        return facts
    if carry:
        implicit |= _extent(carry, patterns, facts)
        if detail:
            _details(carry, patterns, facts, style_pattern, percent_styles)
    if implicit:
        _exact_extent(chunks, facts)
    return facts


def _extent(piece: bytes, patterns: _SheetPatterns, facts: SheetFacts) -> bool:
    """Update the max row/col from the cells' positions. calamine places a cell by its own
    ``r``, whatever its row says, so only cells count. Returns True if some cell has no ``r``
    in the usual form, for the exact pass.

    This runs over every byte of every sheet, hence the shape: one ``count`` and three regex
    scans per piece, and no Python-level work per cell (the row digits go through a set, as a
    row's cells share them)."""
    tags = piece.count(patterns.cell_tag) - len(patterns.other_c_tags.findall(piece))
    digits = patterns.cell_digits.findall(piece)
    if not digits:
        return tags > 0
    facts.max_row = max(facts.max_row, max(map(int, set(digits))) - 1)
    wider = patterns.wider_than(facts.max_col)
    if wider is None or wider.search(piece):
        letters = set(patterns.cell_letters.findall(piece))
        facts.max_col = max(facts.max_col, max(column_index(x.decode()) for x in letters))
    return tags > len(digits)


def _exact_extent(chunks: ChunkFactory, facts: SheetFacts) -> None:
    """Rows or cells without ``r``: follow positions the way the format defines them (the
    next row, the next column) with an XML parser. Rare (a few streaming writers), so it may be
    slower than the regex pass."""
    row = -1
    col = -1
    stream = io.BufferedReader(_ChunkStream(chunks()), _IN_CHUNK)
    try:
        for event, element in SafeET.iterparse(stream, events=("start", "end")):
            tag = _local(element.tag)
            if event == "start" and tag == "row":
                ref = element.get("r")
                row = int(ref) - 1 if ref and ref.isdigit() else row + 1
                col = -1
                facts.max_row = max(facts.max_row, row)
            elif event == "start" and tag == "c":
                match = _REF.fullmatch(element.get("r") or "")
                col = column_index(match.group(1)) if match else col + 1
                facts.max_col = max(facts.max_col, col)
                if match:
                    facts.max_row = max(facts.max_row, int(match.group(2)) - 1)
            elif event == "end" and tag == "row":
                element.clear()
    except FileRejected:
        raise
    except Exception:
        raise corrupt("工作表格式错误", "malformed worksheet") from None


_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")


def _details(
    piece: bytes,
    patterns: _SheetPatterns,
    facts: SheetFacts,
    style_pattern: re.Pattern[bytes] | None,
    percent_styles: frozenset[int],
) -> None:
    """Formula, error and percent cells of a piece. Work is per hit, not per cell: a data sheet
    with none of them costs three regex searches per megabyte."""
    hits = [m.start() for m in patterns.formula.finditer(piece)]
    hits += [m.start() for m in patterns.type_error.finditer(piece)]
    if style_pattern is not None:
        hits += [m.start() for m in style_pattern.finditer(piece)]
    if not hits:
        return
    hits.sort()
    done_until = -1
    for hit in hits:
        if hit < done_until:
            continue
        start = _cell_start(piece, hit, patterns.cell_tag)
        cell = patterns.cell.match(piece, start) if start >= 0 else None
        if cell is None or cell.end() <= hit:
            continue  # the hit is not inside a cell (e.g. a row's own s="...")
        done_until = cell.end()
        _one_cell(cell.group(1), cell.group(2) or b"", patterns, facts, percent_styles)


def _cell_start(piece: bytes, before: int, tag: bytes) -> int:
    position = before
    while (position := piece.rfind(tag, 0, position)) >= 0:
        if piece[position + len(tag) : position + len(tag) + 1] in (
            b" ",
            b">",
            b"/",
            b"\t",
            b"\n",
            b"\r",
        ):
            return position
    return -1


def _one_cell(
    attrs: bytes,
    body: bytes,
    patterns: _SheetPatterns,
    facts: SheetFacts,
    percent_styles: frozenset[int],
) -> None:
    type_match = _ATTR_T.search(attrs)
    cell_type = type_match.group(1) if type_match else b"n"
    ref = _ATTR_R.search(attrs)
    position = (int(ref.group(2)) - 1, column_index(ref.group(1).decode())) if ref else None
    value_match = patterns.value.search(body)
    value = value_match.group(1) if value_match and value_match.group(1) else b""
    # An empty <v/> after a formula is a cached empty string only when the type says string.
    if patterns.formula.search(body) and (
        value_match is None or (not value and cell_type != b"str")
    ):
        facts.uncached.append(position)
        return
    if position is None:
        return
    if cell_type == b"e" and value:
        facts.overrides[position] = unescape(value.decode("utf-8", "replace"))
    elif cell_type == b"n" and value and percent_styles:
        style = _ATTR_S.search(attrs)
        if style is not None and int(style.group(1)) in percent_styles:
            facts.overrides[position] = percent_text(value.decode("ascii", "replace"))


def percent_text(number: str) -> str:
    """A percent-formatted number as the user sees it: 0.125 -> "12.5%"."""
    try:
        value = Decimal(repr(float(number))).scaleb(2)
    except (ValueError, InvalidOperation):
        return number
    return format(value.normalize(), "f") + "%"


# --- ods -------------------------------------------------------------------------------------

_ODS_MIMETYPES: Final = (
    b"application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.spreadsheet-template",
)


def _inspect_ods(data: bytes, by_name: dict[str, zipfile.ZipInfo], budget: _Budget) -> Container:
    mimetype = b"".join(_entry_chunks(data, by_name["mimetype"], budget)).strip()
    if mimetype not in _ODS_MIMETYPES:
        raise not_spreadsheet("其他 OpenDocument 文档", "another OpenDocument file")
    if any(name.startswith(("Basic/", "Scripts/")) for name in by_name):
        raise macros_rejected()
    read = {"mimetype"}
    manifest_path = "META-INF/manifest.xml"
    if manifest_path in by_name:
        read.add(manifest_path)
        if b"encryption-data" in read_part(data, by_name[manifest_path], budget):
            raise encrypted_rejected()
    if "content.xml" not in by_name:
        raise corrupt("缺少 content.xml", "content.xml is missing")
    read.add("content.xml")
    sheets, facts = _scan_ods_content(_checked_chunks(data, by_name["content.xml"], budget))
    _scan_other_xml(data, by_name, budget, read)
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


def _scan_ods_content(chunks: Iterator[bytes]) -> tuple[list[SheetPart], dict[str, SheetFacts]]:
    """One streamed pass over content.xml: tables and their visibility, and per table the
    extent of the cells that hold something (with repeats: calamine expands them), merged
    ranges, formulas without a value, error and percent cells."""
    sheets: list[SheetPart] = []
    facts: dict[str, SheetFacts] = {}
    hidden_styles: set[str] = set()
    current: SheetFacts | None = None
    row = col = 0
    row_repeat = 1
    depth_in_cell = 0
    stream = io.BufferedReader(_ChunkStream(chunks), _IN_CHUNK)
    try:
        for event, element in SafeET.iterparse(stream, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag in (_CELL, _COVERED):
                    depth_in_cell += 1
                elif tag == _ROW:
                    row_repeat = _count(element.get(_ROWS_REPEATED))
                    col = 0
                elif tag == _TABLE:
                    name = element.get(_T + "name") or ""
                    style = element.get(_T + "style-name") or ""
                    sheets.append(SheetPart(name, None, style not in hidden_styles))
                    current = facts.setdefault(name, SheetFacts())
                    row = 0
            elif tag in (_CELL, _COVERED):
                depth_in_cell -= 1
                if depth_in_cell == 0 and current is not None:
                    col = _ods_cell(element, current, row, col, row_repeat)
                    element.clear()
            elif tag == _ROW:
                row += row_repeat
                element.clear()
            elif tag == _TABLE:
                current = None
            elif tag == _STYLE:
                _note_hidden_table_style(element, hidden_styles)
    except FileRejected:
        raise
    except Exception:
        raise corrupt("content.xml 格式错误", "content.xml is malformed") from None
    return sheets, facts


def _note_hidden_table_style(element: SafeET.Element, hidden: set[str]) -> None:
    if element.get("{" + _STYLE_NS + "}family") != "table":
        return
    for child in element:
        if child.get(_T + "display") == "false":
            hidden.add(element.get("{" + _STYLE_NS + "}name") or "")


def _ods_cell(element: SafeET.Element, facts: SheetFacts, row: int, col: int, repeat: int) -> int:
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


# --- OLE (xls, and encrypted OOXML) ----------------------------------------------------------


def inspect_ole(data: bytes) -> None:
    """An OLE file is an .xls if it has a Workbook stream; refuse encrypted OOXML and VBA."""
    from xlrd import compdoc

    try:
        document = compdoc.CompDoc(data, logfile=io.StringIO())
        names = {entry.name.lower() for entry in document.dirlist}
    except Exception:
        raise corrupt("OLE 复合文档损坏", "damaged OLE compound document") from None
    if {"encryptedpackage", "encryptioninfo"} & names:
        raise encrypted_rejected()
    if {"_vba_project_cur", "_vba_project"} & names:
        raise macros_rejected()
    if not {"workbook", "book"} & names:
        if "worddocument" in names:
            raise not_spreadsheet("Word 文档", "a Word document")
        raise not_spreadsheet()

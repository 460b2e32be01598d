"""Safety checks of zip (xlsx, ods) and OLE (xls) containers, before any library parses them.

python-calamine (Rust) and xlrd are trusted to parse well-formed files, not to defend against
hostile ones: calamine inflates zip entries without bounding them by their declared size, it
allocates a dense grid from the extreme cell positions (a 2-cell sheet at A1 and XFD1048576 is
17 billion cells), and XML parsers may expand entities. So, for a zip container:

1. Declared sizes from the central directory: total, per-entry ratio, number of entries,
   duplicate names, zip-level encryption (here).
2. What it is: xlsx (``[Content_Types].xml``, ``_xlsx``) or ods (the ``mimetype`` entry,
   ``_ods``); anything else is named in the refusal (a Word document, a plain zip).
3. Every XML part is inflated by ``_inflate``, bounded and scanned for a DTD.
4. xlsx worksheet parts are scanned by ``_sheet_scan``; ods ``content.xml`` by ``_ods``.

For an OLE file (xls, and what Excel makes of an encrypted xlsx), the directory of streams.
"""

from __future__ import annotations

import io
import zipfile
from typing import Final

from readers._base import Container
from readers._detect import not_spreadsheet
from readers._inflate import Budget, Parts, bomb, corrupt
from readers._ods import inspect_ods
from readers._xlsx import inspect_xlsx
from readers.errors import Detail, FileRejected, RuleCode

# A workbook has tens of parts; thousands is a crafted file.
MAX_ENTRIES: Final = 5_000
# Honest deflated XML compresses 5-30x (a 180,000-row openpyxl sheet: 10x); deflate cannot
# exceed ~1030x, which is what bombs use. Only entries above MIN_RATIO_SIZE are judged.
MAX_RATIO: Final = 250
MIN_RATIO_SIZE: Final = 16 * 1024 * 1024
# calamine holds a sheet as a dense grid of ~32-byte cells: 6 million cells is ~200 MB.
MAX_SHEET_CELLS: Final = 6_000_000


def inspect_zip(data: bytes, *, max_uncompressed_bytes: int, for_meta: bool = False) -> Container:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise corrupt(Detail.NOT_A_ZIP) from None
    _check_directory(infos, max_uncompressed_bytes)
    parts = Parts(data, {info.filename: info for info in infos}, Budget(max_uncompressed_bytes))
    if "mimetype" in parts:
        return inspect_ods(parts)
    if "[Content_Types].xml" in parts:
        return inspect_xlsx(parts, for_meta=for_meta)
    lowered = " ".join(parts.by_name).lower()
    if "word/" in lowered:
        raise not_spreadsheet(Detail.WORD)
    if "ppt/" in lowered:
        raise not_spreadsheet(Detail.POWERPOINT)
    raise not_spreadsheet(Detail.PLAIN_ZIP)


def _check_directory(infos: list[zipfile.ZipInfo], max_uncompressed_bytes: int) -> None:
    """What the central directory declares, before a byte is inflated. Declared sizes can lie
    (the inflation is bounded again), but an honest bomb is refused here for nothing."""
    if len(infos) > MAX_ENTRIES:
        raise bomb(Detail.TOO_MANY_ENTRIES, entries=len(infos))
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise corrupt(Detail.DUPLICATE_ENTRIES)
    if any(info.flag_bits & 0x1 for info in infos):
        raise FileRejected(RuleCode.FILE_ENCRYPTED)
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed_bytes:
        raise bomb(Detail.INFLATED_SIZE, megabytes=total // (1024 * 1024))
    for info in infos:
        if info.file_size > MIN_RATIO_SIZE and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise bomb(Detail.COMPRESSION_RATIO)


def inspect_ole(data: bytes) -> None:
    """An OLE file is an .xls if it has a Workbook stream; refuse encrypted OOXML and VBA."""
    from xlrd import compdoc

    try:
        document = compdoc.CompDoc(data, logfile=io.StringIO())
        names = {entry.name.lower() for entry in document.dirlist}
    except Exception:
        raise corrupt(Detail.DAMAGED_OLE) from None
    if {"encryptedpackage", "encryptioninfo"} & names:
        raise FileRejected(RuleCode.FILE_ENCRYPTED)
    if {"_vba_project_cur", "_vba_project"} & names:
        raise FileRejected(RuleCode.FILE_MACROS)
    if not {"workbook", "book"} & names:
        if "worddocument" in names:
            raise not_spreadsheet(Detail.WORD)
        raise not_spreadsheet()

"""What a file is, from its first bytes; and the text of a CSV, whatever Excel encoded it in."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Final

from readers.errors import Detail, FileRejected, RuleCode

ZIP: Final = "zip"
OLE: Final = "ole"
TEXT: Final = "text"

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Local file header, empty archive, spanned archive: all are zip containers.
_ZIP_MAGICS: Final = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# Well-known binary formats, named in the message so the user knows what they picked.
_KNOWN_BINARIES: Final = (
    (b"MZ", Detail.WINDOWS_PROGRAM),
    (b"\x7fELF", Detail.LINUX_PROGRAM),
    (b"\xca\xfe\xba\xbe", Detail.PROGRAM),
    (b"\xcf\xfa\xed\xfe", Detail.PROGRAM),
    (b"%PDF", Detail.PDF),
    (b"\x89PNG", Detail.IMAGE),
    (b"\xff\xd8\xff", Detail.IMAGE),
    (b"GIF8", Detail.IMAGE),
    (b"BM", Detail.IMAGE),
    (b"Rar!", Detail.ARCHIVE),
    (b"7z\xbc\xaf", Detail.ARCHIVE),
    (b"\x1f\x8b", Detail.ARCHIVE),
    (b"{\\rtf", Detail.RTF),
)


def not_spreadsheet(looks_like: Detail | None = None) -> FileRejected:
    return FileRejected(RuleCode.FILE_NOT_SPREADSHEET, detail=looks_like)


def sniff(data: bytes) -> str:
    """ZIP, OLE or TEXT from the content; the file name is never trusted for this."""
    if data.startswith(_ZIP_MAGICS):
        return ZIP
    if data.startswith(_OLE_MAGIC):
        return OLE
    # BM (bitmap) is also how a CSV could start ("BMW,..."): only treat it as binary with its
    # binary header shape, left to the text check below.
    for magic, looks_like in _KNOWN_BINARIES:
        if magic != b"BM" and data.startswith(magic):
            raise not_spreadsheet(looks_like)
    return TEXT


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # "utf-8-sig", "utf-8", "gb18030", "utf-16"


_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls that do not occur in text files (tab, LF, FF, CR and ESC/SUB left out).
_BINARY_BYTES: Final = frozenset(set(range(0, 9)) | {11} | set(range(14, 26)) | {28, 29, 30, 31})
_SAMPLE: Final = 64 * 1024


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    odd = sum(1 for byte in sample if byte in _BINARY_BYTES)
    return odd > max(8, len(sample) // 100)


def _utf16_without_bom(sample: bytes) -> bool:
    """NUL bytes on one parity only, and many of them: UTF-16 text (its ASCII characters have
    a NUL half) saved without its byte order mark. Stray NULs in a text file fall on both
    parities or are few."""
    head = sample[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return min(even, odd) == 0 and max(even, odd) >= max(2, len(head) // 16)


def decode_text(data: bytes) -> DecodedText:
    """Decode a CSV/TXT as Excel writes it: BOM first, then strict UTF-8, then GB18030.

    GB18030 is a superset of GBK and GB2312, which is what "CSV (逗号分隔)" is on a Chinese
    Windows. Strict UTF-8 first is safe: Chinese GBK text is almost never valid UTF-8, while
    UTF-8 text is very often valid GB18030 (as mojibake), so the other order would guess wrong.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise _encoding_error(data, exc.start) from None
    sample = data[:_SAMPLE]
    if _utf16_without_bom(sample):
        raise FileRejected(RuleCode.FILE_ENCODING, detail=Detail.UTF16_WITHOUT_BOM)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_error = exc.start
    try:
        return DecodedText(data.decode("gb18030"), "gb18030")
    except UnicodeDecodeError:
        pass
    if _looks_binary(sample):
        raise not_spreadsheet()
    raise _encoding_error(data, first_error)


def _encoding_error(data: bytes, position: int) -> FileRejected:
    """The line of the first byte that does not decode."""
    return FileRejected(RuleCode.FILE_ENCODING, row=data.count(b"\n", 0, position) + 1)


def check_text(decoded: DecodedText) -> None:
    """Refuse text that is not a table: NUL characters, binary junk, a web page or XML file."""
    text = decoded.text
    nul = text.find("\x00")
    if nul >= 0:
        if text.count("\x00", 0, _SAMPLE) > len(text[:_SAMPLE]) // 100 + 8:
            raise not_spreadsheet()
        raise FileRejected(RuleCode.FILE_NUL_BYTES, row=text.count("\n", 0, nul) + 1)
    sample = text[:_SAMPLE]
    odd = sum(1 for char in sample if ord(char) in _BINARY_BYTES)
    if odd > max(8, len(sample) // 100):
        raise not_spreadsheet()
    head = sample.lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html", "<table", "<?xml", "<meta", "<head")):
        raise not_spreadsheet(Detail.HTML_OR_XML)

"""What a file is, from its first bytes; and the text of a CSV, whatever Excel encoded it in."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Final

from submissions.readers._base import FileRejected

ZIP: Final = "zip"
OLE: Final = "ole"
TEXT: Final = "text"

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Local file header, empty archive, spanned archive: all are zip containers.
_ZIP_MAGICS: Final = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# Well-known binary formats, named in the message so the user knows what they picked.
_KNOWN_BINARIES: Final = (
    (b"MZ", "Windows 程序", "a Windows program"),
    (b"\x7fELF", "Linux 程序", "a Linux program"),
    (b"\xca\xfe\xba\xbe", "程序文件", "a program"),
    (b"\xcf\xfa\xed\xfe", "程序文件", "a program"),
    (b"%PDF", "PDF 文档", "a PDF document"),
    (b"\x89PNG", "图片", "an image"),
    (b"\xff\xd8\xff", "图片", "an image"),
    (b"GIF8", "图片", "an image"),
    (b"BM", "图片", "an image"),
    (b"Rar!", "压缩包", "an archive"),
    (b"7z\xbc\xaf", "压缩包", "an archive"),
    (b"\x1f\x8b", "压缩包", "an archive"),
    (b"{\\rtf", "RTF 文档", "an RTF document"),
)

_ACCEPTED_ZH: Final = "请上传 .xlsx、.xls、.ods 或 .csv 格式的电子表格"
_ACCEPTED_EN: Final = "upload a spreadsheet in .xlsx, .xls, .ods or .csv format"


def not_spreadsheet(what_zh: str = "", what_en: str = "") -> FileRejected:
    seems_zh = f"（看起来是{what_zh}）" if what_zh else ""
    seems_en = f" (it looks like {what_en})" if what_en else ""
    return FileRejected(
        "FILE_NOT_SPREADSHEET",
        f"文件内容不是电子表格{seems_zh}，{_ACCEPTED_ZH}",
        f"The file is not a spreadsheet{seems_en}; {_ACCEPTED_EN}",
    )


def sniff(data: bytes) -> str:
    """ZIP, OLE or TEXT from the content; the file name is never trusted for this."""
    if data.startswith(_ZIP_MAGICS):
        return ZIP
    if data.startswith(_OLE_MAGIC):
        return OLE
    # BM (bitmap) is also how a CSV could start ("BMW,..."): only treat it as binary with its
    # binary header shape, left to the text check below.
    for magic, what_zh, what_en in _KNOWN_BINARIES:
        if magic != b"BM" and data.startswith(magic):
            raise not_spreadsheet(what_zh, what_en)
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
                raise _encoding_error(data, exc.start, encoding) from None
    sample = data[:_SAMPLE]
    if _utf16_without_bom(sample):
        raise FileRejected(
            "FILE_ENCODING",
            "文件是没有字节顺序标记（BOM）的 UTF-16 文本，无法可靠识别；请在 Excel 中另存为"
            "“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传",
            "The file is UTF-16 text without a byte order mark and cannot be read reliably; "
            'save it in Excel as "CSV UTF-8 (Comma delimited)" or .xlsx and upload it again',
        )
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
    raise _encoding_error(data, first_error, "utf-8")


def _encoding_error(data: bytes, position: int, encoding: str) -> FileRejected:
    line = data.count(b"\n", 0, position) + 1
    return FileRejected(
        "FILE_ENCODING",
        f"无法识别文件的文字编码（第 {line} 行起出现无效字符）；支持 UTF-8（可带 BOM）和 "
        "GB18030/GBK，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传",
        f"The text encoding of the file is not recognised (invalid characters from line {line}); "
        "UTF-8 (with or without BOM) and GB18030/GBK are supported: save it in Excel as "
        '"CSV UTF-8 (Comma delimited)" or .xlsx and upload it again',
        row=line,
    )


def check_text(decoded: DecodedText) -> None:
    """Refuse text that is not a table: NUL characters, binary junk, a web page or XML file."""
    text = decoded.text
    nul = text.find("\x00")
    if nul >= 0:
        if text.count("\x00", 0, _SAMPLE) > len(text[:_SAMPLE]) // 100 + 8:
            raise not_spreadsheet()
        line = text.count("\n", 0, nul) + 1
        raise FileRejected(
            "FILE_NUL_BYTES",
            f"第 {line} 行含有空字符（NUL），文件可能已损坏或不是文本文件；请在 Excel 中打开、"
            "另存为 .xlsx 或 CSV 后重新上传",
            f"Line {line} contains NUL characters; the file may be damaged or not a text file. "
            "Open it in Excel, save it as .xlsx or CSV and upload it again",
            row=line,
        )
    sample = text[:_SAMPLE]
    odd = sum(1 for char in sample if ord(char) in _BINARY_BYTES)
    if odd > max(8, len(sample) // 100):
        raise not_spreadsheet()
    head = sample.lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html", "<table", "<?xml", "<meta", "<head")):
        raise FileRejected(
            "FILE_NOT_SPREADSHEET",
            "文件是网页（HTML）或 XML 格式，只是扩展名像电子表格；请在 Excel 中打开后另存为 "
            ".xlsx 再上传",
            "The file is a web page (HTML) or XML file with a spreadsheet's extension; open it "
            "in Excel, save it as .xlsx and upload that",
        )

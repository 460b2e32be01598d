"""Hostile and broken files: refused before any library parses them, in bounded time and memory."""

from __future__ import annotations

import io
import random
import re
import string
import struct
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from readers import Detail, FileRejected, _formats, _inflate
from tests.readers.helpers import (
    BILLION_LAUGHS,
    ODS_HEADER_ROW,
    TEMPLATE_VALUES,
    ods,
    ods_table,
    part,
    read,
    rejected,
    rezip,
    sample,
    simple_sheet,
    template_sheet_path,
    values_by_code,
    xlsx,
)


def test_it_refuses_a_file_above_the_size_limit_before_parsing(monkeypatch) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("parsed a file that is too large")

    monkeypatch.setattr(_formats, "open_book", boom)
    error = rejected(sample("template.xlsx"), max_bytes=1000)
    assert error.rule_code == "FILE_TOO_LARGE"
    assert error.params["limit"] == "0.000954 MB"
    assert re.fullmatch(r"0\.\d+ MB", str(error.params["size"]))


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200),
         Detail.WINDOWS_PROGRAM),
        (b"\x7fELF\x02\x01\x01" + bytes(200), Detail.LINUX_PROGRAM),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", Detail.PDF),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), Detail.IMAGE),
        (b"\x1f\x8b\x08\x00" + bytes(100), Detail.ARCHIVE),
        (random.Random(7).randbytes(5000), None),
    ],
    ids=["exe", "elf", "pdf", "png", "gzip", "random"],
)
def test_it_refuses_what_is_not_a_spreadsheet(data: bytes, looks_like: Detail | None) -> None:
    error = rejected(data, "renamed.xlsx")
    assert (error.rule_code, error.detail) == ("FILE_NOT_SPREADSHEET", looks_like)


def test_it_refuses_a_word_document_and_a_plain_zip() -> None:
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    error = rejected(docx.getvalue())
    assert (error.rule_code, error.detail) == ("FILE_NOT_SPREADSHEET", Detail.WORD)
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("data.csv", "code,value\n")
    error = rejected(plain.getvalue())
    assert (error.rule_code, error.detail) == ("FILE_NOT_SPREADSHEET", Detail.PLAIN_ZIP)


def test_it_refuses_a_truncated_zip() -> None:
    data = sample("template.xlsx")
    error = rejected(data[: len(data) // 2])
    assert (error.rule_code, error.detail) == ("FILE_CORRUPT", Detail.NOT_A_ZIP)


def test_it_refuses_corrupt_compressed_data() -> None:
    data = bytearray(sample("template.xlsx"))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(template_sheet_path(bytes(data)))
    name_len, extra_len = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + 10, start + min(info.compress_size, 200)):
        data[i] ^= 0x5A
    error = rejected(bytes(data))
    assert error.rule_code == "FILE_CORRUPT"
    assert error.detail in {Detail.DEFLATE_DATA, Detail.CRC, Detail.INCOMPLETE_ENTRY}


def test_it_refuses_malformed_xml_that_the_library_chokes_on() -> None:
    data = sample("template.xlsx")
    broken = rezip(data, {template_sheet_path(data): b'<worksheet><sheetData><row r="1"><c r="A'})
    assert rejected(broken).rule_code == "FILE_CORRUPT"


def test_it_wraps_any_library_error_as_corrupt(monkeypatch) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("library bug")

    monkeypatch.setattr(_formats.python_calamine.CalamineWorkbook, "from_filelike", explode)
    error = rejected(sample("template.xlsx"))
    assert (error.rule_code, error.detail) == ("FILE_CORRUPT", None)


def zeros_zip(size: int, name: str = "xl/worksheets/sheet9.xml") -> bytes:
    return rezip(sample("template.xlsx"), add={name: b"<worksheet>" + bytes(size)})


def test_it_refuses_a_zip_bomb_by_its_declared_size() -> None:
    error = rejected(zeros_zip(2 * 1024 * 1024), max_uncompressed_bytes=1024 * 1024)
    assert (error.rule_code, error.detail) == ("FILE_ZIP_BOMB", Detail.INFLATED_SIZE)
    assert error.params == {"megabytes": 2}


def test_it_refuses_a_zip_bomb_by_its_compression_ratio() -> None:
    data = zeros_zip(40 * 1024 * 1024)
    assert len(data) < 200_000
    error = rejected(data)
    assert (error.rule_code, error.detail) == ("FILE_ZIP_BOMB", Detail.COMPRESSION_RATIO)


def test_it_refuses_an_entry_that_inflates_past_its_declared_size() -> None:
    """Declared sizes can lie: the inflation itself is bounded."""
    name = "xl/worksheets/sheet9.xml"
    data = bytearray(zeros_zip(3 * 1024 * 1024, name))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(name)
    central = bytes(data).rindex(b"PK\x01\x02", 0, bytes(data).index(b"PK\x05\x06"))
    while bytes(data[central + 46 : central + 46 + len(name)]) != name.encode():
        central = bytes(data).rindex(b"PK\x01\x02", 0, central)
    struct.pack_into("<I", data, central + 24, 1000)  # uncompressed size in the directory
    struct.pack_into("<I", data, info.header_offset + 22, 1000)  # and in the local header
    error = rejected(bytes(data))
    assert (error.rule_code, error.detail) == ("FILE_ZIP_BOMB", Detail.INFLATES_PAST_SIZE)


def test_it_bounds_the_inflation_of_all_entries_together() -> None:
    """The directory's declared total is checked first; the budget holds again while
    inflating, for parts read twice (the second pass over a sheet without positions)."""
    data = sample("template.xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        by_name = {info.filename: info for info in archive.infolist()}
    parts = _inflate.Parts(data, by_name, _inflate.Budget(1000))
    with pytest.raises(FileRejected) as caught:
        parts.read(template_sheet_path(data))
    assert (caught.value.rule_code, caught.value.detail) == (
        "FILE_ZIP_BOMB",
        Detail.UNCOMPRESSED_LIMIT,
    )


@pytest.mark.parametrize("target", ["sheet", "workbook", "sharedStrings", "styles"])
def test_it_refuses_xml_entity_declarations(target: str) -> None:
    data = sample("template.xlsx")
    name = {
        "sheet": template_sheet_path(data),
        "workbook": "xl/workbook.xml",
        "sharedStrings": "xl/sharedStrings.xml",
        "styles": "xl/styles.xml",
    }[target]
    if target == "sharedStrings":
        data = rezip(data, add={name: b""})
        content = (
            b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<sst><si><t>&xxe;</t></si></sst>"
        )
    else:
        original = part(data, name)
        content = BILLION_LAUGHS + original.split(b"?>", 1)[-1]
    hostile = rezip(data, {name: content})
    error = rejected(hostile)
    assert error.rule_code == "FILE_XML_ENTITIES"
    assert error.params == {"part": name}


def test_it_refuses_an_entity_declaration_in_utf16_xml() -> None:
    data = sample("template.xlsx")
    content = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><workbook/>'
    ).encode("utf-16")
    assert rejected(rezip(data, {"xl/workbook.xml": content})).rule_code == "FILE_XML_ENTITIES"


def test_it_refuses_an_entity_declaration_in_an_ods() -> None:
    data = ods(ods_table("数据", [ODS_HEADER_ROW]))
    content = BILLION_LAUGHS + part(data, "content.xml").split(b"?>", 1)[-1]
    error = rejected(rezip(data, {"content.xml": content}))
    assert (error.rule_code, error.params) == ("FILE_XML_ENTITIES", {"part": "content.xml"})


def test_it_refuses_workbooks_with_macros() -> None:
    data = sample("template.xlsx")
    assert (
        rejected(rezip(data, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "x.xlsm").rule_code
        == "FILE_MACROS"
    )
    types = part(data, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert b"macroEnabled" in types
    assert rejected(rezip(data, {"[Content_Types].xml": types})).rule_code == "FILE_MACROS"
    assert rejected(sample("macro.xls"), "macro.xls").rule_code == "FILE_MACROS"
    ods_data = sample("template.ods")
    assert (
        rejected(rezip(ods_data, add={"Basic/Standard/Module1.xml": b"<module/>"})).rule_code
        == "FILE_MACROS"
    )


def test_it_reads_the_same_compound_file_without_the_macro_storage() -> None:
    assert values_by_code(read(sample("plain.xls"))) == TEMPLATE_VALUES


def test_it_refuses_encrypted_workbooks() -> None:
    assert rejected(sample("encrypted.xlsx"), "encrypted.xlsx").rule_code == "FILE_ENCRYPTED"
    ods_data = sample("template.ods")
    manifest = part(ods_data, "META-INF/manifest.xml").replace(
        b"</manifest:manifest>",
        b'<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
        b"</manifest:file-entry></manifest:manifest>",
    )
    assert b"encryption-data" in manifest
    assert (
        rejected(rezip(ods_data, {"META-INF/manifest.xml": manifest})).rule_code == "FILE_ENCRYPTED"
    )


def test_it_refuses_an_xls_with_a_filepass_record() -> None:
    data = bytearray(sample("template.xls"))
    bof = data.index(b"\x09\x08\x10\x00\x00\x06\x05\x00")  # the workbook globals' BOF
    following = bof + 4 + 16  # the record right after it: make it a FILEPASS (0x002F)
    struct.pack_into("<H", data, following, 0x002F)
    error = rejected(bytes(data), "x.xls")
    assert error.rule_code == "FILE_ENCRYPTED"


def test_it_refuses_a_sheet_whose_used_range_is_huge_without_allocating_it() -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.active
        sheet.append(["代码", "数值"])
        sheet.append(["P01", 1])
        sheet["XFD1048576"] = "far away"

    started = time.perf_counter()
    error = rejected(xlsx(build))
    assert time.perf_counter() - started < 5
    assert (error.rule_code, error.sheet) == ("SHEET_TOO_LARGE", "Sheet")
    assert error.params == {"rows": 1_048_576, "cols": 16_384}


def without_positions(xml: bytes) -> bytes:
    return re.sub(rb' r="[A-Z]*[0-9]+"', b"", xml)


def test_it_follows_cells_without_positions() -> None:
    data = simple_sheet([["代码", "数值"], ["P01", 1], ["P02", 2]])
    path = "xl/worksheets/sheet1.xml"
    hostile = rezip(data, {path: without_positions(part(data, path))})
    assert b' r="' not in part(hostile, path)
    assert values_by_code(read(hostile)) == {"P01": 1, "P02": 2}


def test_it_bounds_the_grid_of_cells_without_positions() -> None:
    data = simple_sheet([["代码", "数值"], ["P01", 1]])
    path = "xl/worksheets/sheet1.xml"
    wide_row = b'<row r="3">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * 10_000 + b"</row>"
    far_row = b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>y</t></is></c></row>'
    xml = part(data, path).replace(b"</sheetData>", wide_row + far_row + b"</sheetData>")
    assert rejected(rezip(data, {path: xml})).rule_code == "SHEET_TOO_LARGE"


def junk_line(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + "，。、；：,\"' 中文乱码测试数据"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(5, 60)))


def test_it_gives_up_quickly_on_100000_rows_of_junk() -> None:
    rng = random.Random(1)
    data = "\n".join(junk_line(rng) for _ in range(100_000)).encode()
    started = time.perf_counter()
    assert rejected(data, "junk.csv", max_bytes=20 * 2**20).rule_code in {
        "NO_HEADER",
        "FILE_CORRUPT",
    }
    assert time.perf_counter() - started < 5


def test_it_reads_100000_junk_rows_under_a_header_in_bounded_time_and_memory() -> None:
    rng = random.Random(2)
    lines = ["code,value,note"] + [junk_line(rng).replace('"', "") for _ in range(100_000)]
    data = "\n".join(lines).encode()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        table = read(data, "junk.csv", max_bytes=20 * 2**20)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(table.rows) > 90_000
    assert elapsed < 20  # tracemalloc slows Python down several times; the plain read is ~1 s
    assert peak < 200 * 2**20

"""Reading uploads: samples of every format, header and sheet rules, and hostile files.

Samples are under tests/fixtures/files/ (made by tests/fixtures/make_files.py); hostile files
are built here, from those samples or from scratch.
"""

from __future__ import annotations

import io
import random
import string
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from submissions.readers import (
    BULK_FIELDS,
    TEMPLATE_FIELDS,
    FileRejected,
    Table,
    _formats,
    normalise_header,
    read_table,
    read_template_meta,
)
from submissions.values import ValueParseError, parse_value

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "files"

# The "填报数据" sheet of the template samples, as typed (tests/fixtures/make_files.py).
TEMPLATE_VALUES = {
    "P01": "２１７０．７",
    "P02": "８２８，５",
    "P03": "３，９１５",
    "E101": "１６９０万人",
    "E102": "—",
    "E401": 560.25,
    "E601": "３",
}


def sample(name: str) -> bytes:
    return (FILES / name).read_bytes()


def read(data: bytes, filename: str = "upload.xlsx", **kwargs: object) -> Table:
    kwargs.setdefault("fields", TEMPLATE_FIELDS)
    return read_table(data, filename, **kwargs)  # type: ignore[arg-type]


def rejected(data: bytes, filename: str = "upload.xlsx", **kwargs: object) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        read(data, filename, **kwargs)
    error = caught.value
    assert error.message_zh and error.message_en
    return error


def values_by_code(table: Table) -> dict[str, object]:
    return {str(row.cells["code"].value): row.cells["value"].value for row in table.rows}


def xlsx(build: Callable[[openpyxl.Workbook], None]) -> bytes:
    workbook = openpyxl.Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def simple_sheet(rows: list[list[object]], title: str = "填报数据") -> bytes:
    def build(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.active
        sheet.title = title
        for row in rows:
            sheet.append(row)

    return xlsx(build)


def rezip(
    data: bytes, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The zip with entries replaced (None: removed) or added."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    target.writestr(info.filename, replace[info.filename])  # type: ignore[arg-type]
            else:
                target.writestr(info.filename, source.read(info.filename))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def template_sheet_path(data: bytes) -> str:
    """The part of the "填报数据" sheet in template.xlsx (openpyxl writes sheet2.xml)."""
    assert "填报数据" in part(data, "xl/workbook.xml").decode()
    return "xl/worksheets/sheet2.xml"


# --- the samples ------------------------------------------------------------------------------


def test_it_reads_the_template_from_its_data_sheet() -> None:
    table = read(sample("template.xlsx"), "template.xlsx")
    assert (table.format, table.sheet, table.header_row, table.encoding) == (
        "xlsx",
        "填报数据",
        2,
        None,
    )
    assert table.columns == {"code": "A", "value": "F", "note": "G"}
    assert [row.number for row in table.rows] == [3, 4, 5, 6, 8, 9, 10]  # row 7 is blank
    assert values_by_code(table) == TEMPLATE_VALUES
    first = table.rows[0]
    assert first.cells["value"].column == "F"
    assert first.cells["note"].value is None
    assert table.rows[1].cells["note"].value == "全角逗号不是千分位"


@pytest.mark.parametrize(("name", "fmt"), [("template.xls", "xls"), ("template.ods", "ods")])
def test_it_reads_the_template_as_libreoffice_saves_it(name: str, fmt: str) -> None:
    table = read(sample(name), name)
    assert (table.format, table.sheet, table.header_row) == (fmt, "填报数据", 2)
    assert table.columns == {"code": "A", "value": "F", "note": "G"}
    assert [row.number for row in table.rows] == [3, 4, 5, 6, 8, 9, 10]
    assert values_by_code(table) == TEMPLATE_VALUES


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("template_gb18030.csv", "gb18030"),
        ("template_utf8_bom.csv", "utf-8-sig"),
        ("template_utf8.csv", "utf-8"),
        ("unicode_text.txt", "utf-16"),
    ],
)
def test_it_reads_csv_in_the_encodings_excel_writes(name: str, encoding: str) -> None:
    table = read(sample(name), name)
    assert (table.format, table.sheet, table.header_row, table.encoding) == (
        "csv",
        None,
        1,
        encoding,
    )
    assert table.columns == {"code": "A", "value": "D", "note": "E"}
    assert [row.number for row in table.rows] == [2, 3, 4, 5, 6, 7, 8]
    assert values_by_code(table) == {**TEMPLATE_VALUES, "E401": "560.25"}


def test_it_reads_english_headers() -> None:
    table = read(sample("english.csv"), "english.csv")
    assert table.columns == {"code": "A", "value": "B", "note": "C"}
    assert values_by_code(table) == {"P01": "2,170.7", "E101": "1690", "E102": "N/A"}


def test_it_reads_a_bulk_csv() -> None:
    table = read(sample("bulk.csv"), "bulk.csv", fields=BULK_FIELDS)
    assert table.columns == {"region": "A", "code": "B", "value": "C", "note": "D", "year": "E"}
    assert [
        (
            r.cells["region"].value,
            r.cells["code"].value,
            r.cells["value"].value,
            r.cells["year"].value,
        )
        for r in table.rows
    ][:2] == [("110000", "P01", "2170.7", "2017"), ("110000", "E101", "1690.0", "2017")]
    assert table.rows[4].cells["region"].value == "北京"


def test_it_reads_a_bulk_xlsx_with_whole_numbers_as_ints() -> None:
    table = read(sample("bulk.xlsx"), "bulk.xlsx", fields=BULK_FIELDS)
    rows = [
        (
            r.cells["region"].value,
            r.cells["code"].value,
            r.cells["value"].value,
            r.cells["year"].value,
        )
        for r in table.rows
    ]
    assert rows[:2] == [(110000, "P01", 2170.7, 2017), (110000, "E101", 1690, 2017)]
    assert type(rows[0][0]) is int and type(rows[1][2]) is int
    assert rows[4][0] == "北京"


def test_it_gives_cells_the_value_parser_reads() -> None:
    units = {
        "P01": "万人",
        "P02": "万户",
        "P03": "个",
        "E101": "万人",
        "E102": "分",
        "E401": "万户",
        "E601": "级",
    }
    parsed: dict[str, object] = {}
    for row in read(sample("template.xlsx")).rows:
        code = str(row.cells["code"].value)
        try:
            parsed[code] = parse_value(row.cells["value"].value, unit=units[code])
        except ValueParseError as error:
            parsed[code] = error.rule_code
    assert parsed == {
        "P01": Decimal("2170.7"),
        "P02": "NOT_A_NUMBER",  # "828,5": a comma out of a group of three is never guessed
        "P03": Decimal(3915),
        "E101": Decimal(1690),
        "E102": None,
        "E401": Decimal("560.25"),
        "E601": Decimal(3),
    }


@pytest.mark.parametrize(
    "name", ["formulas_cached.xlsx", "formulas_cached.xls", "formulas_cached.ods"]
)
def test_it_reads_formulas_by_their_cached_values(name: str) -> None:
    table = read(sample(name), name)
    assert values_by_code(table) == {"P01": 2170.7, "E101": 1689.5, "E102": "#DIV/0!"}


def test_it_decides_the_format_from_the_content_not_the_name() -> None:
    assert read(sample("template_utf8.csv"), "renamed.xlsx").format == "csv"
    assert read(sample("template.xlsx"), "renamed.csv").format == "xlsx"
    assert read(sample("template.ods"), "renamed.xls").format == "ods"
    assert read(sample("template.xls"), "no_extension").format == "xls"


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("本年数值（2017年）", "本年数值"),
        ("数值(万人)", "数值"),
        ("  CODE ", "code"),
        ("ＣＯＤＥ", "code"),
        ("Element_Code", "element_code"),
        ("*代码", "代码"),
        ("本年 数值", "本年数值"),
        ("value [unit]", "value"),
        ("数值【必填】", "数值"),
    ],
)
def test_it_normalises_headers(header: str, expected: str) -> None:
    assert normalise_header(header) == expected


def test_it_finds_the_header_below_titles_and_in_any_column() -> None:
    data = simple_sheet(
        [["数据填报"], [], [None, None, "ＣＯＤＥ", "本年数值（2017年）"], [None, None, "P01", 12]]
    )
    table = read(data)
    assert table.header_row == 3
    assert table.columns == {"code": "C", "value": "D"}
    assert "note" not in table.rows[0].cells  # an optional field without a column is absent


def test_it_looks_for_the_header_in_the_first_30_rows_only() -> None:
    assert read(simple_sheet([["x"]] * 29 + [["代码", "数值"], ["P01", 1]])).header_row == 30
    error = rejected(simple_sheet([["x"]] * 30 + [["代码", "数值"], ["P01", 1]]))
    assert error.rule_code == "NO_HEADER"


def test_it_lists_the_accepted_headers_when_there_is_none() -> None:
    error = rejected(b"a,b\n1,2\n", "x.csv")
    assert error.rule_code == "NO_HEADER"
    for name in ("代码", "数据项代码", "指标代码", "code", "element_code", "本年数值", "value"):
        assert name in error.message_zh and name in error.message_en
    bulk = rejected(b"a,b\n1,2\n", "x.csv", fields=BULK_FIELDS)
    assert "region_code" in bulk.message_zh and "地区代码" in bulk.message_zh


def test_it_refuses_two_columns_for_one_field() -> None:
    error = rejected(simple_sheet([["代码", "数值", "本年数值"], ["P01", 1, 2]]))
    assert error.rule_code == "DUPLICATE_HEADER"
    assert (error.sheet, error.row, error.column) == ("填报数据", 1, "C")
    assert "B" in error.message_zh and "C" in error.message_zh


# --- sheets ----------------------------------------------------------------------------------


def test_it_never_reads_hidden_sheets() -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        hidden = workbook.active
        hidden.title = "填报数据"
        hidden.append(["代码", "数值"])
        hidden.append(["HIDDEN", 1])
        hidden.sheet_state = "hidden"
        very = workbook.create_sheet("very")
        very.append(["代码", "数值"])
        very.append(["VERY", 1])
        very.sheet_state = "veryHidden"
        shown = workbook.create_sheet("看得见")
        shown.append(["代码", "数值"])
        shown.append(["SHOWN", 1])

    table = read(xlsx(build))
    assert table.sheet == "看得见"
    assert values_by_code(table) == {"SHOWN": 1}


def test_it_prefers_the_data_sheet_to_an_earlier_sheet_with_a_header() -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        first = workbook.active
        first.title = "其他"
        first.append(["代码", "数值"])
        first.append(["OTHER", 1])
        data = workbook.create_sheet("填报数据")
        data.append(["代码", "数值"])
        data.append(["DATA", 2])

    assert values_by_code(read(xlsx(build))) == {"DATA": 2}


def test_it_takes_the_first_visible_sheet_that_has_a_header() -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        workbook.active.title = "说明"
        workbook.active.append(["请填写"])
        data = workbook.create_sheet("数据")
        data.append(["代码", "数值"])
        data.append(["P01", 2])

    table = read(xlsx(build))
    assert (table.sheet, values_by_code(table)) == ("数据", {"P01": 2})


def test_it_skips_chart_sheets() -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        workbook.create_chartsheet("图表", 0)
        workbook.worksheets[0].append(["代码", "数值"])
        workbook.worksheets[0].append(["P01", 1])

    assert values_by_code(read(xlsx(build))) == {"P01": 1}


def test_it_finds_no_header_when_only_a_hidden_sheet_has_one() -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        workbook.active.append(["说明"])
        hidden = workbook.create_sheet("_data")
        hidden.append(["代码", "数值"])
        hidden.sheet_state = "hidden"

    assert rejected(xlsx(build)).rule_code == "NO_HEADER"


# --- merged cells ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["merged_data.xlsx", "merged_data.xls", "merged_data.ods"])
def test_it_refuses_merged_cells_in_the_data_area(name: str) -> None:
    error = rejected(sample(name), name)
    assert error.rule_code == "MERGED_CELLS"
    assert (error.sheet, error.row, error.column) == ("填报数据", 3, "C")
    assert "C3:C4" in error.message_zh and "C3:C4" in error.message_en


def test_it_accepts_merged_cells_outside_the_field_columns() -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.active
        sheet.merge_cells("A1:C1")  # a title above the header
        sheet["A1"] = "标题"
        sheet.append(["代码", "名称", "数值"])
        sheet.append(["P01", "常住人口", 1])
        sheet.append(["P02", None, 2])
        sheet.merge_cells("B3:B4")  # the name column is not read

    assert values_by_code(read(xlsx(build))) == {"P01": 1, "P02": 2}


# --- formulas, errors, percentages, dates ----------------------------------------------------


def test_it_refuses_a_formula_without_a_cached_value_naming_the_cell() -> None:
    data = simple_sheet([["代码", "数值"], ["P01", 1], ["P02", "=B2*2"]])
    error = rejected(data)
    assert error.rule_code == "FORMULA_NO_CACHED_VALUE"
    assert (error.sheet, error.row, error.column) == ("填报数据", 3, "B")
    assert "B3" in error.message_zh and "保存" in error.message_zh


def test_it_ignores_uncached_formulas_in_columns_it_does_not_read() -> None:
    data = simple_sheet([["代码", "数值", "辅助"], ["P01", 1, "=B2*2"]])
    assert values_by_code(read(data)) == {"P01": 1}


def test_it_reads_a_formula_whose_cached_value_is_present_in_the_xml() -> None:
    data = simple_sheet([["代码", "数值"], ["P01", "=1+1"]])
    path = "xl/worksheets/sheet1.xml"
    xml = part(data, path).replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")
    xml = xml.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
    assert b"<v>2</v>" in xml
    assert values_by_code(read(rezip(data, {path: xml}))) == {"P01": 2}


def test_it_shows_percent_formatted_numbers_as_the_user_sees_them() -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.active
        sheet.append(["代码", "数值"])
        sheet.append(["I11", 0.125])
        sheet["B2"].number_format = "0.0%"
        sheet.append(["I12", 0.5])
        sheet["B3"].number_format = "0%"
        sheet.append(["P01", 0.5])

    table = read(xlsx(build))
    assert values_by_code(table) == {"I11": "12.5%", "I12": "50%", "P01": 0.5}
    assert parse_value("12.5%", unit="%") == Decimal("12.5")


def test_it_reads_date_cells_as_dates_for_the_parser_to_refuse() -> None:
    import datetime as dt

    data = simple_sheet([["代码", "数值"], ["P01", dt.date(2017, 3, 1)]])
    value = values_by_code(read(data))["P01"]
    assert isinstance(value, dt.date)
    with pytest.raises(ValueParseError) as caught:
        parse_value(value, unit="万人")
    assert caught.value.rule_code == "DATE_NOT_ALLOWED"


# --- ods details (hand-written content.xml) --------------------------------------------------

ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
    'office:version="1.2"><office:automatic-styles>'
    '<style:style style:name="ta1" style:family="table">'
    '<style:table-properties table:display="true"/></style:style>'
    '<style:style style:name="ta2" style:family="table">'
    '<style:table-properties table:display="false"/></style:style>'
    "</office:automatic-styles><office:body><office:spreadsheet>"
)
ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def ods(tables: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:'
            'manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
        archive.writestr("content.xml", ODS_HEAD + tables + ODS_TAIL, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def text(value: str, extra: str = "") -> str:
    return (
        f'<table:table-cell office:value-type="string"{extra}><text:p>{value}</text:p>'
        "</table:table-cell>"
    )


def number(value: float, extra: str = "") -> str:
    return (
        f'<table:table-cell office:value-type="float" office:value="{value}"{extra}>'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def table(name: str, rows: list[str], style: str = "ta1") -> str:
    body = "".join(f"<table:table-row>{row}</table:table-row>" for row in rows)
    return f'<table:table table:name="{name}" table:style-name="{style}">{body}</table:table>'


HEADER_ROW = text("代码") + text("数值")


def test_it_reads_a_minimal_ods_and_skips_its_hidden_table() -> None:
    data = ods(
        table("隐藏", [HEADER_ROW, text("HIDDEN") + number(1)], "ta2")
        + table("数据", [HEADER_ROW, text("P01") + number(2.5)])
    )
    result = read(data)
    assert (result.format, result.sheet, values_by_code(result)) == ("ods", "数据", {"P01": 2.5})


def test_it_reads_ods_error_and_percent_cells_as_shown() -> None:
    error_cell = (
        '<table:table-cell table:formula="of:=1/0" office:value-type="string" '
        'office:string-value="" calcext:value-type="error"><text:p>#DIV/0!</text:p>'
        "</table:table-cell>"
    )
    percent = (
        '<table:table-cell office:value-type="percentage" office:value="0.125">'
        "<text:p>12.5%</text:p></table:table-cell>"
    )
    data = ods(table("数据", [HEADER_ROW, text("P01") + error_cell, text("I11") + percent]))
    assert values_by_code(read(data)) == {"P01": "#DIV/0!", "I11": "12.5%"}


def test_it_refuses_an_ods_formula_without_a_value() -> None:
    formula = '<table:table-cell table:formula="of:=1+1"/>'
    error = rejected(ods(table("数据", [HEADER_ROW, text("P01") + formula])))
    assert (error.rule_code, error.row, error.column) == ("FORMULA_NO_CACHED_VALUE", 2, "B")


def test_it_refuses_merged_ods_cells_in_the_data_area() -> None:
    spanned = number(1, ' table:number-rows-spanned="2" table:number-columns-spanned="1"')
    covered = "<table:covered-table-cell/>"
    data = ods(table("数据", [HEADER_ROW, text("P01") + spanned, text("P02") + covered]))
    error = rejected(data)
    assert error.rule_code == "MERGED_CELLS"
    assert "B2:B3" in error.message_zh


def test_it_refuses_an_ods_whose_repeats_make_a_huge_grid() -> None:
    huge = (
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" '
        'office:value="1"/></table:table-row>'
    )
    data = ods(table("数据", [HEADER_ROW]).replace("</table:table>", huge + "</table:table>"))
    started = time.perf_counter()
    assert rejected(data).rule_code == "SHEET_TOO_LARGE"
    assert time.perf_counter() - started < 5


# --- CSV details -----------------------------------------------------------------------------


def test_it_numbers_csv_rows_by_the_line_where_they_start() -> None:
    data = b'code,value,note\nP01,1,"two\nlines"\n\nP02,2,\n'
    table = read(data, "x.csv")
    assert [(r.number, r.cells["code"].value) for r in table.rows] == [(2, "P01"), (5, "P02")]
    assert table.rows[0].cells["note"].value == "two\nlines"


def test_it_reads_ragged_csv_rows() -> None:
    table = read(b"code,value,note\nP01\nP02,2,n,extra\n", "x.csv")
    assert [
        (r.cells["code"].value, r.cells["value"].value, r.cells["note"].value) for r in table.rows
    ] == [("P01", None, None), ("P02", "2", "n")]


def test_it_reads_tab_separated_utf8() -> None:
    table = read("代码\t数值\nP01\t1,234\n".encode(), "x.txt")
    assert values_by_code(table) == {"P01": "1,234"}


def test_it_refuses_nul_bytes_naming_the_line() -> None:
    error = rejected(b"code,value\nP01,1\nP02,\x002\n", "x.csv")
    assert (error.rule_code, error.row) == ("FILE_NUL_BYTES", 3)
    assert "3" in error.message_zh


def test_it_refuses_utf16_without_a_bom() -> None:
    error = rejected("代码\t数值\nP01\t1\n".encode("utf-16-le"), "x.txt")
    assert error.rule_code == "FILE_ENCODING"


def test_it_refuses_text_in_an_unknown_encoding_naming_the_line() -> None:
    error = rejected(b"code,value\nP01,1\n\x80\x80,2\n", "x.csv")
    assert (error.rule_code, error.row) == ("FILE_ENCODING", 3)


def test_it_refuses_an_oversized_csv_field_as_corrupt() -> None:
    data = b"code,value\nP01,1\nP02," + b'"' + b"x" * 200_000 + b'"\n'
    error = rejected(data, "x.csv")
    assert (error.rule_code, error.row) == ("FILE_CORRUPT", 3)


# --- hostile and broken files ----------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b" , ,\n"])
def test_it_refuses_an_empty_file(data: bytes) -> None:
    assert rejected(data, "x.csv").rule_code == "FILE_EMPTY"


def test_it_refuses_a_file_above_the_size_limit_before_parsing(monkeypatch) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("parsed a file that is too large")

    monkeypatch.setattr(_formats, "open_book", boom)
    error = rejected(sample("template.xlsx"), max_bytes=1000)
    assert error.rule_code == "FILE_TOO_LARGE"
    assert "MB" in error.message_zh


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200),
        b"\x7fELF\x02\x01\x01" + bytes(200),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"\x89PNG\r\n\x1a\n" + bytes(100),
        b"\x1f\x8b\x08\x00" + bytes(100),
        random.Random(7).randbytes(5000),
    ],
    ids=["exe", "elf", "pdf", "png", "gzip", "random"],
)
def test_it_refuses_what_is_not_a_spreadsheet(data: bytes) -> None:
    assert rejected(data, "renamed.xlsx").rule_code == "FILE_NOT_SPREADSHEET"


def test_it_takes_the_extension_as_a_hint_for_undecodable_text() -> None:
    data = b"\x80\x81\x82 not text \xff\xfe" * 10
    assert rejected(data, "x.csv").rule_code == "FILE_ENCODING"
    assert rejected(data, "x.xlsx").rule_code == "FILE_NOT_SPREADSHEET"


def test_it_names_an_html_page_saved_as_xls() -> None:
    error = rejected(
        b"<html><body><table><tr><td>code</td></tr></table></body></html>", "export.xls"
    )
    assert error.rule_code == "FILE_NOT_SPREADSHEET"
    assert "HTML" in error.message_zh


def test_it_refuses_a_word_document_and_a_plain_zip() -> None:
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert rejected(docx.getvalue()).rule_code == "FILE_NOT_SPREADSHEET"
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("data.csv", "code,value\n")
    assert rejected(plain.getvalue()).rule_code == "FILE_NOT_SPREADSHEET"


def test_it_refuses_a_truncated_zip() -> None:
    data = sample("template.xlsx")
    assert rejected(data[: len(data) // 2]).rule_code == "FILE_CORRUPT"


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
    assert rejected(bytes(data)).rule_code == "FILE_CORRUPT"


def test_it_refuses_malformed_xml_that_the_library_chokes_on() -> None:
    data = sample("template.xlsx")
    broken = rezip(data, {template_sheet_path(data): b'<worksheet><sheetData><row r="1"><c r="A'})
    assert rejected(broken).rule_code == "FILE_CORRUPT"


def test_it_wraps_any_library_error_as_corrupt(monkeypatch) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("library bug")

    monkeypatch.setattr(_formats.python_calamine.CalamineWorkbook, "from_filelike", explode)
    assert rejected(sample("template.xlsx")).rule_code == "FILE_CORRUPT"


def zeros_zip(size: int, name: str = "xl/worksheets/sheet9.xml") -> bytes:
    return rezip(sample("template.xlsx"), add={name: b"<worksheet>" + bytes(size)})


def test_it_refuses_a_zip_bomb_by_its_declared_size() -> None:
    error = rejected(zeros_zip(2 * 1024 * 1024), max_uncompressed_bytes=1024 * 1024)
    assert error.rule_code == "FILE_ZIP_BOMB"


def test_it_refuses_a_zip_bomb_by_its_compression_ratio() -> None:
    data = zeros_zip(40 * 1024 * 1024)
    assert len(data) < 200_000
    assert rejected(data).rule_code == "FILE_ZIP_BOMB"


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
    assert error.rule_code == "FILE_ZIP_BOMB"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
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
    assert name in error.message_en


def test_it_refuses_an_entity_declaration_in_utf16_xml() -> None:
    data = sample("template.xlsx")
    content = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><workbook/>'
    ).encode("utf-16")
    assert rejected(rezip(data, {"xl/workbook.xml": content})).rule_code == "FILE_XML_ENTITIES"


def test_it_refuses_an_entity_declaration_in_an_ods() -> None:
    data = ods(table("数据", [HEADER_ROW]))
    content = BILLION_LAUGHS + part(data, "content.xml").split(b"?>", 1)[-1]
    assert rejected(rezip(data, {"content.xml": content})).rule_code == "FILE_XML_ENTITIES"


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
    error = rejected(sample("encrypted.xlsx"), "encrypted.xlsx")
    assert error.rule_code == "FILE_ENCRYPTED"
    assert "密码" in error.message_zh
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
    assert error.rule_code == "SHEET_TOO_LARGE"
    assert time.perf_counter() - started < 5


def without_positions(xml: bytes) -> bytes:
    import re

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


def test_it_refuses_more_rows_than_allowed() -> None:
    data = b"code,value\n" + b"".join(b"P%d,%d\n" % (i, i) for i in range(20))
    assert len(read(data, "x.csv", max_rows=20).rows) == 20
    error = rejected(data, "x.csv", max_rows=19)
    assert (error.rule_code, error.row) == ("TOO_MANY_ROWS", 21)


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


# --- the template's _meta sheet, and the library's own entry point ---------------------------


def test_it_reads_the_template_meta() -> None:
    assert read_template_meta(sample("template.xlsx")) == {
        "region_code": "110000",
        "cycle": "2017",
        "model": "2017",
    }


@pytest.mark.parametrize(
    "name", ["bulk.xlsx", "template_utf8.csv", "template.xls", "template.ods", "encrypted.xlsx"]
)
def test_it_finds_no_meta_where_there_is_none(name: str) -> None:
    assert read_template_meta(sample(name)) is None


def test_it_reads_no_meta_from_a_hostile_file() -> None:
    data = sample("template.xlsx")
    hostile = rezip(data, {"xl/workbook.xml": BILLION_LAUGHS + b"<workbook/>"})
    assert read_template_meta(hostile) is None
    assert read_template_meta(b"") is None


def test_it_keeps_the_library_create_dataset_working() -> None:
    dataset = _formats.XLSX().create_dataset(sample("bulk.xlsx"))
    assert dataset.headers == ["region_code", "element_code", "value", "note", "year"]
    assert dataset[0][:3] == (110000.0, "P01", 2170.7)
    csv_dataset = _formats.CSV().create_dataset(sample("template_gb18030.csv"))
    assert csv_dataset.headers[:2] == ["代码", "名称"]
    # The data sheet is preferred here too; its first row is the title.
    xls_dataset = _formats.XLS().create_dataset(sample("template.xls"))
    assert xls_dataset.headers[0] == "信息化发展评价数据填报模板（2017年）— 北京市"

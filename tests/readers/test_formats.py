"""Every format the readers accept, from the samples: the sheet, the header, the cells."""

from __future__ import annotations

import pytest

from readers import BULK_FIELDS
from tests.readers.helpers import TEMPLATE_VALUES, read, sample, values_by_code


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

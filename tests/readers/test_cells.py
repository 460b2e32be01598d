"""Cells as the user sees them: merged ranges, formulas, errors, percentages, dates."""

from __future__ import annotations

import datetime as dt
import time

import openpyxl
import pytest

from tests.readers.helpers import (
    ODS_HEADER_ROW,
    ods,
    ods_number,
    ods_table,
    ods_text,
    part,
    read,
    rejected,
    rezip,
    sample,
    simple_sheet,
    values_by_code,
    xlsx,
)

# --- merged cells ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["merged_data.xlsx", "merged_data.xls", "merged_data.ods"])
def test_it_refuses_merged_cells_in_the_data_area(name: str) -> None:
    error = rejected(sample(name), name)
    assert error.rule_code == "MERGED_CELLS"
    assert (error.sheet, error.row, error.column) == ("填报数据", 3, "C")
    assert error.params == {"cells": "C3:C4"}


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


def test_it_ignores_uncached_formulas_in_columns_it_does_not_read() -> None:
    data = simple_sheet([["代码", "数值", "辅助"], ["P01", 1, "=B2*2"]])
    assert values_by_code(read(data)) == {"P01": 1}


def test_it_names_an_uncached_formula_when_it_hides_the_header() -> None:
    data = simple_sheet([["代码", "=\"数\"&\"值\""], ["P01", 1]])
    error = rejected(data)
    assert (error.rule_code, error.sheet, error.row, error.column) == (
        "FORMULA_NO_CACHED_VALUE",
        "填报数据",
        1,
        "B",
    )


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

    assert values_by_code(read(xlsx(build))) == {"I11": "12.5%", "I12": "50%", "P01": 0.5}


def test_it_shows_error_cells_by_their_text() -> None:
    data = simple_sheet([["代码", "数值"], ["P01", 1]])
    path = "xl/worksheets/sheet1.xml"
    number, error = b'<c r="B2" t="n"><v>1</v></c>', b'<c r="B2" t="e"><v>#N/A</v></c>'
    xml = part(data, path).replace(number, error)
    assert b't="e"' in xml
    assert values_by_code(read(rezip(data, {path: xml}))) == {"P01": "#N/A"}


def test_it_reads_date_cells_as_dates() -> None:
    data = simple_sheet([["代码", "数值"], ["P01", dt.date(2017, 3, 1)]])
    assert values_by_code(read(data))["P01"] == dt.date(2017, 3, 1)


# --- ods details (hand-written content.xml) --------------------------------------------------


def test_it_reads_a_minimal_ods_and_skips_its_hidden_table() -> None:
    data = ods(
        ods_table("隐藏", [ODS_HEADER_ROW, ods_text("HIDDEN") + ods_number(1)], "ta2")
        + ods_table("数据", [ODS_HEADER_ROW, ods_text("P01") + ods_number(2.5)])
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
    data = ods(
        ods_table(
            "数据", [ODS_HEADER_ROW, ods_text("P01") + error_cell, ods_text("I11") + percent]
        )
    )
    assert values_by_code(read(data)) == {"P01": "#DIV/0!", "I11": "12.5%"}


def test_it_refuses_an_ods_formula_without_a_value() -> None:
    formula = '<table:table-cell table:formula="of:=1+1"/>'
    error = rejected(ods(ods_table("数据", [ODS_HEADER_ROW, ods_text("P01") + formula])))
    assert (error.rule_code, error.row, error.column) == ("FORMULA_NO_CACHED_VALUE", 2, "B")


def test_it_refuses_merged_ods_cells_in_the_data_area() -> None:
    spanned = ods_number(1, ' table:number-rows-spanned="2" table:number-columns-spanned="1"')
    covered = "<table:covered-table-cell/>"
    data = ods(
        ods_table("数据", [ODS_HEADER_ROW, ods_text("P01") + spanned, ods_text("P02") + covered])
    )
    error = rejected(data)
    assert (error.rule_code, error.row, error.column) == ("MERGED_CELLS", 2, "B")
    assert error.params == {"cells": "B2:B3"}


def test_it_refuses_an_ods_whose_repeats_make_a_huge_grid() -> None:
    huge = (
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" '
        'office:value="1"/></table:table-row>'
    )
    data = ods(
        ods_table("数据", [ODS_HEADER_ROW]).replace("</table:table>", huge + "</table:table>")
    )
    started = time.perf_counter()
    error = rejected(data)
    assert time.perf_counter() - started < 5
    assert (error.rule_code, error.sheet) == ("SHEET_TOO_LARGE", "数据")
    assert error.params == {"rows": 1_000_001, "cols": 1000}

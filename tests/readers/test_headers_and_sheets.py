"""Which sheet is read, and where its header row is."""

from __future__ import annotations

import openpyxl
import pytest

from readers import BULK_FIELDS, TEMPLATE_FIELDS, Detail, normalise_header
from tests.readers.helpers import read, rejected, simple_sheet, values_by_code, xlsx

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
    assert (error.rule_code, error.detail, error.sheet) == ("NO_HEADER", Detail.IN_ONE_SHEET,
                                                            "填报数据")
    assert error.params["rows"] == 30


def test_it_lists_the_accepted_headers_when_there_is_none() -> None:
    error = rejected(b"a,b\n1,2\n", "x.csv")
    assert (error.rule_code, error.detail) == ("NO_HEADER", Detail.IN_TEXT)
    assert error.params["fields"] == [TEMPLATE_FIELDS[0].aliases, TEMPLATE_FIELDS[1].aliases]
    bulk = rejected(b"a,b\n1,2\n", "x.csv", fields=BULK_FIELDS)
    assert [aliases[:2] for aliases in bulk.params["fields"]] == [  # type: ignore[attr-defined]
        ("region_code", "地区代码"),
        ("element_code", "代码"),
        ("value", "数值"),
    ]


def test_it_refuses_two_columns_for_one_field() -> None:
    error = rejected(simple_sheet([["代码", "数值", "本年数值"], ["P01", 1, 2]]))
    assert error.rule_code == "DUPLICATE_HEADER"
    assert (error.sheet, error.row, error.column) == ("填报数据", 1, "C")
    assert error.params == {"field": "本年数值", "headers": [("B", "数值"), ("C", "本年数值")]}


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

    error = rejected(xlsx(build))
    assert (error.rule_code, error.detail, error.sheet) == ("NO_HEADER", Detail.IN_ONE_SHEET,
                                                            "Sheet")


def test_it_says_when_no_sheet_is_visible_or_several_are() -> None:
    def several(workbook: openpyxl.Workbook) -> None:
        workbook.active.append(["说明"])
        workbook.create_sheet("其他").append(["x"])

    error = rejected(xlsx(several))
    assert (error.rule_code, error.detail, error.sheet) == ("NO_HEADER", Detail.IN_ANY_SHEET, None)

    def none_visible(workbook: openpyxl.Workbook) -> None:
        workbook.create_chartsheet("图表", 0)
        workbook.worksheets[0].sheet_state = "hidden"

    error = rejected(xlsx(none_visible))
    assert (error.rule_code, error.detail) == ("NO_HEADER", Detail.NO_VISIBLE_SHEET)

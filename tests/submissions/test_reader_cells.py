"""The readers' cells as the value parser takes them: what a user typed reaches the unit rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from submissions.values import ValueParseError, parse_value
from tests.readers.helpers import read, sample, simple_sheet, values_by_code, xlsx

UNITS = {"P01": "万人", "P02": "万户", "P03": "个", "E101": "万人", "E102": "分",
         "E401": "万户", "E601": "级"}


def test_it_gives_cells_the_value_parser_reads() -> None:
    parsed: dict[str, object] = {}
    for row in read(sample("template.xlsx")).rows:
        code = str(row.cells["code"].value)
        try:
            parsed[code] = parse_value(row.cells["value"].value, unit=UNITS[code])
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


def test_it_gives_percent_cells_as_shown_so_the_percent_unit_applies() -> None:
    def build(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.active
        sheet.append(["代码", "数值"])
        sheet.append(["I11", 0.125])
        sheet["B2"].number_format = "0.0%"

    value = values_by_code(read(xlsx(build)))["I11"]
    assert parse_value(value, unit="%") == Decimal("12.5")


def test_it_gives_date_cells_as_dates_for_the_parser_to_refuse() -> None:
    value = values_by_code(read(simple_sheet([["代码", "数值"], ["P01", dt.date(2017, 3, 1)]])))
    with pytest.raises(ValueParseError) as caught:
        parse_value(value["P01"], unit="万人")
    assert caught.value.rule_code == "DATE_NOT_ALLOWED"

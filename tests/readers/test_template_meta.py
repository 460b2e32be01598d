"""The hidden "_meta" sheet of the platform's templates."""

from __future__ import annotations

import pytest

from readers import read_template_meta
from tests.readers.helpers import BILLION_LAUGHS, rezip, sample


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

"""CSV and text files: encodings, delimiters, line numbers, and text that is not a table."""

from __future__ import annotations

import pytest

from readers import Detail
from tests.readers.helpers import read, rejected, values_by_code


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


def test_it_skips_rows_whose_fields_are_blank_or_white_space() -> None:
    table = read(b"code,value,other\n , ,x\n\t,,\nP01,1,\n", "x.csv")
    assert [(r.number, r.cells["code"].value) for r in table.rows] == [(4, "P01")]


def test_it_refuses_nul_bytes_naming_the_line() -> None:
    error = rejected(b"code,value\nP01,1\nP02,\x002\n", "x.csv")
    assert (error.rule_code, error.row) == ("FILE_NUL_BYTES", 3)


def test_it_refuses_utf16_without_a_bom() -> None:
    error = rejected("代码\t数值\nP01\t1\n".encode("utf-16-le"), "x.txt")
    assert (error.rule_code, error.detail, error.row) == (
        "FILE_ENCODING",
        Detail.UTF16_WITHOUT_BOM,
        None,
    )


def test_it_refuses_text_in_an_unknown_encoding_naming_the_line() -> None:
    error = rejected(b"code,value\nP01,1\n\x80\x80,2\n", "x.csv")
    assert (error.rule_code, error.detail, error.row) == ("FILE_ENCODING", None, 3)


def test_it_refuses_an_oversized_csv_field_as_corrupt() -> None:
    data = b"code,value\nP01,1\nP02," + b'"' + b"x" * 200_000 + b'"\n'
    error = rejected(data, "x.csv")
    assert (error.rule_code, error.detail, error.row) == ("FILE_CORRUPT", Detail.CSV_RECORD, 3)
    assert "field larger than field limit" in str(error.params["reason"])


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b" , ,\n"])
def test_it_refuses_an_empty_file(data: bytes) -> None:
    assert rejected(data, "x.csv").rule_code == "FILE_EMPTY"


def test_it_takes_the_extension_as_a_hint_for_undecodable_text() -> None:
    data = b"\x80\x81\x82 not text \xff\xfe" * 10
    assert rejected(data, "x.csv").rule_code == "FILE_ENCODING"
    assert rejected(data, "x.xlsx").rule_code == "FILE_NOT_SPREADSHEET"


def test_it_names_an_html_page_saved_as_xls() -> None:
    error = rejected(
        b"<html><body><table><tr><td>code</td></tr></table></body></html>", "export.xls"
    )
    assert (error.rule_code, error.detail) == ("FILE_NOT_SPREADSHEET", Detail.HTML_OR_XML)


def test_it_refuses_more_rows_than_allowed() -> None:
    data = b"code,value\n" + b"".join(b"P%d,%d\n" % (i, i) for i in range(20))
    assert len(read(data, "x.csv", max_rows=20).rows) == 20
    error = rejected(data, "x.csv", max_rows=19)
    assert (error.rule_code, error.sheet, error.row) == ("TOO_MANY_ROWS", None, 21)
    assert error.params == {"max_rows": 19}

"""The cell value parser: what people type in a value cell, to a Decimal, None or an error."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from submissions.values import ValueParseError, parse_value


def full_width(text: str) -> str:
    """The full-width form of printable ASCII, as a Chinese input method types it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def group_thousands(integer: str, separator: str = ",") -> str:
    head = len(integer) % 3 or 3
    groups = [integer[:head]] + [integer[i : i + 3] for i in range(head, len(integer), 3)]
    return separator.join(groups)


def error_of(raw: object, unit: str = "万人") -> ValueParseError:
    with pytest.raises(ValueParseError) as caught:
        parse_value(raw, unit=unit)
    return caught.value


# --- properties ------------------------------------------------------------------------------

decimal_strings = st.builds(
    lambda sign, integer, fraction, exponent: sign + integer + fraction + exponent,
    st.sampled_from(["", "+", "-"]),
    st.from_regex(r"[0-9]{1,15}", fullmatch=True),
    st.sampled_from(["", "."]) | st.from_regex(r"\.[0-9]{1,6}", fullmatch=True),
    st.sampled_from(["", "E+05", "e-3", "E2"]),
)


@given(decimal_strings)
@example("１２．５")
def test_it_parses_the_full_width_form_as_the_half_width_form(text: str) -> None:
    half = unicodedata.normalize("NFKC", text)
    assert parse_value(full_width(half), unit="万人") == parse_value(half, unit="万人")


@given(
    st.from_regex(r"[1-9][0-9]{0,14}", fullmatch=True),
    st.sampled_from(["", ".5", ".25", ".0"]),
    st.sampled_from([",", "，"]),
)
def test_it_reads_thousands_separators_in_groups_of_three(
    integer: str, fraction: str, separator: str
) -> None:
    grouped = group_thousands(integer, separator) + fraction
    assert parse_value(grouped, unit="个") == Decimal(integer + fraction)
    assert parse_value(full_width(grouped.replace("，", ",")), unit="个") == Decimal(
        integer + fraction
    )


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**18), max_value=10**18))
def test_it_round_trips_any_decimal_as_text(value: Decimal) -> None:
    assert parse_value(str(value), unit="分") == value


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e18, max_value=1e18))
def test_it_reads_floats_through_their_shortest_repr(value: float) -> None:
    assume(value == 0 or abs(value) >= 1e-60)
    assert parse_value(value, unit="分") == Decimal(repr(value))


# Letters that cannot be part of a number: every Latin letter but e/E, in both widths. The only
# letters a number may contain are the exponent's e/E and the element's unit, and the only
# lettered "no value" token is N/A; those are kept out (see assume below).
latin_letters = st.sampled_from(
    [c for c in "abcdfghijklmnopqrstuvwxyzABCDFGHIJKLMNOPQRSTUVWXYZ"]
    + [full_width(c) for c in "abcdfghijklmnopqrstuvwxyzABCDFGHIJKLMNOPQRSTUVWXYZ"]
)


@given(st.text(max_size=12), latin_letters, st.text(max_size=12))
@example("12.5", "x", "")
@example("1", "O", "0")
@example("", "l", "23")
def test_it_never_reads_text_with_letters_as_a_number(before: str, letter: str, after: str) -> None:
    text = before + letter + after
    assume(unicodedata.normalize("NFKC", text).strip().casefold() != "n/a")
    with pytest.raises(ValueParseError):
        parse_value(text, unit="万人")


@given(decimal_strings, st.sampled_from([" ", "\u00a0", "\u3000", "\t", " \u3000 "]))
def test_it_ignores_surrounding_spaces(text: str, space: str) -> None:
    assert parse_value(space + text + space, unit="万人") == parse_value(text, unit="万人")


# --- numbers as read from spreadsheets -------------------------------------------------------


def test_it_keeps_a_float_as_its_shortest_decimal() -> None:
    assert parse_value(0.1, unit="万人") == Decimal("0.1")
    assert str(parse_value(0.1, unit="万人")) == "0.1"
    assert parse_value(2170.7, unit="万人") == Decimal("2170.7")


def test_it_reads_ints_and_decimals() -> None:
    assert parse_value(3, unit="个") == Decimal(3)
    assert parse_value(Decimal("12.50"), unit="分") == Decimal("12.50")


@pytest.mark.parametrize("raw", [True, False])
def test_it_refuses_booleans(raw: bool) -> None:
    error = error_of(raw)
    assert error.rule_code == "NOT_A_NUMBER"
    assert "逻辑值" in error.message_zh


@pytest.mark.parametrize(
    "raw", [dt.date(2017, 1, 2), dt.datetime(2017, 1, 2, 3, 4), dt.time(12, 0), dt.timedelta(1)]
)
def test_it_refuses_dates_and_times(raw: object) -> None:
    error = error_of(raw)
    assert error.rule_code == "DATE_NOT_ALLOWED"
    assert "日期" in error.message_zh and "date" in error.message_en


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")])
def test_it_refuses_nan_and_infinity(raw: object) -> None:
    assert error_of(raw).rule_code == "NOT_A_NUMBER"


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "inf", "1_000", "١٢", "0x1F"])
def test_it_refuses_what_python_would_accept_but_people_do_not_type(raw: str) -> None:
    assert error_of(raw).rule_code == "NOT_A_NUMBER"


def test_it_refuses_other_objects() -> None:
    assert error_of(object()).rule_code == "NOT_A_NUMBER"
    assert error_of([1]).rule_code == "NOT_A_NUMBER"


# --- text as people type it ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2170.7", "2170.7"),
        ("１２．５", "12.5"),
        ("１，２３４", "1234"),
        ("1,234,567", "1234567"),
        ("1，234，567.89", "1234567.89"),
        ("+5", "5"),
        ("＋５", "5"),
        ("-3.5", "-3.5"),
        ("－３．５", "-3.5"),
        ("\u22123.5", "-3.5"),
        ("1.2E+05", "120000"),
        ("１．２Ｅ＋０５", "120000"),
        ("1e-3", "0.001"),
        (".5", "0.5"),
        ("5.", "5"),
        ("007", "7"),
        ("\u00a012.5\u00a0", "12.5"),
        ("\u300012.5\u3000", "12.5"),
        ("\u200b12.5\ufeff", "12.5"),
    ],
)
def test_it_reads_numbers_as_typed(raw: str, expected: str) -> None:
    assert parse_value(raw, unit="万人") == Decimal(expected)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "\u3000",
        "—",
        "——",
        "–",
        "-",
        "－",
        "/",
        "／",
        "无",
        "N/A",
        "n/a",
        "Ｎ／Ａ",
        " N/A ",
    ],
)
def test_it_reads_no_value_tokens_as_none(raw: object) -> None:
    assert parse_value(raw, unit="万人") is None


@pytest.mark.parametrize("raw", ["NA", "null", "None", "nan", "暂无", "空"])
def test_it_refuses_lookalike_tokens_and_says_how_to_write_no_value(raw: str) -> None:
    error = error_of(raw)
    assert error.rule_code == "NOT_A_NUMBER"
    assert "N/A" in error.message_zh and "N/A" in error.message_en


@pytest.mark.parametrize(
    "raw", ["1,5", "12,34", "1,2345", "1234,567", ",123", "1,234,56", "1.234,5", "1 234", "1'234"]
)
def test_it_refuses_thousands_separators_out_of_groups_of_three(raw: str) -> None:
    assert error_of(raw, unit="个").rule_code == "NOT_A_NUMBER"


@pytest.mark.parametrize(
    "raw", ["2170.7万人", "2170.7 万人", "２１７０．７万人", "2170.7\u3000万人"]
)
def test_it_accepts_the_elements_own_unit(raw: str) -> None:
    assert parse_value(raw, unit="万人") == Decimal("2170.7")


def test_it_accepts_the_unit_of_other_elements_too() -> None:
    assert parse_value("3级", unit="级") == Decimal(3)
    assert parse_value("85分", unit="分") == Decimal(85)
    assert parse_value("3915个", unit="个") == Decimal(3915)


@pytest.mark.parametrize("raw", ["2170.7万户", "2170.7万", "2170.7人", "12 kg", "3‰"])
def test_it_names_a_different_unit(raw: str) -> None:
    error = error_of(raw, unit="万人")
    assert error.rule_code == "UNIT_MISMATCH"
    assert "万人" in error.message_zh and raw in error.message_zh


@pytest.mark.parametrize("raw", ["12.5%", "12.5 %", "１２．５％"])
def test_it_reads_percent_only_for_percent_elements(raw: str) -> None:
    assert parse_value(raw, unit="%") == Decimal("12.5")
    error = error_of(raw, unit="万人")
    assert error.rule_code == "PERCENT_NOT_ALLOWED"
    assert "%" in error.message_zh


@pytest.mark.parametrize("raw", ["#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "Err:502"])
def test_it_names_formula_errors(raw: str) -> None:
    error = error_of(raw)
    assert error.rule_code == "CELL_ERROR"
    assert raw in error.message_zh


@pytest.mark.parametrize(
    "raw",
    [
        "12.5x",
        "abc",
        "1.2.3",
        "--5",
        "+-5",
        "5-",
        "- 5",
        "(123)",
        "1e",
        "e5",
        ".",
        "12..5",
        "一千",
        "1/2",
        "½",
    ],
)
def test_it_refuses_anything_else_without_guessing(raw: str) -> None:
    assert error_of(raw).rule_code in {"NOT_A_NUMBER", "UNIT_MISMATCH"}


def test_it_names_what_was_found_in_both_languages() -> None:
    error = error_of("１２．５ｘ")
    assert error.rule_code == "NOT_A_NUMBER"
    assert error.message_zh == "「１２．５ｘ」不是数值"
    assert error.message_en == '"１２．５ｘ" is not a number'
    assert isinstance(error, ValueError)


def test_it_shortens_long_text_in_messages() -> None:
    error = error_of("x" * 500)
    assert len(error.message_zh) < 80


@pytest.mark.parametrize("raw", ["1E+25", "1e21", 1e300, "1E-999999", 10**30, 4e-307])
def test_it_refuses_numbers_out_of_any_plausible_range(raw: object) -> None:
    assert error_of(raw).rule_code == "NUMBER_OUT_OF_BOUNDS"


def test_it_keeps_large_but_plausible_numbers() -> None:
    assert parse_value("999999999999999999999", unit="个") == Decimal("999999999999999999999")
    assert parse_value("-1,000,000,000,000", unit="个") == Decimal(-(10**12))

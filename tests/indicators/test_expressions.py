"""The safe expression language of formulas and rules: what it computes and what it refuses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from indicators.expressions import MAX_EXPRESSION_LENGTH, ExpressionError, parse_expression

# --- What it computes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("E101 / P01 * 100", {"E101": 50.0, "P01": 200.0}, 25.0),
        ("P01 + P02", {"P01": 1.5, "P02": 2.25}, 3.75),
        ("P01 - P02", {"P01": 1.0, "P02": 3.0}, -2.0),
        ("P01 * 3", {"P01": 2.5}, 7.5),
        ("E202", {"E202": 61.3}, 61.3),
        ("42", {}, 42.0),
        ("0.5 * P01", {"P01": 10.0}, 5.0),
    ],
)
def test_it_evaluates_arithmetic_over_floats(text, values, expected):
    assert parse_expression(text).evaluate(values) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P01 + P02 * P03", 2 + 3 * 4),       # * binds tighter than +
        ("(P01 + P02) * P03", (2 + 3) * 4),   # parentheses win
        ("P01 - P02 - P03", (2 - 3) - 4),     # left associative
        ("P03 / P01 / P01", (4 / 2) / 2),     # left associative
        ("P01 + P03 / P01", 2 + 4 / 2),
        ("-P01 * P02", -6),
        ("-(P01 + P02)", -5),
        ("P01 - -P02", 5),
        ("+P01", 2),
    ],
)
def test_it_follows_operator_precedence_and_unary_minus(text, expected):
    values = {"P01": 2.0, "P02": 3.0, "P03": 4.0}
    assert parse_expression(text).evaluate(values) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("E101 <= P01", True),
        ("E101 < P01", True),
        ("E101 >= P01", False),
        ("E101 > P01", False),
        ("E101 == P01", False),
        ("E101 != P01", True),
        ("E101 * 2 == P01", True),
        ("0 <= E101 <= P01", True),
        ("0 <= P01 <= E101", False),
    ],
)
def test_it_evaluates_comparisons(text, expected):
    expression = parse_expression(text)
    assert expression.is_comparison is True
    assert bool(expression.evaluate({"E101": 50.0, "P01": 100.0})) is expected


def test_it_reports_the_codes_it_reads_and_whether_it_compares():
    expression = parse_expression("  E101 / P01 * 100  ")
    assert expression.codes == frozenset({"E101", "P01"})
    assert expression.is_comparison is False
    assert expression.text == "E101 / P01 * 100"


def test_it_raises_on_division_by_zero_over_floats():
    with pytest.raises(ZeroDivisionError):
        parse_expression("E503 / E502 * 100").evaluate({"E503": 3.0, "E502": 0.0})


def test_it_evaluates_element_wise_over_numpy_arrays():
    expression = parse_expression("E101 / P01 * 100")
    result = expression.evaluate({"E101": np.array([50.0, 30.0, 0.0]),
                                  "P01": np.array([100.0, 60.0, 10.0])})
    assert isinstance(result, np.ndarray)
    np.testing.assert_allclose(result, [50.0, 50.0, 0.0])


def test_it_evaluates_unary_minus_and_constants_over_numpy_arrays():
    result = parse_expression("-P01 + 10").evaluate({"P01": np.array([1.0, 2.0, 12.0])})
    np.testing.assert_allclose(result, [9.0, 8.0, -2.0])


def test_it_evaluates_comparisons_element_wise_over_numpy_arrays():
    expression = parse_expression("E101 <= P01")
    result = expression.evaluate({"E101": np.array([1.0, 5.0, 3.0]),
                                  "P01": np.array([2.0, 4.0, 3.0])})
    assert result.tolist() == [True, False, True]


def test_it_evaluates_a_comparison_chain_element_wise_over_numpy_arrays():
    expression = parse_expression("0 <= E101 <= P01")
    result = expression.evaluate({"E101": np.array([-1.0, 5.0, 3.0, 2.0]),
                                  "P01": np.array([2.0, 4.0, 3.0, 9.0])})
    assert result.tolist() == [False, False, True, True]


def test_it_yields_inf_and_nan_over_numpy_arrays_on_zero_divisors():
    with np.errstate(divide="ignore", invalid="ignore"):
        result = parse_expression("E503 / E502").evaluate({"E503": np.array([1.0, 0.0, 2.0]),
                                                           "E502": np.array([0.0, 0.0, 4.0])})
    assert math.isinf(result[0])
    assert math.isnan(result[1])
    assert result[2] == pytest.approx(0.5)


# --- What it refuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",                  # a call
        "__import__('os').system('true')",
        "P01.real",                          # attribute access
        "P01[0]",                            # subscript
        "'P01'",                             # a string
        "lambda: 1",
        "P01 ** 2",
        "P01 % 2",
        "P01 // 2",
        "P01 and P02",                       # boolean ops
        "P01 or P02",
        "not P01",
        "os",                                # a name that is not a code
        "open",
        "p01",                               # codes are upper case
        "True",
        "None",
        "1j",
        "P01 if P02 else P03",
        "(P01 := 1)",
        "[P01]",
        "f'{P01}'",
        "P01 in P02",
        "P01 is P02",
        "(P01 < P02) + 1",                   # a comparison inside arithmetic
        "P01 & P02",
        "P01 << 1",
        "P01; P02",
        "import os",
    ],
)
def test_it_refuses_anything_outside_the_language(text):
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_it_names_the_refused_construct_in_its_message():
    with pytest.raises(ExpressionError, match="Call is not allowed"):
        parse_expression("__import__('os')")
    with pytest.raises(ExpressionError, match="Attribute is not allowed"):
        parse_expression("P01.real")
    with pytest.raises(ExpressionError, match="Pow is not allowed"):
        parse_expression("P01 ** 2")
    with pytest.raises(ExpressionError, match="'os' is not an element code"):
        parse_expression("os")


def test_it_refuses_unknown_codes_when_the_known_codes_are_given():
    known = frozenset({"E101", "P01"})
    assert parse_expression("E101 <= P01", known_codes=known).codes == known
    with pytest.raises(ExpressionError, match=r"unknown element code.*E999"):
        parse_expression("E999 / P01", known_codes=known)


def test_it_accepts_any_well_formed_code_when_no_known_codes_are_given():
    assert parse_expression("E999 / P01").codes == frozenset({"E999", "P01"})


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_it_refuses_empty_text(text):
    with pytest.raises(ExpressionError, match="empty"):
        parse_expression(text)


def test_it_refuses_text_that_is_not_a_string():
    with pytest.raises(ExpressionError):
        parse_expression(None)  # type: ignore[arg-type]


def test_it_refuses_over_long_text_and_accepts_text_at_the_limit():
    at_limit = "1" + " + 1" * ((MAX_EXPRESSION_LENGTH - 1) // 4)
    assert len(at_limit) <= MAX_EXPRESSION_LENGTH
    parse_expression(at_limit)
    too_long = "P01" + " + P01" * (MAX_EXPRESSION_LENGTH // 6)
    assert len(too_long) > MAX_EXPRESSION_LENGTH
    with pytest.raises(ExpressionError, match="longer than"):
        parse_expression(too_long)


def test_it_refuses_syntax_errors_with_an_expression_error():
    with pytest.raises(ExpressionError, match="not a valid expression"):
        parse_expression("E101 / ")
    with pytest.raises(ExpressionError):
        parse_expression("(" * 240 + "1" + ")" * 240)  # nesting past the parser's limit

"""A small, safe expression language for the index model's formulas and rules.

Formulas (``E101 / P01 * 100``) and cross-element rules (``E101 <= P01``) are stored as text
in the database and in model files that administrators upload. They are never given to
``eval``: Python's own parser turns the text into a syntax tree, and only a whitelist of
nodes (numbers, element codes, ``+ - * /``, unary minus, one comparison chain) is accepted.
Anything else — a call, an attribute, a subscript, a string — is refused with a message.

This module imports nothing from Django, so the pure scoring core can use it too. The same
compiled expression evaluates over plain floats (validation of one region) and over NumPy
arrays (scoring thousands of units at once).
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
MAX_EXPRESSION_LENGTH = 500

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


class ExpressionError(ValueError):
    """The text is not an expression of the model's language.

    ``reason`` names the problem for callers that say it in the user's language
    (``indicators.model_io``), ``params`` its details (texts as ``repr`` gives them); the
    exception's own text is the English message.
    """

    def __init__(self, message: str, reason: str = "", **params: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, the codes it reads and whether it is a comparison."""

    text: str
    tree: ast.expr
    codes: frozenset[str]
    is_comparison: bool

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """Evaluate over ``values`` (floats or NumPy arrays), keyed by element code.

        Division follows the operands' own rules: with floats a zero divisor raises
        ``ZeroDivisionError``; with NumPy arrays it yields ``inf``/``nan``, which callers mask.
        """
        return _evaluate(self.tree, values)


def parse_expression(
    text: str, *, known_codes: frozenset[str] | set[str] | None = None
) -> Expression:
    """Parse and check ``text``; raise :class:`ExpressionError` naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty expression", "empty")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters",
                              "too_long", limit=str(MAX_EXPRESSION_LENGTH))
    try:
        module = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not a valid expression: {text!r} ({exc.msg})", "syntax",
                              text=repr(text), detail=str(exc.msg)) from None
    tree = module.body
    codes: set[str] = set()
    is_comparison = isinstance(tree, ast.Compare)
    if is_comparison:
        assert isinstance(tree, ast.Compare)
        for part in [tree.left, *tree.comparators]:
            _check_arithmetic(part, codes, text)
        for op in tree.ops:
            if type(op) not in _COMPARE:
                raise ExpressionError(f"comparison {type(op).__name__} is not allowed in {text!r}",
                                      "operator", operator=type(op).__name__,
                                      text=repr(text))
    else:
        _check_arithmetic(tree, codes, text)
    if known_codes is not None:
        unknown = sorted(codes - set(known_codes))
        if unknown:
            raise ExpressionError(f"unknown element code(s) {', '.join(unknown)} in {text!r}",
                                  "unknown_codes", codes=", ".join(unknown), text=repr(text))
    return Expression(text=text.strip(), tree=tree, codes=frozenset(codes),
                      is_comparison=is_comparison)


def _check_arithmetic(node: ast.expr, codes: set[str], text: str) -> None:
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError(f"operator {type(node.op).__name__} is not allowed in {text!r}",
                                  "operator", operator=type(node.op).__name__, text=repr(text))
        _check_arithmetic(node.left, codes, text)
        _check_arithmetic(node.right, codes, text)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ExpressionError(f"operator {type(node.op).__name__} is not allowed in {text!r}",
                                  "operator", operator=type(node.op).__name__, text=repr(text))
        _check_arithmetic(node.operand, codes, text)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"only numbers are allowed as constants in {text!r}",
                                  "constant", text=repr(text))
    elif isinstance(node, ast.Name):
        if not CODE_RE.match(node.id):
            raise ExpressionError(f"{node.id!r} is not an element code in {text!r}", "name",
                                  name=repr(node.id), text=repr(text))
        codes.add(node.id)
    else:
        raise ExpressionError(
            f"{type(node).__name__} is not allowed in {text!r}: only numbers, element codes, "
            "+ - * / and comparisons", "node", node=type(node).__name__, text=repr(text)
        )


def _evaluate(node: ast.expr, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]  # numbers only, checked at parse
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, values), _evaluate(node.right, values))
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, values)
        result: Any = True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(comparator, values)
            step = _COMPARE[type(op)](left, right)
            result = step if result is True else result & step
            left = right
        return result
    raise ExpressionError(f"cannot evaluate {type(node).__name__}")  # unreachable after parse

"""The cell value parser: one spreadsheet or CSV cell, as read, to a ``Decimal`` or "no value".

Product rule (product.md, "Spreadsheets and files"): values are accepted as people type them, and
anything else is an error that names what was found, never a guess. Concretely:

* ``int``, ``float`` (a float goes through its shortest ``repr``, so ``0.1`` is ``Decimal("0.1")``,
  not the binary expansion) and ``Decimal``. NaN and infinities are errors. ``bool`` is an error
  (a TRUE/FALSE cell is not a number) and so are dates and times (``DATE_NOT_ALLOWED``): a
  date-formatted cell in a value column is a typing mistake we must not turn into a serial number.
* Strings, after NFKC normalisation (full-width ``１２．５``, ``１，２３４``, ``＋``, ``－``,
  ``％``, ``Ｅ`` become their ASCII forms; NBSP and the ideographic space become spaces):

  - surrounding white space is ignored, and so are the invisible U+200B/U+FEFF that come with
    text pasted from web pages (they cannot be seen, so an error about them could not be acted on);
  - "no value" tokens (``None`` is returned): blank, ``—``, ``——`` (what the dash key types in a
    Chinese input method), ``–``, ``-``, ``－``, ``/``, ``／``, ``无``, ``N/A`` in any case and
    width. ``NA``, ``null``, ``#N/A`` and the like are *not* tokens: product.md does not list them
    and each could hide a mistake (``#N/A`` is a failed lookup in Excel); the message for them
    says how to write "no value";
  - a leading ``+`` or ``-`` (negative numbers parse; the range rules reject them), and U+2212
    MINUS SIGN as ``-`` (pasted from Word/PDF; it cannot mean anything else);
  - thousands separators ``,`` / ``，`` only in proper groups of three in the integer part
    (``1,234,567.5``); ``1,5`` or ``12,34`` are errors, never a guess between a decimal comma and a
    grouping;
  - scientific notation as Excel shows it (``1.2E+05``);
  - a trailing unit equal to the element's unit, with or without a space (``2170.7万人``); another
    unit-like suffix is ``UNIT_MISMATCH``; ``%`` only when the element's unit is ``%``
    (``PERCENT_NOT_ALLOWED`` otherwise); ``12.5%`` means 12.5 in a ``%`` element, not 0.125;
  - Excel error values (``#DIV/0!``, ``#REF!``, …) are ``CELL_ERROR``.

* A bound: a non-zero number whose magnitude is 1e21 or more, or below 1e-60, is
  ``NUMBER_OUT_OF_BOUNDS``. No statistic of the index comes near either, and an unbounded
  exponent would let one cell make later work blow up (``int()`` or ``format(value, "f")`` of
  ``1E+999999`` is a million digits).

The ``无`` token is "no value" for every element, as product.md says, including the ordinal
elements whose level 0 is named 无; see the report to the lead.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.i18n import in_both_languages, pick

__all__ = [
    "CELL_ERROR",
    "DATE_NOT_ALLOWED",
    "NOT_A_NUMBER",
    "NUMBER_OUT_OF_BOUNDS",
    "PERCENT_NOT_ALLOWED",
    "UNIT_MISMATCH",
    "ValueParseError",
    "parse_value",
]

NOT_A_NUMBER: Final = "NOT_A_NUMBER"
UNIT_MISMATCH: Final = "UNIT_MISMATCH"
PERCENT_NOT_ALLOWED: Final = "PERCENT_NOT_ALLOWED"
DATE_NOT_ALLOWED: Final = "DATE_NOT_ALLOWED"
CELL_ERROR: Final = "CELL_ERROR"
NUMBER_OUT_OF_BOUNDS: Final = "NUMBER_OUT_OF_BOUNDS"

# Non-zero values with 1e-60 <= |value| < 1e21 keep every later Decimal operation cheap.
_MAX_ADJUSTED_EXPONENT: Final = 20
_MIN_ADJUSTED_EXPONENT: Final = -60
# Longer strings are not numbers anybody typed; the cap also bounds the work on hostile input.
_MAX_TEXT_LENGTH: Final = 200


class ValueParseError(ValueError):
    """A cell that is not a number. ``rule_code`` is stable (used to store and count issues);
    the message, a gettext template filled with ``params``, is kept in both languages
    (``message_zh``, ``message_en``: a validation issue stores both) and ``message`` is the
    one of the active language."""

    def __init__(self, rule_code: str, text: Promise, **params: object) -> None:
        self.rule_code = rule_code
        self.message_zh, self.message_en = in_both_languages(text, **params)
        super().__init__(self.message_en)

    @property
    def message(self) -> str:
        return pick(self.message_zh, self.message_en)


# The messages; {shown} is the value as typed.
NOT_A_NUMBER_MESSAGE: Final = _("「{shown}」不是数值")
NO_VALUE_HINT: Final = _("「{shown}」不是数值；没有数值时请留空，或填写“无”“—”“N/A”")
OUT_OF_BOUNDS_MESSAGE: Final = _(
    "「{shown}」超出可处理的数值范围（非零数值的绝对值应在 1E-60 与 1E+21 之间）")
LOGICAL_MESSAGE: Final = _("「{shown}」是逻辑值，不是数值")
DATE_MESSAGE: Final = _(
    "「{shown}」是日期或时间，不是数值；请把单元格格式改为“数值”或“常规”后重新输入")
CELL_ERROR_MESSAGE: Final = _(
    "「{shown}」是公式的错误结果，不是数值；请在 Excel 中修正公式或直接填写数值")
PERCENT_MESSAGE: Final = _("「{shown}」带有百分号，但该数据项的单位是“{unit}”，请填写不带 % 的数值")
UNIT_MESSAGE: Final = _(
    "「{shown}」的单位“{found}”与该数据项的单位“{unit}”不一致，请换算为“{unit}”后只填写数值")


# [0-9] and not \d: \d matches every Unicode digit, and Decimal() accepts those too.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?").fullmatch
# The fast path: plain ASCII decimals, nearly all the cells of a machine-written file. Without
# an exponent and within 21 characters a number is inside the bounds, so no check is needed.
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)").fullmatch
_FAST_LENGTH: Final = 21

# The general form, applied after NFKC and stripping: sign, integer part with or without proper
# groups of three, fraction, exponent, then whatever follows (a unit, a percent sign, junk).
_NUMBER_WITH_SUFFIX = re.compile(
    r"""
    (?P<sign>[+-]?)
    (?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)
    (?:\.(?P<frac>[0-9]*))?
    (?P<exp>[eE][+-]?[0-9]+)?
    (?P<rest>.*)
    """,
    re.VERBOSE | re.DOTALL | re.ASCII,
).fullmatch

_NO_VALUE_TOKENS: Final = frozenset({"", "—", "——", "–", "-", "/", "无", "n/a"})
# Tokens people use for "no value" that product.md does not list: rejected, with a hint.
_LOOKALIKE_TOKENS: Final = frozenset({"na", "null", "none", "nil", "n.a.", "nan", "空", "暂无"})
_EXCEL_ERRORS: Final = frozenset(
    {
        "#null!",
        "#div/0!",
        "#value!",
        "#ref!",
        "#name?",
        "#num!",
        "#n/a",
        "#getting_data",
        "#spill!",
        "#calc!",
        "#field!",
        "#blocked!",
        "#unknown!",
        "err:502",
        "err:504",
        "err:508",
        "err:511",
        "err:522",
        "err:523",
    }
)
# Characters str.strip() leaves but that nobody can see in a cell.
_INVISIBLE: Final = "\u200b\u200c\u200d\u2060\ufeff"
# Suffixes that are unit-like: a "12.5万户" in a 万人 column is a unit mismatch rather than a
# "not a number". Anything made of CJK ideographs counts, plus a few Latin/symbol units.
_CJK_SUFFIX = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{1,6}").fullmatch
_OTHER_UNITS: Final = frozenset({"‰", "‱", "kg", "km", "m", "t", "ha", "gb", "tb", "mb", "kb"})
_MAX_SHOWN: Final = 40


def _shown(raw: object) -> str:
    """The value as the message shows it: as typed, cut short if long."""
    text = raw if isinstance(raw, str) else repr(raw) if isinstance(raw, float) else str(raw)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _not_a_number(raw: object, text: Promise = NOT_A_NUMBER_MESSAGE) -> ValueParseError:
    return ValueParseError(NOT_A_NUMBER, text, shown=_shown(raw))


def _checked(value: Decimal, raw: object) -> Decimal:
    if not value.is_finite():
        raise _not_a_number(raw)
    if value and not _MIN_ADJUSTED_EXPONENT <= value.adjusted() <= _MAX_ADJUSTED_EXPONENT:
        raise ValueParseError(NUMBER_OUT_OF_BOUNDS, OUT_OF_BOUNDS_MESSAGE, shown=_shown(raw))
    return value


def parse_value(raw: object, *, unit: str) -> Decimal | None:
    """Parse one cell. Returns ``None`` for "no value"; raises ``ValueParseError`` otherwise."""
    # Exact type checks first: they are the common cases and the cheapest tests.
    if type(raw) is str:
        if len(raw) <= _FAST_LENGTH and _PLAIN_DECIMAL(raw):
            return Decimal(raw)
        return _parse_text(raw, unit)
    if raw is None:
        return None
    if type(raw) is float:
        # Inside the bounds (NaN fails every comparison and takes the checked path).
        if -1e21 < raw < 1e21 and (raw == 0.0 or not -1e-60 < raw < 1e-60):
            return Decimal(float.__repr__(raw))
        return _parse_number(raw)
    if type(raw) is int:
        return _parse_number(raw)
    if isinstance(raw, bool):
        raise ValueParseError(NOT_A_NUMBER, LOGICAL_MESSAGE, shown="TRUE" if raw else "FALSE")
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        shown = raw.isoformat() if not isinstance(raw, dt.timedelta) else str(raw)
        raise ValueParseError(DATE_NOT_ALLOWED, DATE_MESSAGE, shown=shown)
    if isinstance(raw, Decimal):
        return _checked(raw, raw)
    if isinstance(raw, int | float):  # subclasses, e.g. numpy's float64
        return _parse_number(raw)
    if isinstance(raw, str):
        return parse_value(str(raw), unit=unit)
    raise _not_a_number(raw)


def _parse_number(raw: float) -> Decimal:
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise _not_a_number(raw)
        # repr() is the shortest string that round-trips: 0.1 -> "0.1", 1e+22 -> "1e+22".
        # float.__repr__ and not repr(): numpy's float64 repr is "np.float64(0.1)".
        return _checked(Decimal(float.__repr__(raw)), raw)
    return _checked(Decimal(int(raw)), raw)


def _parse_text(raw: str, unit: str) -> Decimal | None:
    if len(raw) > _MAX_TEXT_LENGTH:
        raise _not_a_number(raw)
    text = unicodedata.normalize("NFKC", raw).replace("\u2212", "-").strip().strip(_INVISIBLE)
    text = text.strip()
    folded = text.casefold()
    if folded in _NO_VALUE_TOKENS:
        return None
    if text.isascii() and _PLAIN_NUMBER(text):
        return _checked(Decimal(text), raw)
    if folded in _EXCEL_ERRORS:
        raise ValueParseError(CELL_ERROR, CELL_ERROR_MESSAGE, shown=text)
    if folded in _LOOKALIKE_TOKENS:
        raise _not_a_number(raw, NO_VALUE_HINT)
    match = _NUMBER_WITH_SUFFIX(text)
    if match is None or not (match["int"] or match["frac"]):
        raise _not_a_number(raw)
    rest = match["rest"].strip()
    if rest:
        _check_suffix(rest, raw, unit)
    number = match["sign"] + match["int"].replace(",", "")
    if match["frac"] is not None:
        number += "." + match["frac"]
    if match["exp"]:
        number += match["exp"]
    try:
        value = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        raise _not_a_number(raw) from None
    return _checked(value, raw)


def _check_suffix(rest: str, raw: str, unit: str) -> None:
    """Accept a suffix equal to the element's unit; explain any other."""
    unit_n = unicodedata.normalize("NFKC", unit).strip()
    if unit_n and rest.casefold() == unit_n.casefold():
        return
    shown = _shown(raw)
    if rest == "%":
        raise ValueParseError(PERCENT_NOT_ALLOWED, PERCENT_MESSAGE, shown=shown, unit=unit)
    if _CJK_SUFFIX(rest) or rest.casefold() in _OTHER_UNITS:
        raise ValueParseError(UNIT_MISMATCH, UNIT_MESSAGE, shown=shown, found=rest, unit=unit)
    raise _not_a_number(raw)

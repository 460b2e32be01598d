"""Decimals as plain text: positional notation, never an exponent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def plain_decimal(value: Decimal, *, keep_zeros: bool = False) -> str:
    """``Decimal("2170.700000")`` → ``"2170.7"``; ``Decimal("1E+1")`` → ``"10"``; -0 → ``"0"``.

    ``keep_zeros`` keeps the trailing zeros of a figure whose printed precision means
    something (a target read as "3.10" is shown as "3.10"); a value read back from a
    ``DecimalField`` carries the field's six places, which mean nothing, and drops them."""
    if not keep_zeros:
        value = value.normalize()
    return format(abs(value) if value.is_zero() else value, "f")


def grouped(value: Decimal | float | int | None, decimals: int | None = None) -> str:
    """A figure as a statistician prints it: thousands separated by commas, ``decimals``
    places rounded half up (the value's own places, trailing zeros dropped, when ``None``),
    ``—`` for no value. ``grouped(Decimal("1234567.891"), 1)`` → ``"1,234,567.9"``."""
    if value is None:
        return "—"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return "—"
    if decimals is None:
        text = plain_decimal(number)
        places = len(text.partition(".")[2])
    else:
        places = decimals
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number.is_zero():
        number = abs(number)
    return f"{number:,.{places}f}"

"""Decimals as plain text: positional notation, never an exponent."""

from __future__ import annotations

from decimal import Decimal


def plain_decimal(value: Decimal, *, keep_zeros: bool = False) -> str:
    """``Decimal("2170.700000")`` → ``"2170.7"``; ``Decimal("1E+1")`` → ``"10"``; -0 → ``"0"``.

    ``keep_zeros`` keeps the trailing zeros of a figure whose printed precision means
    something (a target read as "3.10" is shown as "3.10"); a value read back from a
    ``DecimalField`` carries the field's six places, which mean nothing, and drops them."""
    if not keep_zeros:
        value = value.normalize()
    return format(abs(value) if value.is_zero() else value, "f")

"""``{{ value|grouped:2 }}``: a figure with thousands separators and its decimals
(``common.numbers.grouped``); ``{{ value|grouped }}`` keeps the value's own places."""

from __future__ import annotations

from decimal import Decimal

from django import template

from common.numbers import grouped as _grouped

register = template.Library()


@register.filter
def grouped(value: Decimal | float | int | None, decimals: int | str | None = None) -> str:
    places = None if decimals in (None, "") else int(decimals)
    return _grouped(value, places)

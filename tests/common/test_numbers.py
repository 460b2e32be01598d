from decimal import Decimal

import pytest
from django.template import Context, Template

from common.numbers import grouped


@pytest.mark.parametrize(("value", "decimals", "shown"), [
    (Decimal("1234567.891"), 1, "1,234,567.9"),
    (Decimal("2170.700000"), None, "2,170.7"),
    (Decimal("0.125"), 2, "0.13"),          # half up, not to even
    (Decimal("-0.001"), 2, "0.00"),         # no negative zero
    (78.3749, 2, "78.37"),
    (31, 0, "31"),
    (None, 2, "—"),
    (float("nan"), 2, "—"),
])
def test_it_prints_figures_as_a_statistician_does(value, decimals, shown):
    assert grouped(value, decimals) == shown


def test_it_is_a_template_filter():
    rendered = Template("{% load numbers %}{{ v|grouped:2 }}|{{ w|grouped }}").render(
        Context({"v": Decimal("12345.6"), "w": None}))
    assert rendered == "12,345.60|—"

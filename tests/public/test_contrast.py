"""The colours of the public pages pass WCAG 2.1 AA: text on every tile shade of the map at
4.5:1, the header's white on red, muted text; the charts' bars and lines at 3:1 against white
(non-text contrast) and their text at 4.5:1. Read from the style sheet and the chart script
themselves, so that a changed colour is checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

STATIC = Path(settings.BASE_DIR) / "static"
CSS = (STATIC / "css" / "site.css").read_text(encoding="utf-8")
CHARTS = (STATIC / "js" / "charts.js").read_text(encoding="utf-8")


def luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_formula_matches_known_values():
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#767676", "#fff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("shade", range(5))
def test_text_on_every_tile_shade(shade: int):
    rule = re.search(rf"\.shade-{shade} \{{ background: (#[0-9a-f]{{6}}); "
                     rf"color: (#[0-9a-f]{{3,6}}); \}}", CSS)
    assert rule, f".shade-{shade} must name its background and its text colour"
    assert contrast(rule.group(1), rule.group(2)) >= 4.5


def test_the_variables_of_the_frame():
    variables = dict(re.findall(r"--(\w+): (#[0-9a-f]{6})", CSS))
    assert contrast("#ffffff", variables["red"]) >= 4.5  # the header's links and title
    for name in ("muted", "ink", "err", "ok", "warn"):
        assert contrast(variables[name], "#ffffff") >= 4.5, name
        assert contrast(variables[name], variables["bg"]) >= 4.5, name


def test_the_chart_colours():
    colours = dict(re.findall(r'(\w+) = "(#[0-9a-f]{6})"', CHARTS))
    assert contrast(colours["red"], "#ffffff") >= 3  # bars, the region's line
    assert contrast(colours["grey"], "#ffffff") >= 3  # the national median's line
    assert contrast(colours["ink"], "#ffffff") >= 4.5  # every label

"""Start-up check of the PDF font: the public PDFs cannot be written without it, and a PDF
that cannot draw a region's name is worse than none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.checks import CheckMessage, Error, register

from public import pdf

REGIONS = Path(__file__).resolve().parent.parent / "indicators" / "data" / "regions.json"


@register()
def check_pdf_font(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The shipped TrueType font loads, and draws every region's name (the bootstrap list)."""
    hint = ("The font ships with the project (public/fonts/README.md says how it is made); "
            "restore it from the repository.")
    try:
        pdf.font()
    except Exception as exc:  # reportlab raises its own errors for a file it cannot use
        return [Error(f"The PDF font {pdf.FONT_FILE} cannot be used: {exc}.", hint=hint,
                      id="public.E001")]
    names = "".join(f"{r['short_name_zh']}{r['name_zh']}{r['name_en']}"
                    for r in json.loads(REGIONS.read_text(encoding="utf-8")))
    missing = pdf.missing_glyphs(names)
    if missing:
        return [Error(f"The PDF font {pdf.FONT_FILE} has no glyph for "
                      f"{''.join(sorted(missing))}.", hint=hint, id="public.E002")]
    return []

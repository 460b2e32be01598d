"""The PDF font shipped with the project (``public/fonts``): TrueType outlines (what reportlab
embeds), a subset that still draws every glyph a PDF can need — every region's name, every
name of the shipped model in both languages, every interface string in both languages — and
a start-up check that names the file when it is missing or cannot draw a region."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from reportlab.pdfbase.ttfonts import TTFont

from indicators.units import UNIT_EN
from public import checks, pdf

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "en" / "LC_MESSAGES" / "django.po"
STRING = re.compile(r'^(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?)? ?("(?:[^"\\]|\\.)*")$',
                    re.M)


def _po_text() -> str:
    return "".join(json.loads(m) for m in STRING.findall(PO.read_text(encoding="utf-8")))


def test_it_is_a_truetype_font_that_reportlab_embeds():
    face = TTFont("check", str(pdf.FONT_FILE)).face
    assert face.name == b"WenQuanYiMicroHei"
    assert len(face.charToGlyph) >= 7_000  # GB 2312's 6,763 hanzi and the rest
    assert pdf.FONT_FILE.stat().st_size < 2 * 1024 * 1024  # a subset, not the 5 MB font


def test_it_draws_every_interface_string_in_both_languages():
    text = _po_text()
    assert len(text) > 50_000  # the whole catalogue was read
    assert pdf.missing_glyphs(text) == set()


def test_it_draws_every_name_of_the_shipped_model_and_every_region():
    for name in ("model-2017.json", "regions.json", "national_targets.json"):
        data = (BASE / "indicators" / "data" / name).read_text(encoding="utf-8")
        assert pdf.missing_glyphs(json.dumps(json.loads(data), ensure_ascii=False)) == set(), \
            name
    assert pdf.missing_glyphs("".join(UNIT_EN) + "".join(UNIT_EN.values())) == set()


@pytest.mark.django_db
def test_it_draws_every_region_and_model_name_in_the_database(bootstrapped):
    from indicators.models import DataElement, Dimension, Indicator, Region, Tier

    texts = [f"{r.name_zh}{r.short_name_zh}{r.name_en}" for r in Region.objects.all()]
    for model in (Dimension, Indicator, DataElement):
        texts += [f"{o.name_zh}{o.name_en}" for o in model.objects.all()]
    texts += [f"{t.label_zh}{t.label_en}" for t in Tier.objects.all()]
    assert pdf.missing_glyphs("".join(texts)) == set()


def test_it_knows_what_it_cannot_draw():
    assert pdf.missing_glyphs("北京 Beijing 82.97") == set()
    assert pdf.missing_glyphs("𠀀") == {"𠀀"}  # beyond the subset (CJK Extension B)


def test_the_start_up_check_passes_with_the_shipped_font():
    assert checks.check_pdf_font() == []
    call_command("check")  # raises SystemCheckError on an error


def test_the_start_up_check_names_a_missing_font(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "FONT_FILE", tmp_path / "gone.ttf")
    pdf.font.cache_clear()
    try:
        errors = checks.check_pdf_font()
    finally:
        pdf.font.cache_clear()
    assert [e.id for e in errors] == ["public.E001"]
    assert "gone.ttf" in errors[0].msg and "public/fonts/README.md" in errors[0].hint

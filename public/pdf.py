"""PDF downloads of the public tables, with their CJK font embedded.

A PDF that names a font without embedding it (reportlab's built-in CID font STSong-Light) is
drawn with whatever the reader's machine substitutes, or not at all. reportlab embeds TrueType
outlines only, so the project ships one: WenQuanYi Micro Hei (Apache-2.0), cut down to the
characters of GB 2312 (all 6,763 hanzi), ASCII, Latin-1 and the punctuation of both languages
— 1.3 MB instead of 5 MB (``public/fonts/README.md`` says how it is made). Every glyph a PDF
needs is in it: ``tests/public/test_pdf_font.py`` checks the region names, the model's names and
every interface string, and ``public.checks`` refuses to start without the file.

One font for both languages: a PDF that drew its English text in Helvetica would name a font it
does not embed (``pdffonts`` shows every font with ``emb yes``)."""

from __future__ import annotations

import functools
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from common.exports import Document
from common.i18n import language_code
from common.numbers import grouped

FONT = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei-gb2312.ttf"


@functools.cache
def font() -> TTFont:
    """The PDF font, registered with reportlab on first use (not at import: a missing file is
    reported by the start-up check ``public.checks``, not by a failing import)."""
    face = TTFont(FONT, str(FONT_FILE))
    pdfmetrics.registerFont(face)
    return face


def missing_glyphs(text: str) -> set[str]:
    """The characters of ``text`` that the PDF font cannot draw (white space aside)."""
    known = font().face.charToGlyph
    return {c for c in text if not c.isspace() and ord(c) not in known}


def escape(text: object) -> str:
    """Text as a Paragraph's markup: escaped, its line breaks kept."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br/>")


def _styles() -> dict[str, ParagraphStyle]:
    font()
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=15, leading=20, spaceAfter=4),
        "meta": ParagraphStyle("meta", fontName=FONT, fontSize=9, leading=12),
        # Lines break between words, and inside a word (a run of hanzi is one) only when it
        # is longer than the column: English headings keep their words whole.
        "head": ParagraphStyle("head", fontName=FONT, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=11),
        "num": ParagraphStyle("num", fontName=FONT, fontSize=8.5, leading=11, alignment=2),
        "note": ParagraphStyle("note", fontName=FONT, fontSize=8, leading=11),
    }


def document_options() -> dict[str, Any]:
    """What every PDF of the project passes to its document template: the embedded font as
    the canvas's first font (reportlab's default, Helvetica, would be named on every page,
    never drawn and never embedded) and the document's language."""
    font()
    return {"initialFontName": FONT, "lang": language_code()}


def _text(value: Any, decimals: int | None) -> str:
    if value is None:
        return "—"
    if decimals is not None and isinstance(value, int | float | Decimal) \
            and not isinstance(value, bool):
        return grouped(value, decimals)
    return str(value)


def _widths(document: Document, texts: list[list[str]], available: float) -> list[float]:
    """Each column as wide as its widest cell and the longest word of its heading (a figure
    is never wrapped, an English heading keeps its words whole), the room left shared out.
    When there is too little, the text columns after the first give way: the first, the
    row's name (a region), stays whole, so that it can be found and read."""
    padding = 8.0

    def width(text: str, size: float) -> float:
        return pdfmetrics.stringWidth(text, FONT, size) + padding

    natural = []
    for i, column in enumerate(document.columns):
        words = max((width(w, 8) for w in column.heading.split()), default=padding)
        cells = max((width(row[i], 8.5) for row in texts), default=padding)
        natural.append(max(words, min(cells, 200.0), 28.0))
    spare = available - sum(natural)
    if spare >= 0:
        return [w + spare / len(natural) for w in natural]
    text = [i for i, c in enumerate(document.columns) if c.decimals is None][1:]
    floor = 48.0
    shrink = min(1.0, -spare / max(1.0, sum(max(0.0, natural[i] - floor) for i in text)))
    return [w - max(0.0, w - floor) * shrink if i in text else w
            for i, w in enumerate(natural)]


def _table(document: Document, styles: dict[str, ParagraphStyle], available: float) -> Table:
    texts = [[_text(v, c.decimals) for v, c in zip(row, document.columns, strict=True)]
             for row in document.rows]
    header = [Paragraph(escape(h), styles["head"]) for h in document.headings]
    body = [[Paragraph(escape(text), styles["num"] if c.decimals is not None else styles["cell"])
             for text, c in zip(row, document.columns, strict=True)] for row in texts]
    table = Table([header, *body], colWidths=_widths(document, texts, available),
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # a cell's font even around a Paragraph
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f6f8fa")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8c959f")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def document_pdf(document: Document, *, footer: str = "") -> bytes:
    """``document`` on A4 landscape: the title, its lines, the table (its header repeated on
    every page), the notes; ``footer`` and the page number at the foot of every page."""
    styles = _styles()
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=document.title,
                            author=footer, leftMargin=28, rightMargin=28, topMargin=28,
                            bottomMargin=36, **document_options())
    colon = pgettext("between a label and its value", "：")
    meta = "    ".join(f"{label}{colon}{value}" for label, value in document.meta)
    parts: list[Flowable] = [Paragraph(escape(document.title), styles["title"]),
                             Paragraph(escape(meta), styles["meta"]), Spacer(1, 6),
                             _table(document, styles, pdf.width), Spacer(1, 6)]
    parts += [Paragraph(escape(note), styles["note"]) for note in document.notes]

    def foot(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#57606a"))
        canvas.drawString(doc.leftMargin, 18, footer)
        canvas.drawRightString(doc.leftMargin + doc.width, 18,
                               _("第 %(n)s 页") % {"n": doc.page})
        canvas.restoreState()

    pdf.build(parts, onFirstPage=foot, onLaterPages=foot)
    return buffer.getvalue()


"""PDF downloads of the public tables (reportlab; its built-in CID font STSong-Light shows
Chinese without shipping a font file)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def table_pdf(*, title: str, subtitle: str, header: Sequence[str],
              rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title,
                                 leftMargin=28, rightMargin=28, topMargin=28, bottomMargin=28)
    heading = ParagraphStyle("h", fontName=FONT, fontSize=15, leading=20)
    small = ParagraphStyle("s", fontName=FONT, fontSize=9, leading=12)
    data = [list(header)] + [["" if c is None else str(c) for c in row] for row in rows]
    table = Table(data, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f6f8fa")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#d0d7de")),
        ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
    ]))
    document.build([Paragraph(title, heading), Paragraph(subtitle, small), Spacer(1, 8), table])
    return buffer.getvalue()

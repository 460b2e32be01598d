"""The printable methodology of a model version (A4, portrait), with the font and the table
style of the public tables' PDFs (``public.pdf``): the font that module embeds, this one
embeds (``document_options`` registers it before the first paragraph is laid out)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from common.i18n import localized
from indicators.models import DataElement
from indicators.selectors import ModelDocumentation, TierBand
from public.pdf import FONT, document_options

_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22)
_HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=17, spaceBefore=10,
                          spaceAfter=4)
_TEXT = ParagraphStyle("text", fontName=FONT, fontSize=9, leading=13)
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=11, wordWrap="CJK")


def _escape(text: object) -> str:
    """Text as a Paragraph's markup: escaped, its line breaks kept."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br/>")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]],
           widths: Sequence[float]) -> Table:
    data = [[Paragraph(_escape(c), _CELL) for c in header]]
    data += [[Paragraph(_escape("" if c is None else c), _CELL) for c in row] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # a cell's font even around a Paragraph
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f6f8fa")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#d0d7de")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _tier_text(band: TierBand) -> str:
    if band.high is None:
        return _("{label}（总分 {low} 分及以上）").format(label=band.tier.label, low=band.low)
    return _("{label}（总分 {low} 分至 {high} 分以下）").format(
        label=band.tier.label, low=band.low, high=band.high)


def _dimension_parts(doc: ModelDocumentation) -> list[Flowable]:
    parts: list[Flowable] = [Paragraph(_escape(_("方面与分值")), _HEADING), _table(
        [_("代码"), _("方面"), _("分值"), _("指标数")],
        [[d.dimension.code, localized(d.dimension, "name"), d.dimension.points_shown,
          len(d.indicators)] for d in doc.dimensions]
        + [["", _("合计"), doc.total_points, doc.indicator_count]],
        [50, 280, 80, 80])]
    for d in doc.dimensions:
        heading = _("{code} {name}（{points} 分）").format(
            code=d.dimension.code, name=localized(d.dimension, "name"),
            points=d.dimension.points_shown)
        rows = [[f"{i.indicator.code} {localized(i.indicator, 'name')}",
                 i.indicator.formula + ("\n" if i.elements else "")
                 + pgettext("formula legend", "；").join(
                     f"{e.code} {localized(e, 'name')}" for e in i.elements),
                 localized(i.indicator, "unit") or "—", i.direction, i.normalisation,
                 f"{i.weight} ({i.share}%)"] for i in d.indicators]
        parts.append(KeepTogether([Paragraph(_escape(heading), _HEADING), _table(
            [_("指标"), _("公式"), _("单位"), _("方向"), _("标准化方法"), _("权重")], rows,
            [110, 150, 45, 55, 100, 55])]))
    return parts


def documentation_pdf(doc: ModelDocumentation, *, subtitle: str) -> bytes:
    """The methodology of ``doc.version`` in the active language, as PDF bytes."""
    version = doc.version
    title = version.title
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=36,
                                 rightMargin=36, topMargin=36, bottomMargin=36,
                                 **document_options())
    summary = _("版本 {code}（{year} 年度）：{k} 个方面、{m} 项评价指标、{e} 个数据项，"
                "满分 {total} 分。").format(
        code=version.code, year=version.year, k=len(doc.dimensions), m=doc.indicator_count,
        e=len(doc.elements), total=doc.total_points)
    parts: list[Flowable] = [Paragraph(_escape(title), _TITLE),
                             Paragraph(_escape(subtitle), _TEXT),
                             Paragraph(_escape(summary), _TEXT), Spacer(1, 6)]
    parts += _dimension_parts(doc)
    parts.append(Paragraph(_escape(_("等级区间")), _HEADING))
    parts += [Paragraph(_escape(_tier_text(b)), _TEXT) for b in doc.tiers] or [
        Paragraph(_escape(_("本版本未设等级。")), _TEXT)]
    parts.append(Paragraph(_escape(_("数据项")), _HEADING))
    parts.append(_table(
        [_("代码"), _("名称"), _("单位"), _("允许范围")],
        [[e.code, localized(e, "name"), localized(e, "unit") or "—", _range(e)]
         for e in doc.elements], [50, 230, 60, 175]))
    document.build(parts)
    return buffer.getvalue()


def _range(element: DataElement) -> str:
    if element.kind != DataElement.Kind.ORDINAL:
        return element.range_text
    labels = element.level_labels
    if not labels:
        return _("等级 0–{top}").format(top=element.max_level)
    names = pgettext("list separator", "，").join(f"{n} {label}"
                                                 for n, label in enumerate(labels))
    return _("等级 0–{top}（{names}）").format(top=element.max_level, names=names)

"""The public tables as documents a statistician can cite (``common.exports.Document``): the
overall ranking and each dimension's, with the title, the year, the model version, the
publication with its date and revision, the units and the source above the table, the ranked
units first and the units that are scored but not ranked (新疆生产建设兵团) after them, marked
不参与排名, and under the table what its columns mean. One document is written as CSV, xlsx
and PDF, in the language of the request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.exports import Column, Document
from common.i18n import localized
from indicators.models import Dimension
from indicators.units import POINTS, unit_en
from public import selectors
from scoring.models import ScoringRun
from scoring.selectors import Coverage, rank_changes_shown, ranking_rows, run_coverage

# Figures are printed with the decimals of the pages: 2 for points and indicator values.
DECIMALS = 2


def source_line() -> str:
    """Where the figures come from, under every table and at the foot of every page."""
    return _("资料来源：各省（区、市）报送并经审核的数据，信息化发展评价数据填报平台测算发布。")


def interval_note(run: ScoringRun) -> str:
    """The one line that says what a rank interval is."""
    return _("排名区间（90%%）：对 %(k)s 个方面的权重各随机扰动 ±%(spread)s%% 后重算排名 "
             "%(n)s 次，取第 5 与第 95 百分位；区间越窄，排名越稳定。") % {
        "k": run.model_version.dimensions.count(), "spread": f"{run.spread * 100:g}",
        "n": f"{run.replications:,}"}


def publication_text(run: ScoringRun) -> str:
    text = _("第 %(n)s 次发布") % {"n": run.publication_number}
    if run.revision_of_id:
        text += _("（修订版：%(note)s）") % {"note": run.note} if run.note else _("（修订版）")
    return text


def points_unit() -> str:
    return localized({"unit_zh": POINTS, "unit_en": unit_en(POINTS)}, "unit")


def _meta(run: ScoringRun, units: str) -> list[tuple[str, str]]:
    published = timezone.localdate(run.published_at) if run.published_at else None
    meta = [
        (_("年度"), str(run.cycle.year)),
        (_("指标体系版本"), run.model_version.code),
        (_("发布日期"), published.isoformat() if published else "—"),
        (_("版次"), publication_text(run)),
        (_("单位"), units),
    ]
    coverage = run_coverage(run)
    if coverage.partial:
        meta.insert(0, (_("发布范围"), partial_text(coverage)))
    return meta


def partial_text(coverage: Coverage) -> str:
    """The line every file of a partial publication carries under its title."""
    return _("部分发布：只覆盖 %(of)s 个地区中的 %(covered)s 个（%(covered)s/%(of)s），"
             "排名和中位数只在这些地区之间计算，是暂定结果") % {
        "of": coverage.of, "covered": coverage.covered}


def _titled(run: ScoringRun, title: str) -> str:
    """A table's title, with the partial-publication mark when the run is partial."""
    coverage = run_coverage(run)
    if not coverage.partial:
        return title
    return _("%(title)s（部分发布 %(covered)s/%(of)s）") % {
        "title": title, "covered": coverage.covered, "of": coverage.of}


def _interval(low: float | None, high: float | None) -> tuple[int | None, int | None]:
    return (None if low is None else round(low), None if high is None else round(high))


def overall_document(run: ScoringRun) -> Document:
    dimensions = list(run.model_version.dimensions.all())
    tiers = list(run.model_version.tiers.all())
    columns = [Column(_("排名"), 0), Column(_("地区")),
               *[Column(d.name, DECIMALS) for d in dimensions], Column(_("总分"), DECIMALS),
               Column(_("等级")), Column(_("排名变化"), 0),
               Column(_("排名区间下限（90%）"), 0), Column(_("排名区间上限（90%）"), 0),
               Column(_("备注"))]
    rows: list[list[Any]] = []
    for r in selectors.overall_rows(run, ranked=None, tiers=tiers):  # the ranked first
        rank: Any = r.rank if r.region.ranked else _("不参与排名")
        rows.append([rank, r.label, *r.dimensions, r.total, r.tier, r.rank_change,
                     *_interval(r.rank_p05, r.rank_p95),
                     _("部分指标缺失，其权重已按比例分配给其余指标") if r.incomplete else ""])
    title = _titled(run, _("%(year)s 年度各省（区、市）信息化发展评价指数") % {
        "year": run.cycle.year})
    units = _("%(unit)s（各方面得分与总分）") % {"unit": points_unit()}
    sep = pgettext("list separator", "；")
    full = sep.join(_("%(name)s %(points)s 分") % {"name": d.name, "points": d.points_shown}
                    for d in dimensions)
    return Document(title=title, meta=_meta(run, units), columns=columns, rows=rows,
                    notes=[_("各方面及其满分：%(list)s。") % {"list": full}, interval_note(run),
                           _("排名变化：与上一年度已发布排名相比，正数为上升的位次。")
                           if rank_changes_shown(run) else
                           _("排名变化：不显示（没有上一年度的完整发布可比，或本年度是部分发布）。"),
                           source_line()])


def dimension_document(run: ScoringRun, dimension: Dimension) -> Document:
    indicators, ranked = selectors.dimension_rows(run, dimension)
    _same, unranked = selectors.dimension_rows(run, dimension, ranked=False)
    columns = [Column(_("排名"), 0), Column(_("地区")),
               Column(_("%(name)s指数得分") % {"name": dimension.name}, DECIMALS),
               *[Column(_with_unit(i.name, localized(i, "unit")), DECIMALS)
                 for i in indicators]]
    rows: list[list[Any]] = [[r.rank, r.label, r.points, *r.indicators] for r in ranked]
    rows += [[_("不参与排名"), r.label, r.points, *r.indicators] for r in unranked]
    title = _titled(run, _("%(year)s 年度各省（区、市）%(name)s指数") % {
        "year": run.cycle.year, "name": dimension.name})
    units = _("方面得分为%(unit)s；各指标的单位见列标题") % {"unit": points_unit()}
    return Document(title=title, meta=_meta(run, units), columns=columns, rows=rows,
                    notes=[_("方面排名只取决于该方面的得分，不受方面权重的影响，故不给出排名区间；"
                             "总排名的排名区间见总排名表。"), source_line()])


def _with_unit(name: str, unit: str) -> str:
    return _("%(name)s（%(unit)s）") % {"name": name, "unit": unit} if unit else name


def overall_json(run: ScoringRun) -> dict[str, Any]:
    """``/rankings/<year>/overall.json``: the overall ranking for machines, with whether the
    publication is partial. Its rows are the rows of ``export_rankings`` (figures as numbers,
    2 decimals), each with its rank change (``null`` where it is not shown)."""
    coverage = run_coverage(run)
    changes = {r.region.code: r.rank_change for r in selectors.overall_rows(run)}
    rows = [{key: float(value) if isinstance(value, Decimal) else value
             for key, value in row.items()} | {"rank_change": changes.get(str(row["region_code"]))}
            for row in ranking_rows(run)]
    return {"year": run.cycle.year, "model_version": run.model_version.code,
            "partial": coverage.partial, "covered": coverage.covered, "of": coverage.of,
            "rows": rows}


def table_document(run: ScoringRun, table: str) -> Document:
    """``overall`` or a dimension's code; 404 for anything else."""
    if table == "overall":
        return overall_document(run)
    dimension = run.model_version.dimensions.filter(code=table).first()
    if dimension is None:
        raise Http404
    return dimension_document(run, dimension)

"""The statistical audit page's content: the report of ``scoring.statistics`` laid out as the
tables and chart data the template shows, with names in the page's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from common.i18n import localized, pick
from scoring import statistics, studio_selectors
from scoring.models import ScoringRun

DASH = "—"


def fixed(value: float | None, digits: int = 2) -> str:
    """A figure with ``digits`` decimals, or a dash where there is none."""
    return DASH if value is None else f"{value:.{digits}f}"


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class Cell:
    text: str
    css: str  # "weak" for a negative or weak within-dimension pair, "self" on the diagonal
    title: str


def _matrix(matrix: dict[str, dict[str, float | None]], codes: list[str],
            names: dict[str, str], dimension_of: dict[str, str]) -> list[tuple[str, str,
                                                                                list[Cell]]]:
    rows = []
    for a in codes:
        cells = []
        for b in codes:
            r = matrix.get(a, {}).get(b)
            same = a != b and dimension_of.get(a) is not None and (
                dimension_of.get(a) == dimension_of.get(b))
            weak = same and r is not None and (r < 0 or abs(r) < statistics.WEAK_CORRELATION)
            cells.append(Cell(fixed(r), "self" if a == b else ("weak" if weak else ""),
                              f"{names.get(a, a)} × {names.get(b, b)}"))
        rows.append((a, names.get(a, a), cells))
    return rows


def audit_context(run: ScoringRun, report: statistics.Report) -> dict[str, Any]:
    data = studio_selectors.run_data(run)
    spec = data.spec
    version = run.model_version
    names, _regions = studio_selectors.audit_labels(run)
    dimension_of = {i.code: i.dimension for i in spec.indicators}
    indicator_codes = list(data.indicator_codes)
    dimension_codes = list(data.dimension_codes)
    codes = [*indicator_codes, *dimension_codes, statistics.TOTAL]
    pearson = report["correlations"]["pearson"]
    spearman = report["correlations"]["spearman"]
    units = {i.code: localized(i, "unit") for i in version.indicators.all()}

    indicator_rows = []
    for code in indicator_codes:
        s = report["indicators"][code]
        indicator_rows.append({
            "code": code, "name": names[code], "dimension": names[dimension_of[code]],
            "unit": units.get(code, ""), "n": s["n"], "missing": s["missing"],
            "mean": fixed(s["mean"]), "std": fixed(s["std"]), "min": fixed(s["min"]),
            "max": fixed(s["max"]), "skewness": fixed(s["skewness"]),
            "kurtosis": fixed(s["kurtosis"]), "outlier": s["outlier"]})
    with_parents = [{
        "code": code, "name": names[code], "dimension": names[dimension_of[code]],
        "pearson_dimension": fixed(pearson[code].get(dimension_of[code])),
        "spearman_dimension": fixed(spearman[code].get(dimension_of[code])),
        "pearson_total": fixed(pearson[code].get(statistics.TOTAL)),
        "spearman_total": fixed(spearman[code].get(statistics.TOTAL)),
    } for code in indicator_codes]
    weak = [(names[d], names[a], names[b], fixed(r))
            for d, a, b, r in statistics.weak_pairs(report, spec)]
    alpha_rows = [(names[d], sum(1 for i in spec.indicators if i.dimension == d),
                   fixed(report["cronbach_alpha"].get(d), 3)) for d in dimension_codes]
    alpha_total = fixed(report["cronbach_alpha"].get(statistics.TOTAL), 3)
    pca_rows = [(names[d], percent(report["pca"][d]["first_share"]),
                 [(names[c], fixed(v)) for c, v in report["pca"][d]["loadings"].items()])
                for d in dimension_codes]
    labels = {code: pick(*name) for code, name in zip(data.region_codes, data.region_names,
                                                      strict=True)}
    uncertainty = sorted(report["uncertainty"].items(), key=lambda kv: (kv[1]["rank"], kv[0]))
    uncertainty_rows = [(labels.get(code, code), u["rank"], fixed(u["median"], 0),
                         fixed(u["p05"], 0), fixed(u["p95"], 0)) for code, u in uncertainty]
    assumption_labels = {"weights": _("权重"), "normalisation": _("标准化方法"),
                         "aggregation": _("汇总方法")}
    sensitivity_rows = [(assumption_labels[name], percent(share))
                        for name, share in report["sensitivity"].items()]
    return {
        "run": run, "indicator_rows": indicator_rows, "with_parents": with_parents,
        "pearson_rows": _matrix(pearson, codes, names, dimension_of),
        "spearman_rows": _matrix(spearman, codes, names, dimension_of),
        "headers": [(c, names[c]) for c in codes], "weak": weak,
        "alpha_rows": alpha_rows, "alpha_total": alpha_total, "pca_rows": pca_rows,
        "uncertainty_rows": uncertainty_rows, "sensitivity_rows": sensitivity_rows,
        "spread_percent": f"{statistics.AUDIT_SPREAD * 100:g}",
        "base_samples": statistics.BASE_SAMPLES,
        "evaluations": statistics.BASE_SAMPLES * (len(statistics.ASSUMPTIONS) + 2),
        "ranked_units": int((data.ranked & (data.ranks > 0)).sum()),
        "charts": _charts(report, data, codes, names, labels),
        "dimension_names": {d.code: localized(d, "name") for d in version.dimensions.all()},
    }


def _charts(report: statistics.Report, data: Any, codes: list[str], names: dict[str, str],
            labels: dict[str, str]) -> dict[str, Any]:
    """The three charts' data (``static/js/audit_charts.js`` draws them)."""
    pearson = report["correlations"]["pearson"]
    heat = [[x, y, None if pearson[a].get(b) is None else round(pearson[a][b], 3)]
            for y, a in enumerate(codes) for x, b in enumerate(codes)]
    ordered = sorted(report["uncertainty"].items(), key=lambda kv: (kv[1]["rank"], kv[0]))
    ranked = data.ranked & (data.ranks > 0)
    boxes, outliers = [], []
    for k in range(len(data.indicator_codes)):
        box = statistics.box_statistics(data.scores[ranked, k] * 100)
        boxes.append([round(v, 2) for v in box[0]] if box else None)
        outliers += [[k, round(v, 2)] for v in (box[1] if box else [])]
    return {
        "heatmap": {"codes": codes, "names": [names[c] for c in codes], "values": heat},
        "intervals": {
            "regions": [labels.get(code, code) for code, _u in ordered],
            "rank": [u["rank"] for _c, u in ordered],
            "median": [u["median"] for _c, u in ordered],
            "low": [u["p05"] for _c, u in ordered],
            "high": [u["p95"] for _c, u in ordered],
            "labels": {"rank": _("正式排名"), "median": _("中位排名"),
                       "interval": _("第 5–95 百分位区间")},
            "count": int(np.count_nonzero(ranked)),
        },
        "boxes": {"codes": list(data.indicator_codes),
                  "names": [names[c] for c in data.indicator_codes], "boxes": boxes,
                  "outliers": outliers,
                  "labels": {"box": _("标准化得分（0–100）"), "outlier": _("离群值")}},
    }

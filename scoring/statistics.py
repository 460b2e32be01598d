"""The statistical audit of a scoring run, as the European Commission's Joint Research Centre
audits composite indicators (OECD/JRC Handbook on Constructing Composite Indicators, 2008;
the COINr package).

From one run's stored results (``scoring.studio.RunData``), over the units it ranks:

* **indicators** — per indicator, on its values: n, missing, mean, standard deviation
  (sample, ``ddof=1``), minimum, maximum, skewness and excess kurtosis (SciPy, bias-corrected:
  the G1 and G2 that spreadsheets call SKEW and KURT), and the JRC's outlier flag
  ``|skewness| > 2 and kurtosis > 3.5``;
* **correlations** — Pearson and Spearman (SciPy), pairwise over the units that have both
  values, between the indicators' normalised scores (direction already applied), the
  dimensions' points and the total;
* **cronbach_alpha** — per dimension, the covariance form on the normalised scores of its
  indicators (units with every score), ``k / (k - 1) * (1 - trace(C) / sum(C))``; under
  ``"total"`` the dimensions (points as a share of their points) as the items of the total;
* **pca** — per dimension, principal components of the correlation matrix of its indicators'
  scores (NumPy ``eigh``): the first component's share of the variance and its loadings
  (eigenvector times the root of its eigenvalue, signed so that they add up to at least 0);
* **uncertainty** and **sensitivity** — a Monte Carlo over three assumptions: the weights
  (every dimension's points and indicator's weight times an independent factor uniform in
  ``[1 - spread, 1 + spread]``, ±25 % by default), the normalisation (the model's own, min–max
  or ordinal, equally likely) and the aggregation (arithmetic or geometric, equally likely).
  Z-scores are left out because geometric aggregation cannot take them, and the assumptions
  must be independent for the variance decomposition. The sample is Saltelli's design with
  the assumptions as groups (SALib's Sobol' sequence, ``N * (3 + 2)`` evaluations); per
  region it gives the official rank and the median and 5–95 % interval of its rank; per
  assumption, the first-order Sobol' index of each region's rank (SALib's estimator, Saltelli
  et al. 2010), averaged over the regions whose rank varies at all and clipped to [0, 1].

Undefined figures (a constant indicator's skewness, a one-indicator dimension's α) are
``None`` in the report.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _
from openpyxl import Workbook
from scipy import stats

from common.exports import escape_formula
from scoring import core
from scoring.studio import RunData

AUDIT_SPREAD = 0.25
#: Saltelli base samples N (a power of two, for the Sobol' sequence): N * 5 evaluations.
BASE_SAMPLES = 512
WEAK_CORRELATION = 0.3
SKEW_LIMIT = 2.0
KURTOSIS_LIMIT = 3.5
TOTAL = "total"
ASSUMPTIONS = ("weights", "normalisation", "aggregation")
MC_NORMALISATIONS = ("model", "minmax", "ordinal")
MC_AGGREGATIONS = ("arithmetic", "geometric")
#: Samples × units × dimensions cells handled at once in the Monte Carlo.
CHUNK_CELLS = 2_000_000
REPORT_KEYS = ("indicators", "correlations", "cronbach_alpha", "pca", "uncertainty",
               "sensitivity")

Report = dict[str, Any]


def _number(value: Any) -> float | None:
    """A float for the report; NaN and infinities are ``None`` (JSON has neither)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# --------------------------------------------------------------------------------------------
# Descriptive statistics


def describe(values: core.FloatArray) -> dict[str, Any]:
    """n, missing, mean, sd, min, max, skewness, kurtosis and the JRC outlier flag of one
    indicator's values (NaN is missing)."""
    column = np.asarray(values, dtype=np.float64)
    present = column[~np.isnan(column)]
    n = int(present.size)
    spread = n > 1 and float(np.ptp(present)) > 0
    skewness = kurtosis = None
    if spread and n >= 3:
        skewness = _number(stats.skew(present, bias=False))
    if spread and n >= 4:
        kurtosis = _number(stats.kurtosis(present, fisher=True, bias=False))
    return {
        "n": n,
        "missing": int(column.size - n),
        "mean": _number(present.mean()) if n else None,
        "std": _number(present.std(ddof=1)) if n > 1 else None,
        "min": _number(present.min()) if n else None,
        "max": _number(present.max()) if n else None,
        "skewness": skewness,
        "kurtosis": kurtosis,
        "outlier": bool(skewness is not None and kurtosis is not None
                        and abs(skewness) > SKEW_LIMIT and kurtosis > KURTOSIS_LIMIT),
    }


def correlation_matrices(columns: Mapping[str, core.FloatArray]
                         ) -> dict[str, dict[str, dict[str, float | None]]]:
    """Pearson and Spearman correlations (SciPy ``pearsonr``, ``spearmanr``) of every pair of
    columns, over the rows where both have a value; ``None`` where fewer than three rows do or
    either column is constant there."""
    codes = list(columns)
    data = {code: np.asarray(columns[code], dtype=np.float64) for code in codes}
    pearson: dict[str, dict[str, float | None]] = {code: {} for code in codes}
    spearman: dict[str, dict[str, float | None]] = {code: {} for code in codes}
    for a_index, a in enumerate(codes):
        for b in codes[a_index:]:
            both = ~np.isnan(data[a]) & ~np.isnan(data[b])
            x, y = data[a][both], data[b][both]
            r = rho = None
            if x.size >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
                r = 1.0 if a == b else _number(stats.pearsonr(x, y).statistic)
                rho = 1.0 if a == b else _number(stats.spearmanr(x, y).statistic)
            pearson[a][b] = pearson[b][a] = r
            spearman[a][b] = spearman[b][a] = rho
    return {"pearson": pearson, "spearman": spearman}


def cronbach_alpha(items: core.FloatArray) -> float | None:
    """Cronbach's α of units × items, covariance form, over the units with every item:
    ``k / (k - 1) * (1 - Σ var_i / var(Σ items))``; ``None`` for fewer than two items or
    units, or no variance in the sum."""
    data = np.asarray(items, dtype=np.float64)
    data = data[~np.isnan(data).any(axis=1)]
    units, k = data.shape
    if k < 2 or units < 2:
        return None
    covariance = np.cov(data, rowvar=False)
    total = float(covariance.sum())
    if total <= 0:
        return None
    return _number(k / (k - 1) * (1.0 - float(np.trace(covariance)) / total))


def first_component(items: core.FloatArray) -> tuple[float | None, list[float | None]]:
    """The first principal component of units × items (standardised: the correlation
    matrix), over the units with every item: its share of the variance and each item's
    loading. A constant item has no loading (``None``) and takes no part."""
    data = np.asarray(items, dtype=np.float64)
    data = data[~np.isnan(data).any(axis=1)]
    k = data.shape[1]
    varying = [j for j in range(k) if data.shape[0] > 1 and np.ptp(data[:, j]) > 0]
    loadings: list[float | None] = [None] * k
    if not varying:
        return None, loadings
    if len(varying) == 1:
        loadings[varying[0]] = 1.0
        return 1.0, loadings
    correlation = np.corrcoef(data[:, varying], rowvar=False)
    eigenvalues, eigenvectors = np.linalg.eigh(correlation)  # ascending
    largest = float(eigenvalues[-1])
    vector = eigenvectors[:, -1] * math.sqrt(max(largest, 0.0))
    if vector.sum() < 0:
        vector = -vector
    for j, value in zip(varying, vector.tolist(), strict=True):
        loadings[j] = _number(value)
    return _number(largest / float(eigenvalues.sum())), loadings


# --------------------------------------------------------------------------------------------
# Uncertainty and sensitivity


def saltelli_problem(weights: int, spread: float) -> dict[str, Any]:
    """SALib's problem: one factor per weight (grouped as "weights"), one uniform variable
    each for the normalisation and the aggregation, chosen by which third or half it falls
    in."""
    return {
        "num_vars": weights + 2,
        "names": [f"w{k}" for k in range(weights)] + ["normalisation", "aggregation"],
        "bounds": [[1.0 - spread, 1.0 + spread]] * weights + [[0.0, 1.0], [0.0, 1.0]],
        "groups": ["weights"] * weights + ["normalisation", "aggregation"],
    }


def first_order_indices(outputs: core.FloatArray, groups: int) -> core.FloatArray:
    """First-order Sobol' indices (SALib's estimator, Saltelli et al. 2010) of each output
    column, from evaluations laid out as SALib's Saltelli sample without second order: per
    base sample, the rows A, AB_1 … AB_groups, B. Returns groups × outputs; a column that
    never varies gets 0."""
    from SALib.analyze.sobol import first_order

    y = np.asarray(outputs, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    step = groups + 2
    a, b = y[0::step], y[step - 1::step]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns of constant outputs: they get 0
        return np.array([first_order(a, y[j + 1::step], b) for j in range(groups)])


def sample_assumptions(problem: dict[str, Any], base_samples: int, seed: int
                       ) -> core.FloatArray:
    from SALib.sample import sobol

    sample: core.FloatArray = sobol.sample(problem, base_samples, calc_second_order=False,
                                           seed=seed)
    return sample


def _normalised(data: RunData, kind: str) -> core.FloatArray:
    """Every unit's normalised scores under one of the Monte Carlo's normalisations."""
    higher = np.array([i.direction == 1 for i in data.spec.indicators])
    if kind == "model":
        return data.scores
    if kind == "ordinal":
        return core.ordinal_scores(data.values, higher)
    codes = data.indicator_codes
    spec = core.ModelSpec(
        elements=codes, dimensions=data.spec.dimensions,
        indicators=tuple(core.IndicatorSpec(i.code, i.dimension, i.code, i.direction, "minmax",
                                            weight=i.weight) for i in data.spec.indicators))
    scores: core.FloatArray = core.score(spec, data.values, data.ranked).indicator_scores
    return scores


def monte_carlo_ranks(data: RunData, sample: core.FloatArray) -> npt.NDArray[np.int32]:
    """Every unit's total rank (0 where not ranked) for each row of ``sample`` (weight
    factors, then the normalisation and the aggregation variables in [0, 1])."""
    spec = data.spec
    m, d = len(spec.indicators), len(spec.dimensions)
    dimension_of = np.array([data.dimension_codes.index(i.dimension) for i in spec.indicators])
    weights = np.array([i.weight for i in spec.indicators]) * sample[:, :m]
    points = np.array([p.points for p in spec.dimensions]) * sample[:, m:m + d]
    normalisation = np.minimum((sample[:, -2] * len(MC_NORMALISATIONS)).astype(int),
                               len(MC_NORMALISATIONS) - 1)
    geometric = sample[:, -1] >= 0.5
    n = len(data.region_codes)
    ranks = np.zeros((sample.shape[0], n), dtype=np.int32)
    step = max(1, CHUNK_CELLS // max(n * d, 1))
    for k, kind in enumerate(MC_NORMALISATIONS):
        scores = _normalised(data, kind)
        for geo in (False, True):
            rows = np.nonzero((normalisation == k) & (geometric == geo))[0]
            for start in range(0, rows.size, step):
                chunk = rows[start:start + step]
                dims = core.aggregate_dimensions(scores, weights[chunk], dimension_of,
                                                 points[chunk], geometric=geo)
                if geo:
                    totals = core.geometric_totals(dims, points[chunk])
                else:
                    present = ~np.isnan(dims)
                    totals = np.where(present.any(axis=2),
                                      np.where(present, dims, 0.0).sum(axis=2), np.nan)
                ranks[chunk] = core.competition_ranks(totals, data.ranked, axis=1)
    return ranks


def uncertainty_and_sensitivity(data: RunData, *, spread: float = AUDIT_SPREAD,
                                base_samples: int = BASE_SAMPLES, seed: int = 0
                                ) -> tuple[dict[str, dict[str, float | None]],
                                           dict[str, float | None]]:
    """Per ranked region its official rank, median rank and 5–95 % interval; per assumption
    its first-order share of the rank variance (see the module docstring)."""
    weights = len(data.spec.indicators) + len(data.spec.dimensions)
    problem = saltelli_problem(weights, spread)
    sample = sample_assumptions(problem, base_samples, seed)
    ranks = monte_carlo_ranks(data, sample)
    rankable = data.ranked & (data.ranks > 0)
    uncertainty: dict[str, dict[str, float | None]] = {}
    if rankable.any():
        quantiles = np.quantile(ranks[:, rankable], [0.5, 0.05, 0.95], axis=0,
                                method="inverted_cdf")
        for column, i in enumerate(np.nonzero(rankable)[0]):
            uncertainty[data.region_codes[i]] = {
                "rank": int(data.ranks[i]), "median": _number(quantiles[0, column]),
                "p05": _number(quantiles[1, column]), "p95": _number(quantiles[2, column])}
    outputs = ranks[:, rankable].astype(np.float64)
    varying = outputs.var(axis=0) > 0 if outputs.size else np.zeros(0, dtype=bool)
    sensitivity: dict[str, float | None] = dict.fromkeys(ASSUMPTIONS, 0.0)
    if varying.any():
        indices = first_order_indices(outputs[:, varying], len(ASSUMPTIONS))
        for name, row in zip(ASSUMPTIONS, indices, strict=True):
            sensitivity[name] = _number(np.clip(row.mean(), 0.0, 1.0))
    return uncertainty, sensitivity


# --------------------------------------------------------------------------------------------
# The report


def audit(data: RunData, *, spread: float = AUDIT_SPREAD, base_samples: int = BASE_SAMPLES,
          seed: int = 0) -> Report:
    """The whole audit of a run, under exactly the keys of ``REPORT_KEYS``."""
    spec = data.spec
    ranked = data.ranked & (data.ranks > 0)
    values, scores = data.values[ranked], data.scores[ranked]
    points, totals = data.dimension_points[ranked], data.totals[ranked]
    codes = data.indicator_codes
    dimensions = data.dimension_codes
    members = {d: [k for k, i in enumerate(spec.indicators) if i.dimension == d]
               for d in dimensions}
    columns: dict[str, core.FloatArray] = {code: scores[:, k] for k, code in enumerate(codes)}
    columns.update({d: points[:, j] for j, d in enumerate(dimensions)})
    columns[TOTAL] = totals
    alpha: dict[str, float | None] = {d: cronbach_alpha(scores[:, members[d]])
                                      for d in dimensions}
    shares = points / np.array([p.points for p in spec.dimensions])
    alpha[TOTAL] = cronbach_alpha(shares)
    pca: dict[str, Any] = {}
    for d in dimensions:
        share, loadings = first_component(scores[:, members[d]])
        pca[d] = {"first_share": share,
                  "loadings": {codes[k]: v for k, v in zip(members[d], loadings, strict=True)}}
    uncertainty, sensitivity = uncertainty_and_sensitivity(
        data, spread=spread, base_samples=base_samples, seed=seed)
    return {
        "indicators": {code: describe(values[:, k]) for k, code in enumerate(codes)},
        "correlations": correlation_matrices(columns),
        "cronbach_alpha": alpha,
        "pca": pca,
        "uncertainty": uncertainty,
        "sensitivity": sensitivity,
    }


def weak_pairs(report: Report, spec: core.ModelSpec) -> list[tuple[str, str, str, float]]:
    """The within-dimension pairs of indicators whose Pearson correlation is negative or weak
    (``|r| < 0.3``): (dimension, indicator, indicator, r)."""
    pearson = report["correlations"]["pearson"]
    pairs = []
    for dimension in spec.dimensions:
        codes = [i.code for i in spec.indicators if i.dimension == dimension.code]
        for k, a in enumerate(codes):
            for b in codes[k + 1:]:
                r = pearson.get(a, {}).get(b)
                if r is not None and (r < 0 or abs(r) < WEAK_CORRELATION):
                    pairs.append((dimension.code, a, b, r))
    return pairs


def box_statistics(values: core.FloatArray) -> tuple[list[float], list[float]] | None:
    """Tukey's box of one column: [lowest within 1.5 IQR, Q1, median, Q3, highest within
    1.5 IQR] and the values beyond; ``None`` without values."""
    data = np.asarray(values, dtype=np.float64)
    data = np.sort(data[~np.isnan(data)])
    if data.size == 0:
        return None
    q1, median, q3 = np.percentile(data, [25, 50, 75])
    reach = 1.5 * (q3 - q1)
    inside = data[(data >= q1 - reach) & (data <= q3 + reach)]
    outside = data[(data < q1 - reach) | (data > q3 + reach)]
    box = [float(inside.min()), float(q1), float(median), float(q3), float(inside.max())]
    return box, [float(v) for v in outside]


# --------------------------------------------------------------------------------------------
# The workbook


def audit_workbook(report: Report, names: Mapping[str, str], regions: Mapping[str, str]
                   ) -> bytes:
    """The report as an xlsx workbook, one sheet per part; ``names`` labels indicators and
    dimensions, ``regions`` the regions (by code). Text is escaped against formulas."""
    workbook = Workbook(write_only=True)

    def sheet(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        ws = workbook.create_sheet(title[:31])
        ws.append([escape_formula(h) for h in header])
        for row in rows:
            ws.append([escape_formula(v) for v in row])

    indicators = report["indicators"]
    sheet(_("指标描述统计"),
          [_("代码"), _("指标"), "n", _("缺失"), _("均值"), _("标准差"), _("最小值"), _("最大值"),
           _("偏度"), _("峰度"), _("异常值")],
          [[code, names.get(code, code), s["n"], s["missing"], s["mean"], s["std"], s["min"],
            s["max"], s["skewness"], s["kurtosis"], _("是") if s["outlier"] else _("否")]
           for code, s in indicators.items()])
    for key, title in (("pearson", _("Pearson 相关")), ("spearman", _("Spearman 相关"))):
        matrix = report["correlations"][key]
        codes = list(matrix)
        sheet(title, ["", *codes], [[code, *[matrix[code][other] for other in codes]]
                                    for code in codes])
    sheet(_("Cronbach α"), [_("代码"), _("方面"), "α"],
          [[code, names.get(code, code), value]
           for code, value in report["cronbach_alpha"].items()])
    sheet(_("主成分"), [_("方面"), _("第一主成分方差占比"), _("指标"), _("载荷")],
          [[names.get(d, d), info["first_share"], names.get(code, code), loading]
           for d, info in report["pca"].items() for code, loading in info["loadings"].items()])
    sheet(_("排名不确定性"), [_("代码"), _("地区"), _("正式排名"), _("中位排名"), _("第 5 百分位"),
                         _("第 95 百分位")],
          [[code, regions.get(code, code), u["rank"], u["median"], u["p05"], u["p95"]]
           for code, u in report["uncertainty"].items()])
    sheet(_("敏感性"), [_("假设"), _("一阶敏感性指数")],
          [[name, share] for name, share in report["sensitivity"].items()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

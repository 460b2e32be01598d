"""The index studio: rankings under other assumptions than the model's.

Two uses, one arithmetic:

* **The public "set your own weights" page** moves the dimensions' weights only. A dimension
  with weight ``w_j`` (of the sliders' total ``W``) takes the share ``w_j / W`` of the model's
  scale ``T`` (100), applied to its score as a fraction of its points ``P_j``:
  ``total = Σ_j D_j * c_j`` with ``c_j = (w_j * T) / (P_j * W)``. The total is the core's own
  exactly rounded sum (:func:`scoring.core.weighted_totals`), and the page's script computes
  the same ``c_j`` with the same float operations and the same exactly rounded sum, so the
  browser and the server agree bit for bit; with the model's weights (``w_j = P_j / 5``,
  ``c_j = 1`` exactly) it is the official total.
* **The administrators' what-if** changes, for a cycle, the dimensions' points, the
  indicators' weights, goalposts, directions and normalisation (goalposts, min–max, z-score,
  ordinal) and the aggregation (arithmetic or geometric). It starts from the indicator values
  stored in the cycle's official run, so a scenario that changes nothing *is* the official run:
  it goes through :func:`scoring.core.score` with the same numbers and reproduces every total
  and rank bit for bit. Z-scores, ordinal scores and geometric aggregation are the core's
  plain-float variants (:func:`scoring.core.zscore_scores` and the functions after it).

A scenario is a simulation: it is never published, and every page and file that shows one
carries the watermark ``WATERMARK`` (模拟). Points and weights are used as given (a scenario's
total is out of the sum of its points, not rescaled to 100); a zero leaves a dimension or an
indicator out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from scipy import stats

from common.errors import ApplicationError
from scoring import core

WATERMARK = _("模拟")
NOT_OFFICIAL = _("模拟结果，不是正式排名，不得发布")

AGGREGATIONS = ("arithmetic", "geometric")
#: Normalisations a scenario may choose for an indicator; absent means the model's own.
KINDS = ("goalposts", "minmax", "zscore", "ordinal")
KEYS = ("dimension_points", "indicator_weights", "normalisation", "goalposts", "directions",
        "aggregation")
#: Weights and points are 0 (left out) or within these bounds; goalposts within ±MAX_POST.
MIN_WEIGHT, MAX_WEIGHT = 1e-6, 1e6
MAX_POST = 1e12

KIND_LABELS = {
    "goalposts": _("门槛值"),
    "minmax": _("极值（最小–最大）"),
    "zscore": _("z 分数"),
    "ordinal": _("序数（按位次）"),
}
AGGREGATION_LABELS = {"arithmetic": _("算术平均"), "geometric": _("几何平均")}

# What a message names: the part of the scenario a value belongs to.
DIMENSION_POINTS = _("方面分值")
INDICATOR_WEIGHT = _("指标权重")
PUBLIC_WEIGHT = _("方面权重")

NOT_AN_OBJECT = _("模拟参数必须是一个 JSON 对象（键值对），可用的键有：{keys}")
UNKNOWN_KEY = _("模拟参数中没有“{key}”这一项；可用的有：{keys}")
NOT_A_MAPPING = _("“{key}”必须是以代码为键的对象")
UNKNOWN_CODE = _("{what}：代码“{code}”在本年度的指标体系中不存在")
NOT_A_NUMBER = _("{what}：“{code}”的值“{value}”不是数字")
NEGATIVE_WEIGHT = _("{what}：“{code}”的值 {value} 是负数；权重和分值不能为负")
OUT_OF_RANGE = _("{what}：“{code}”的值 {value} 超出范围（应为 0，或 0.000001 至 1000000）")
ALL_ZERO = _("{what}全部为零，没有可以计算的总分")
UNKNOWN_KIND = _("指标“{code}”的标准化方法“{kind}”不可用；可用的有：{kinds}")
UNKNOWN_AGGREGATION = _("汇总方法“{value}”不可用；可用的有：arithmetic（算术平均）、"
                        "geometric（几何平均）")
BAD_DIRECTION = _("指标“{code}”的方向“{value}”不可用：1 表示越大越好，-1 表示越小越好")
BAD_GOALPOSTS = _("指标“{code}”的门槛值必须是两个数字 [下限, 上限]，且下限小于上限")
GOALPOSTS_REQUIRED = _("指标“{code}”在指标体系中按极值标准化，没有门槛值；"
                       "改用门槛值时请给出下限和上限")
GEOMETRIC_ZSCORE = _("几何平均不能与 z 分数一起使用（z 分数可以为负，无法取对数）：{codes}")
COUNT_MISMATCH = _("方面权重的个数（{given}）与方面的个数（{expected}）不一致")


def _error(error_code: str, message: Any, /, *, field: str | None = None, **params: Any
           ) -> ApplicationError:
    return ApplicationError(error_code, message, field=field, params=params)


# --------------------------------------------------------------------------------------------
# The public page: dimension weights only


def public_scales(points: Sequence[float], weights: Sequence[float]) -> list[float]:
    """``c_j = (w_j * T) / (P_j * W)`` per dimension, with ``T = Σ P_j`` and ``W = Σ w_j``
    summed from the first dimension on — the order and operations of ``static/js/weights.js``,
    so both give the same floats."""
    if len(weights) != len(points):
        raise _error("WHATIF_COUNT_MISMATCH", COUNT_MISMATCH, given=len(weights),
                     expected=len(points))
    for code, weight in enumerate(weights, start=1):
        if not (isinstance(weight, int | float) and math.isfinite(weight)):
            raise _error("WHATIF_NOT_A_NUMBER", NOT_A_NUMBER, what=PUBLIC_WEIGHT, code=code,
                         value=weight)
        if weight < 0:
            raise _error("WHATIF_NEGATIVE_WEIGHT", NEGATIVE_WEIGHT, what=PUBLIC_WEIGHT,
                         code=code, value=weight)
    total_points = 0.0
    for p in points:
        total_points += float(p)
    total_weight = 0.0
    for w in weights:
        total_weight += float(w)
    if total_weight == 0:
        raise _error("WHATIF_ALL_ZERO", ALL_ZERO, what=PUBLIC_WEIGHT)
    return [(float(w) * total_points) / (float(p) * total_weight)
            for w, p in zip(weights, points, strict=True)]


def public_totals(dimension_points: core.FloatArray, points: Sequence[float],
                  weights: Sequence[float]) -> core.FloatArray:
    """Each unit's total under the public page's weights (units × dimensions in, units out);
    a missing dimension counts 0, a unit with none is NaN."""
    scales = np.array([public_scales(points, weights)], dtype=np.float64)
    totals: core.FloatArray = core.weighted_totals(
        np.asarray(dimension_points, dtype=np.float64), scales)[0]
    return totals


# --------------------------------------------------------------------------------------------
# A scenario and the run it starts from


@dataclass(frozen=True)
class Scenario:
    """A what-if, checked against one model: every dimension's points and indicator's weight
    (the model's where the scenario says nothing), and the overrides it makes."""

    dimension_points: dict[str, float]
    indicator_weights: dict[str, float]
    normalisation: dict[str, str] = field(default_factory=dict)
    goalposts: dict[str, tuple[float, float]] = field(default_factory=dict)
    directions: dict[str, int] = field(default_factory=dict)
    aggregation: str = "arithmetic"

    def as_json(self) -> dict[str, Any]:
        """What is stored and what ``whatif --scenario`` reads back."""
        return {
            "dimension_points": dict(self.dimension_points),
            "indicator_weights": dict(self.indicator_weights),
            "normalisation": dict(self.normalisation),
            "goalposts": {code: [lo, hi] for code, (lo, hi) in self.goalposts.items()},
            "directions": dict(self.directions),
            "aggregation": self.aggregation,
        }


@dataclass(frozen=True)
class RunData:
    """What a scenario is computed from: one run's stored results as arrays (units in region
    order, columns in the model's order)."""

    spec: core.ModelSpec
    run_id: int
    region_codes: tuple[str, ...]
    region_names: tuple[tuple[str, str], ...]  # (Chinese short name, English name)
    ranked: core.BoolArray
    values: core.FloatArray  # units × indicators: the indicator values the run scored
    scores: core.FloatArray  # units × indicators: the run's normalised scores
    dimension_points: core.FloatArray  # units × dimensions
    totals: core.FloatArray
    ranks: core.IntArray  # the run's total ranks, core.UNRANKED (0) where none

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.spec.indicators)

    @property
    def dimension_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.spec.dimensions)


@dataclass(frozen=True)
class ScenarioResult:
    dimension_points: core.FloatArray  # units × the model's dimensions; NaN where left out
    included: tuple[bool, ...]  # per dimension of the model: part of the scenario's total
    totals: core.FloatArray
    ranks: core.IntArray  # core.UNRANKED (0) where none
    official_ranks: core.IntArray
    rank_changes: tuple[int | None, ...]  # official rank - scenario rank: > 0 moved up
    kendall_tau: float | None  # scenario vs official ranks of the units ranked in both


def model_goalposts(indicator: core.IndicatorSpec) -> tuple[float, float] | None:
    """The goalposts a model's normalisation amounts to: its own, ``0..M`` for ordinal
    levels, ``0..T`` for a target; ``None`` for min–max (taken from each run's data)."""
    if indicator.normalisation == "goalposts":
        return float(indicator.lower or 0.0), float(indicator.upper or 0.0)
    if indicator.normalisation == "ordinal":
        return 0.0, float(indicator.max_level or 0.0)
    if indicator.normalisation == "target":
        return 0.0, float(indicator.target or 0.0)
    return None


def default_scenario(spec: core.ModelSpec) -> Scenario:
    return parse_scenario({}, spec)


# --------------------------------------------------------------------------------------------
# Reading a scenario


def parse_scenario(data: Any, spec: core.ModelSpec, *,
                   names: Mapping[str, str] | None = None) -> Scenario:
    """Check a scenario (as ``whatif --scenario`` reads it, or the studio's form gives it)
    against ``spec``; every key is optional. Raises :class:`ApplicationError` naming the
    offending key, code or value: a code as the file wrote it, or by its name in ``names``
    (the pages name indicators, not codes)."""
    try:
        return _parse(data, spec)
    except ApplicationError as exc:
        if names:
            if isinstance(exc.params.get("code"), str):
                exc.params["code"] = names.get(exc.params["code"], exc.params["code"])
            if "codes" in exc.extra:
                exc.params["codes"] = _list_separator().join(
                    names.get(c, c) for c in exc.extra["codes"])
        raise


def _parse(data: Any, spec: core.ModelSpec) -> Scenario:
    if not isinstance(data, Mapping):
        raise _error("WHATIF_NOT_AN_OBJECT", NOT_AN_OBJECT, keys=_list_separator().join(KEYS))
    for key in data:
        if key not in KEYS:
            raise _error("WHATIF_UNKNOWN_KEY", UNKNOWN_KEY, key=key,
                         keys=_list_separator().join(KEYS))
    indicators = {i.code: i for i in spec.indicators}
    points = _numbers(data, "dimension_points", {d.code: float(d.points) for d in spec.dimensions},
                      DIMENSION_POINTS)
    weights = _numbers(data, "indicator_weights", {i.code: float(i.weight) for i in
                                                  spec.indicators}, INDICATOR_WEIGHT)
    scenario = Scenario(
        dimension_points=points, indicator_weights=weights,
        normalisation=_kinds(_mapping(data, "normalisation"), indicators),
        goalposts=_goalposts(_mapping(data, "goalposts"), indicators),
        directions=_directions(_mapping(data, "directions"), indicators),
        aggregation=_aggregation(data.get("aggregation", "arithmetic")),
    )
    _check_whole(scenario, spec)
    return scenario


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _error("WHATIF_NOT_A_MAPPING", NOT_A_MAPPING, field=key, key=key)
    return value


def _known(code: Any, known: Mapping[str, Any], what: Any, key: str) -> str:
    if not isinstance(code, str) or code not in known:
        raise _error("WHATIF_UNKNOWN_CODE", UNKNOWN_CODE, field=key, what=what, code=code)
    return code


def _numbers(data: Mapping[str, Any], key: str, defaults: dict[str, float], what: Any
             ) -> dict[str, float]:
    result = dict(defaults)
    for raw_code, value in _mapping(data, key).items():
        code = _known(raw_code, defaults, what, key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value):
            raise _error("WHATIF_NOT_A_NUMBER", NOT_A_NUMBER, field=f"{key}.{code}", what=what,
                         code=code, value=value)
        if value < 0:
            raise _error("WHATIF_NEGATIVE_WEIGHT", NEGATIVE_WEIGHT, field=f"{key}.{code}",
                         what=what, code=code, value=value)
        if value != 0 and not MIN_WEIGHT <= value <= MAX_WEIGHT:
            raise _error("WHATIF_OUT_OF_RANGE", OUT_OF_RANGE, field=f"{key}.{code}", what=what,
                         code=code, value=value)
        result[code] = float(value)
    return result


def _kinds(data: Mapping[str, Any], indicators: Mapping[str, core.IndicatorSpec]
           ) -> dict[str, str]:
    kinds = {}
    for raw_code, kind in data.items():
        code = _known(raw_code, indicators, INDICATOR_WEIGHT, "normalisation")
        if kind not in KINDS:
            raise _error("WHATIF_UNKNOWN_KIND", UNKNOWN_KIND, field=f"normalisation.{code}",
                         code=code, kind=kind, kinds=_list_separator().join(KINDS))
        kinds[code] = str(kind)
    return kinds


def _goalposts(data: Mapping[str, Any], indicators: Mapping[str, core.IndicatorSpec]
               ) -> dict[str, tuple[float, float]]:
    posts = {}
    for raw_code, pair in data.items():
        code = _known(raw_code, indicators, INDICATOR_WEIGHT, "goalposts")
        ok = (isinstance(pair, list | tuple) and len(pair) == 2
              and all(isinstance(v, int | float) and not isinstance(v, bool)
                      and math.isfinite(v) and abs(v) <= MAX_POST for v in pair)
              and pair[1] - pair[0] >= MIN_WEIGHT)
        if not ok:
            raise _error("WHATIF_BAD_GOALPOSTS", BAD_GOALPOSTS, field=f"goalposts.{code}",
                         code=code)
        posts[code] = (float(pair[0]), float(pair[1]))
    return posts


def _directions(data: Mapping[str, Any], indicators: Mapping[str, core.IndicatorSpec]
                ) -> dict[str, int]:
    directions = {}
    for raw_code, value in data.items():
        code = _known(raw_code, indicators, INDICATOR_WEIGHT, "directions")
        if isinstance(value, bool) or value not in (1, -1):
            raise _error("WHATIF_BAD_DIRECTION", BAD_DIRECTION, field=f"directions.{code}",
                         code=code, value=value)
        directions[code] = int(value)
    return directions


def _aggregation(value: Any) -> str:
    if value not in AGGREGATIONS:
        raise _error("WHATIF_UNKNOWN_AGGREGATION", UNKNOWN_AGGREGATION, field="aggregation",
                     value=value)
    return str(value)


def _check_whole(scenario: Scenario, spec: core.ModelSpec) -> None:
    """What only the whole scenario can tell: something left to total, goalposts for a
    min–max indicator switched to goalposts, no z-score under geometric aggregation."""
    if not any(scenario.dimension_points.values()):
        raise _error("WHATIF_ALL_ZERO", ALL_ZERO, field="dimension_points",
                     what=DIMENSION_POINTS)
    kept = _kept_indicators(spec, scenario)
    if not kept:
        raise _error("WHATIF_ALL_ZERO", ALL_ZERO, field="indicator_weights",
                     what=INDICATOR_WEIGHT)
    for indicator in spec.indicators:
        code = indicator.code
        if (scenario.normalisation.get(code) == "goalposts" and code not in scenario.goalposts
                and model_goalposts(indicator) is None):
            raise _error("WHATIF_GOALPOSTS_REQUIRED", GOALPOSTS_REQUIRED,
                         field=f"goalposts.{code}", code=code)
    if scenario.aggregation == "geometric":
        zscores = [i.code for i in kept if scenario.normalisation.get(i.code) == "zscore"]
        if zscores:
            raise ApplicationError("WHATIF_GEOMETRIC_ZSCORE", GEOMETRIC_ZSCORE,
                                   field="aggregation",
                                   params={"codes": _list_separator().join(zscores)},
                                   extra={"codes": zscores})


def _kept_indicators(spec: core.ModelSpec, scenario: Scenario) -> list[core.IndicatorSpec]:
    return [i for i in spec.indicators if scenario.indicator_weights[i.code] > 0
            and scenario.dimension_points[i.dimension] > 0]


# --------------------------------------------------------------------------------------------
# Computing a scenario


def _indicator_spec(indicator: core.IndicatorSpec, scenario: Scenario) -> core.IndicatorSpec:
    """The indicator as the scenario scores it, reading its own value (the element of the
    derived model is the indicator's code). Z-score and ordinal indicators go through the
    core as min–max; their scores are replaced afterwards."""
    code = indicator.code
    kind = scenario.normalisation.get(code)
    posts = scenario.goalposts.get(code)
    direction = scenario.directions.get(code, indicator.direction)
    weight = scenario.indicator_weights[code]
    if kind is None and posts is None:
        return replace(indicator, formula=code, direction=direction, weight=weight)
    if kind in (None, "goalposts"):
        lower, upper = posts or model_goalposts(indicator) or (0.0, 1.0)
        return core.IndicatorSpec(code=code, dimension=indicator.dimension, formula=code,
                                  direction=direction, normalisation="goalposts", lower=lower,
                                  upper=upper, weight=weight)
    return core.IndicatorSpec(code=code, dimension=indicator.dimension, formula=code,
                              direction=direction, normalisation="minmax", weight=weight)


def compute(data: RunData, scenario: Scenario) -> ScenarioResult:
    """The scenario's dimension points, totals and ranks for every unit of ``data``."""
    spec = data.spec
    kept = _kept_indicators(spec, scenario)
    kept_codes = {i.dimension for i in kept}
    dimensions = [d for d in spec.dimensions if d.code in kept_codes]
    derived = core.ModelSpec(
        elements=tuple(i.code for i in kept),
        dimensions=tuple(core.DimensionSpec(d.code, scenario.dimension_points[d.code])
                         for d in dimensions),
        indicators=tuple(_indicator_spec(i, scenario) for i in kept),
    )
    column = {code: k for k, code in enumerate(data.indicator_codes)}
    x = data.values[:, [column[i.code] for i in kept]]
    model = core.compile_model(derived)
    result = core.score(model, x, data.ranked)
    special = {k: kind for k, i in enumerate(kept)
               if (kind := scenario.normalisation.get(i.code)) in ("zscore", "ordinal")}
    geometric = scenario.aggregation == "geometric"
    if special or geometric:
        scores = np.array(result.indicator_scores)
        for k, kind in special.items():
            variant = core.zscore_scores if kind == "zscore" else core.ordinal_scores
            scores[:, k] = variant(x[:, [k]], model.higher_is_better[[k]])[:, 0]
        points = core.aggregate_dimensions(scores, model.indicator_weight,
                                           model.indicator_dimension, model.points,
                                           geometric=geometric)
        if not geometric:  # the dimensions without a variant keep the core's exact points
            touched = np.zeros(len(dimensions), dtype=bool)
            touched[model.indicator_dimension[list(special)]] = True
            points[:, ~touched] = result.dimension_points[:, ~touched]
        totals = (core.geometric_totals(points, model.points) if geometric
                  else core.weighted_totals(points))
        ranks = core.competition_ranks(totals, data.ranked)
    else:
        points, totals, ranks = result.dimension_points, result.totals, result.total_ranks
    every = np.full((len(data.region_codes), len(spec.dimensions)), np.nan)
    position = {d.code: j for j, d in enumerate(spec.dimensions)}
    for j, dimension in enumerate(dimensions):
        every[:, position[dimension.code]] = points[:, j]
    return ScenarioResult(
        dimension_points=every,
        included=tuple(d.code in kept_codes for d in spec.dimensions),
        totals=np.asarray(totals, dtype=np.float64), ranks=np.asarray(ranks, dtype=np.int64),
        official_ranks=data.ranks,
        rank_changes=tuple(int(o - r) if o and r else None
                           for o, r in zip(data.ranks.tolist(), np.asarray(ranks).tolist(),
                                           strict=True)),
        kendall_tau=kendall_tau(data.ranks, np.asarray(ranks)),
    )


def kendall_tau(official: core.IntArray, other: core.IntArray) -> float | None:
    """Kendall's τ-b (SciPy) between two rankings, over the units ranked in both; ``None``
    when fewer than two are, or either ranking puts them all level."""
    both = (np.asarray(official) > 0) & (np.asarray(other) > 0)
    if int(both.sum()) < 2:
        return None
    tau = stats.kendalltau(np.asarray(official)[both], np.asarray(other)[both]).statistic
    return None if not math.isfinite(tau) else float(tau)


def _list_separator() -> str:
    return pgettext("enumeration separator", "、")

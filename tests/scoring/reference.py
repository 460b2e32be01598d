"""A deliberately plain implementation of the scoring rules, the oracle of the core's tests.

It lives with the tests (and the scoring benchmark), never in the application. It reads like
the spec and shares no arithmetic with :mod:`scoring.core`: Python loops over
units, indicators and dimensions, and exact rational arithmetic (:class:`fractions.Fraction`)
from the indicator value on. The only float steps are the ones the core defines as float:

* the indicator value — the formula evaluated in float64 (Python floats round like NumPy);
* each reported score and dimension points — the exact value rounded to the nearest float;
* the total — the exact sum of the reported (float) dimension points, rounded once.

The core computes in double-double and recomputes exactly any cell whose rounding is in
doubt, so the two agree bit for bit; the tests check that (the contract asks for 1e-9). It is
slow on purpose (tens of seconds for 3,000 units × 60 indicators); the benchmark reports how
much faster the core is.
Decisions the spec leaves open are the core's; see :mod:`scoring.core`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from indicators.expressions import Expression, parse_expression
from scoring.core import (
    UNRANKED,
    CompiledModel,
    DimensionSpec,
    IndicatorSpec,
    ModelSpec,
    ScoreResult,
)

NAN = math.nan


def _value(expression: Expression, unit: dict[str, float]) -> float:
    """One indicator value of one unit in float64; NaN when an element is missing (NaN
    propagates through the arithmetic) or the formula fails (division by zero)."""
    try:
        value = float(expression.evaluate(unit))
    except (ZeroDivisionError, OverflowError):
        return NAN
    return value if math.isfinite(value) else NAN


def _score(ind: IndicatorSpec, x: float, low: float, high: float) -> Fraction | None:
    """The normalised score of one value, exactly; ``low``/``high`` are the run's min and max
    of the indicator (used by minmax only)."""
    if math.isnan(x):
        return None
    value = Fraction(x)
    higher = ind.direction == 1
    if ind.normalisation == "goalposts":
        lower, upper = Fraction(float(ind.lower or 0)), Fraction(float(ind.upper or 0))
        s = (value - lower) / (upper - lower) if higher else (upper - value) / (upper - lower)
    elif ind.normalisation == "ordinal":
        level = Fraction(float(ind.max_level or 0))
        s = value / level if higher else (level - value) / level
    elif ind.normalisation == "target":
        target = Fraction(float(ind.target or 0))
        if not higher:
            return Fraction(1) if value <= target else target / value
        s = min(value / target, Fraction(1))
    else:  # minmax
        if low == high:
            return Fraction(1)
        lower, upper = Fraction(low), Fraction(high)
        s = (value - lower) / (upper - lower) if higher else (upper - value) / (upper - lower)
    return min(max(s, Fraction(0)), Fraction(1))


def _ranks(values: Sequence[float], ranked: Sequence[bool]) -> list[int]:
    """1 + the number of ranked units with a strictly greater value; 0 for the others."""
    result = []
    for i, v in enumerate(values):
        if not ranked[i] or math.isnan(v):
            result.append(UNRANKED)
            continue
        greater = 0
        for j, other in enumerate(values):
            if ranked[j] and not math.isnan(other) and other > v:
                greater += 1
        result.append(1 + greater)
    return result


def score_reference(model: ModelSpec | CompiledModel, values: npt.ArrayLike,
                    ranked: Sequence[bool] | npt.ArrayLike) -> ScoreResult:
    """Score like :func:`scoring.core.score`, one unit and one indicator at a time.

    The model is assumed valid (the core's :func:`~scoring.core.compile_model` checks it).
    """
    spec = model.spec if isinstance(model, CompiledModel) else model
    rows: list[list[float]] = np.asarray(values, dtype=np.float64).tolist()
    flags = [bool(f) for f in np.asarray(ranked).tolist()]
    xs = _indicator_values(spec, rows)
    lows, highs = _run_bounds(xs, len(spec.indicators))

    scores: list[list[float]] = []
    dimension_points: list[list[float]] = []
    incomplete: list[list[bool]] = []
    for unit_values in xs:
        exact = [_score(ind, unit_values[k], lows[k], highs[k])
                 for k, ind in enumerate(spec.indicators)]
        scores.append([NAN if s is None else float(s) for s in exact])
        dimensions = [_dimension(spec, dim, exact) for dim in spec.dimensions]
        dimension_points.append([points for points, _ in dimensions])
        incomplete.append([flag for _, flag in dimensions])
    totals = [_total(points_row) for points_row in dimension_points]

    columns = [_ranks([row[j] for row in dimension_points], flags)
               for j in range(len(spec.dimensions))]
    n, m, d = len(rows), len(spec.indicators), len(spec.dimensions)
    return ScoreResult(
        indicator_values=np.array(xs, dtype=np.float64).reshape(n, m),
        indicator_scores=np.array(scores, dtype=np.float64).reshape(n, m),
        dimension_points=np.array(dimension_points, dtype=np.float64).reshape(n, d),
        dimension_incomplete=np.array(incomplete, dtype=bool).reshape(n, d),
        totals=np.array(totals, dtype=np.float64).reshape(n),
        total_ranks=np.array(_ranks(totals, flags), dtype=np.int64).reshape(n),
        dimension_ranks=np.array([[column[i] for column in columns] for i in range(n)],
                                 dtype=np.int64).reshape(n, d),
        tiers=tuple(_tier(spec, total) for total in totals),
        total_incomplete=np.array([any(r) for r in incomplete], dtype=bool).reshape(n),
    )


def _indicator_values(spec: ModelSpec, rows: list[list[float]]) -> list[list[float]]:
    """Units × indicators: every formula evaluated for every unit, a non-finite element
    value read as missing."""
    expressions = [parse_expression(ind.formula, known_codes=set(spec.elements))
                   for ind in spec.indicators]
    xs = []
    for row in rows:
        unit = {code: (v if math.isfinite(v) else NAN)
                for code, v in zip(spec.elements, row, strict=True)}
        xs.append([_value(expression, unit) for expression in expressions])
    return xs


def _run_bounds(xs: list[list[float]], indicators: int) -> tuple[list[float], list[float]]:
    """The run's minimum and maximum of every indicator over the units with a value (minmax)."""
    lows, highs = [], []
    for k in range(indicators):
        present = [row[k] for row in xs if not math.isnan(row[k])]
        lows.append(min(present) if present else NAN)
        highs.append(max(present) if present else NAN)
    return lows, highs


def _dimension(spec: ModelSpec, dim: DimensionSpec, exact: list[Fraction | None]
               ) -> tuple[float, bool]:
    """One unit's points in one dimension (``points * Σ w s / Σ w`` over the indicators with a
    value, NaN when none has one) and whether an indicator of it is missing."""
    weighted = weights = Fraction(0)
    members = missing = 0
    for k, ind in enumerate(spec.indicators):
        if ind.dimension != dim.code:
            continue
        members += 1
        s = exact[k]
        if s is None:
            missing += 1
            continue
        weighted += Fraction(float(ind.weight)) * s
        weights += Fraction(float(ind.weight))
    if members == missing:
        return NAN, missing > 0
    return float(Fraction(float(dim.points)) * weighted / weights), missing > 0


def _total(points_row: list[float]) -> float:
    """The exact sum of the (float) dimension points present, rounded once; NaN if none."""
    present = [p for p in points_row if not math.isnan(p)]
    return float(sum(Fraction(p) for p in present)) if present else NAN


def _tier(spec: ModelSpec, total: float) -> str | None:
    """The code of the highest tier whose min_total the total reaches."""
    reached = None
    for tier in sorted(spec.tiers, key=lambda t: float(t.min_total)):
        if not math.isnan(total) and float(tier.min_total) <= total:
            reached = tier.code
    return reached

"""The pure scoring core: element values in, indicator scores, dimension points, totals, ranks
and tiers out. NumPy only — nothing here imports Django, so the core can be tested, profiled and
reused (exports, the benchmark, a notebook) without a database.

The contract is the "Scoring rules (exact)" section of the model specification
(``index-model-2017.md``).
This module adds the decisions the spec leaves open; each is also stated where it is applied:

* **Missing values.** A non-finite element value is missing. An indicator value is missing
  when its formula meets a missing element or is not finite (division by zero, overflow).
* **Missing dimension in the total.** A unit with no indicator value in a dimension gets no
  points (NaN) and no rank for that dimension; its total is the sum of the dimensions it has
  (a missing dimension counts 0), it keeps a total rank, and ``total_incomplete`` says so. The
  total is NaN — and unranked — only when every dimension is missing.
* **Rank convention.** Ranks are 1-based standard competition ranks (1, 2, 2, 4), descending,
  on the unrounded value, over the ranked units only. ``UNRANKED`` (0) marks a unit that is
  not ranked (e.g. 新疆生产建设兵团) or has no value; such a unit never takes a rank from others.
* **Target, lower is better.** ``s = min(T / x, 1)``, i.e. 1 for every ``x <= T`` (including
  zero and negative values) and ``T / x`` above the target. Higher is better: ``s = x / T``
  capped to [0, 1] — the same as goalposts ``0..T``.
* **Ordinal, lower is better.** ``s = (M - x) / M``, capped to [0, 1] — goalposts ``M..0``.
* **minmax.** L and U are the minimum and maximum of the indicator over every unit scored in
  the run (ranked or not) that has a value; when they are equal every unit with a value gets 1.
* **Tiers** are assigned on the total as it is, for ranked and unranked units alike, including
  incomplete totals; a NaN total, or one below every tier, gets ``None``.

Exactness and ties
------------------
Ranks compare floats with ``==`` and ``>``, no tolerance: a tolerance is not transitive, and
the spec ranks on the unrounded value. That only works if mathematically equal results are
bit-identical floats, and plain float arithmetic does not give that: in the policy dimension
(six ordinal items, max level 3) the levels (2,2,2,2,2,2) and (3,3,3,3,0,0) both mean
``10 * 12 / 18``, yet summed naively they come out as 6.666666666666665 and 6.666666666666667
and would be ranked apart. So from the indicator value on, the core computes each
reported number exactly and rounds it once:

* an indicator value ``x`` is the formula evaluated in ordinary float64 (it is a stored input);
* ``indicator_scores`` and ``dimension_points`` are the exact rule applied to ``x``, rounded to
  the nearest float64 (the dimension uses the exact scores, not the rounded ones);
* ``totals`` are the exact sum of the float64 ``dimension_points`` as reported, rounded once —
  a reader who adds up the stored dimension points gets the stored total, and
  :mod:`scoring.uncertainty` reproduces it from the dimension points alone.

Equal exact values therefore give equal floats, and the results do not depend on the order
of units, indicators or the machine. The arithmetic is double-double (error-free
transformations, ~32 significant digits, vectorised); a result whose double-double value lies
so close to a rounding midpoint that its rounding is in doubt — exact midpoints included —
is recomputed exactly with :class:`fractions.Fraction` or :func:`math.fsum`, one cell at a
time. That is rare: none of the benchmark's 180,000 scores with random data, 16 with integer
data.
The plain-loop reference scorer of the tests (``tests/scoring/reference.py``) computes
everything with fractions and is their oracle: the two agree bit for bit. The error-free
steps assume magnitudes well inside the float64 range; a step that overflows is also
recomputed exactly.

No dimension sum uses a BLAS matrix product: BLAS kernels may round a row differently depending
on where it sits in the matrix (edge kernels, FMA), which would break "identical inputs give
identical results". ``CompiledModel.weights`` (indicators × dimensions) is still precomputed for
callers that want the matrix view.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from indicators.expressions import Expression, ExpressionError, parse_expression

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
_A = TypeVar("_A", bound=npt.NDArray[np.generic])

NORMALISATIONS = ("goalposts", "ordinal", "minmax", "target")
#: The rank of a unit that is not ranked or has no value.
UNRANKED = 0
#: Model parameters (goalposts, levels, targets, weights, points) stay within these
#: magnitudes (and a goalpost span above MIN_PARAMETER), so that the error-free
#: transformations below neither overflow nor underflow.
MAX_PARAMETER = 1e50
MIN_PARAMETER = 1e-50


class ModelError(ValueError):
    """The model specification cannot be scored; the message names the offending item."""


@dataclass(frozen=True)
class DimensionSpec:
    """A dimension and the points of the model's scale it carries (20 for D1 in 2017)."""

    code: str
    points: float


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator as the model file states it; parameters that its normalisation does not
    use are ignored, so a database row can carry them all."""

    code: str
    dimension: str
    formula: str
    direction: int  # +1 higher is better, -1 lower is better
    normalisation: str  # "goalposts" | "ordinal" | "minmax" | "target"
    lower: float | None = None  # goalposts
    upper: float | None = None  # goalposts
    max_level: float | None = None  # ordinal
    target: float | None = None  # target
    weight: float = 1.0


@dataclass(frozen=True)
class Tier:
    """A band of totals, e.g. ``Tier(65.0, "leading")``; its labels live with the model."""

    min_total: float
    code: str


@dataclass(frozen=True)
class ModelSpec:
    """One model version as plain data: what :func:`compile_model` checks and prepares."""

    elements: tuple[str, ...]  # column order of the values array
    dimensions: tuple[DimensionSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True)
class ScoreResult:
    """Everything one scoring pass produces; arrays are read-only, rows are units in input
    order, columns follow the model's indicator and dimension order."""

    indicator_values: FloatArray  # units × indicators, NaN where missing
    indicator_scores: FloatArray  # units × indicators, in [0, 1], NaN where missing
    dimension_points: FloatArray  # units × dimensions, NaN where the unit has no value in it
    dimension_incomplete: BoolArray  # units × dimensions: some or every indicator missing
    totals: FloatArray  # units; sum of the dimensions present, NaN if none
    total_ranks: IntArray  # units; 1-based competition ranks, UNRANKED (0) otherwise
    dimension_ranks: IntArray  # units × dimensions, same convention
    tiers: tuple[str | None, ...]  # per unit, code of the highest tier reached
    total_incomplete: BoolArray  # units; some dimension of the unit is incomplete


@dataclass(frozen=True, eq=False)
class CompiledModel:
    """A checked model with its formulas parsed once and its parameters laid out as arrays.

    Build it with :func:`compile_model`; the arrays are read-only. ``weights`` is the
    indicators × dimensions matrix (``w_i`` where indicator ``i`` belongs to the dimension,
    else 0); the other arrays are per indicator (``m``) or per dimension (``d``).
    """

    spec: ModelSpec
    expressions: tuple[Expression, ...]
    weights: FloatArray  # m × d
    points: FloatArray  # d
    indicator_dimension: IntArray  # m: the dimension column of each indicator
    # Formula evaluation: bare element formulas are one gather, the others evaluated one by one.
    direct_indicators: IntArray
    direct_elements: IntArray
    formula_indicators: IntArray
    # Normalisation parameters per indicator. Everything but "target, lower is better" is
    # goalposts lower..upper (ordinal: 0..M, target: 0..T); minmax bounds are NaN here and
    # taken from the data of each run.
    lower: FloatArray
    upper: FloatArray
    higher_is_better: BoolArray
    is_minmax: BoolArray
    is_target_lower: BoolArray
    indicator_weight: FloatArray
    power_of_two_weight: BoolArray  # w_i * s_i is exact in float64
    # Dimension layout: slots[j, k] is the k-th indicator of dimension j, -1 as padding.
    slots: IntArray
    indicators_per_dimension: IntArray
    tier_thresholds: FloatArray  # ascending
    tier_codes: tuple[str, ...]  # in the order of tier_thresholds

    @property
    def element_codes(self) -> tuple[str, ...]:
        return self.spec.elements

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.spec.indicators)

    @property
    def dimension_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.spec.dimensions)

    @property
    def total_points(self) -> float:
        """The model's scale (100 for the 2017 model): the sum of the dimensions' points."""
        return math.fsum(float(p) for p in self.points)


# --------------------------------------------------------------------------------------------
# Compilation


def _parameter(value: float | None, what: str, *, positive: bool = False) -> float:
    if value is None:
        raise ModelError(f"{what} is required")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ModelError(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(number) or abs(number) > MAX_PARAMETER:
        raise ModelError(f"{what} must be a finite number below {MAX_PARAMETER:g}")
    if positive and number <= 0:
        raise ModelError(f"{what} must be positive, not {number:g}")
    if positive and number < MIN_PARAMETER:
        raise ModelError(f"{what} must be at least {MIN_PARAMETER:g}")
    return number


def _unique(codes: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ModelError(f"{what} {code} appears twice")
        seen.add(code)


def _read_only(array: _A) -> _A:
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class _CompiledIndicator:
    """One indicator, checked: its parsed formula and its row of the parameter arrays."""

    expression: Expression
    dimension: int  # the dimension's column
    direct_element: int | None  # the element's column when the formula is a bare element
    higher_is_better: bool
    weight: float
    lower: float  # the goalposts (ordinal: 0..M, target: 0..T); NaN for minmax
    upper: float
    is_minmax: bool
    is_target_lower: bool


def compile_model(spec: ModelSpec) -> CompiledModel:
    """Check ``spec`` and prepare it for scoring.

    Formulas are parsed once (against the model's element codes) and every normalisation is
    reduced to a few parameter arrays, so :func:`score` runs without Python loops over units.
    Parameters that do not apply to an indicator's normalisation (say ``lower`` on an ordinal
    indicator, as a database row may carry) are ignored. Raises :class:`ModelError`.
    """
    _unique(spec.elements, "element")
    _unique([d.code for d in spec.dimensions], "dimension")
    _unique([i.code for i in spec.indicators], "indicator")
    if not spec.dimensions:
        raise ModelError("the model has no dimension")
    points = np.array(
        [_parameter(d.points, f"points of dimension {d.code}", positive=True)
         for d in spec.dimensions],
        dtype=np.float64,
    )
    context = _ModelContext(
        elements={code: j for j, code in enumerate(spec.elements)},
        dimensions={d.code: j for j, d in enumerate(spec.dimensions)},
        probe={code: np.ones(1) for code in spec.elements},
    )
    indicators = [_compile_indicator(context, ind) for ind in spec.indicators]
    dimension_of = np.array([c.dimension for c in indicators], dtype=np.int64)
    counts, slots = _dimension_layout(spec, dimension_of)
    weight = np.array([c.weight for c in indicators], dtype=np.float64)
    weights = np.zeros((len(indicators), len(spec.dimensions)))
    weights[np.arange(len(indicators)), dimension_of] = weight
    tiers, thresholds = _tier_layout(spec)

    def ints(values: list[int]) -> IntArray:
        return np.array(values, dtype=np.int64)

    def column(name: str, dtype: type) -> npt.NDArray[Any]:
        return _read_only(np.array([getattr(c, name) for c in indicators], dtype=dtype))

    direct = [i for i, c in enumerate(indicators) if c.direct_element is not None]
    return CompiledModel(
        spec=spec,
        expressions=tuple(c.expression for c in indicators),
        weights=_read_only(weights),
        points=_read_only(points),
        indicator_dimension=_read_only(dimension_of),
        direct_indicators=_read_only(ints(direct)),
        direct_elements=_read_only(ints([indicators[i].direct_element or 0 for i in direct])),
        formula_indicators=_read_only(
            ints([i for i, c in enumerate(indicators) if c.direct_element is None])
        ),
        lower=column("lower", np.float64),
        upper=column("upper", np.float64),
        higher_is_better=column("higher_is_better", bool),
        is_minmax=column("is_minmax", bool),
        is_target_lower=column("is_target_lower", bool),
        indicator_weight=_read_only(weight),
        power_of_two_weight=_read_only(np.frexp(weight)[0] == 0.5),
        slots=_read_only(slots),
        indicators_per_dimension=_read_only(counts),
        tier_thresholds=_read_only(thresholds),
        tier_codes=tuple(t.code for t in tiers),
    )


@dataclass(frozen=True)
class _ModelContext:
    """What checking an indicator needs of the whole model, built once."""

    elements: dict[str, int]  # element code -> column
    dimensions: dict[str, int]  # dimension code -> column
    probe: dict[str, FloatArray]  # one value per element, to evaluate a formula once


def _compile_indicator(context: _ModelContext, ind: IndicatorSpec) -> _CompiledIndicator:
    """Check one indicator: its dimension, its formula, its direction, weight and
    normalisation, in that order (the first problem is the one reported)."""
    where = f"indicator {ind.code}"
    if ind.dimension not in context.dimensions:
        raise ModelError(f"{where}: unknown dimension {ind.dimension!r}")
    expression = _indicator_expression(context, ind, where)
    if ind.direction not in (1, -1) or isinstance(ind.direction, bool):
        raise ModelError(f"{where}: direction must be +1 or -1, not {ind.direction!r}")
    higher = ind.direction == 1
    weight = _parameter(ind.weight, f"{where}: weight", positive=True)
    lower, upper = _goalposts(ind, where)
    direct = (context.elements[expression.tree.id]
              if isinstance(expression.tree, ast.Name) else None)
    return _CompiledIndicator(
        expression=expression,
        dimension=context.dimensions[ind.dimension],
        direct_element=direct,
        higher_is_better=higher,
        weight=weight,
        lower=lower,
        upper=upper,
        is_minmax=ind.normalisation == "minmax",
        is_target_lower=ind.normalisation == "target" and not higher,
    )


def _indicator_expression(context: _ModelContext, ind: IndicatorSpec, where: str
                          ) -> Expression:
    """The indicator's formula, parsed against the model's elements: arithmetic that reads at
    least one element and has no constant part that fails on any data (such as 1/0)."""
    try:
        expression = parse_expression(ind.formula, known_codes=set(context.elements))
    except ExpressionError as exc:
        raise ModelError(f"{where}: {exc}") from exc
    if expression.is_comparison:
        raise ModelError(f"{where}: formula {ind.formula!r} is a comparison")
    if not expression.codes:
        raise ModelError(f"{where}: formula {ind.formula!r} reads no data element")
    try:
        with np.errstate(all="ignore"):
            expression.evaluate(context.probe)
    except (ZeroDivisionError, OverflowError) as exc:
        raise ModelError(f"{where}: formula {ind.formula!r} cannot be evaluated") from exc
    return expression


def _goalposts(ind: IndicatorSpec, where: str) -> tuple[float, float]:
    """The indicator's normalisation as goalposts ``lower..upper``: its own for goalposts,
    ``0..M`` for ordinal, ``0..T`` for target; NaN for minmax (taken from each run's data)."""
    if ind.normalisation == "goalposts":
        lower = _parameter(ind.lower, f"{where}: lower goalpost")
        upper = _parameter(ind.upper, f"{where}: upper goalpost")
        if not lower < upper:
            raise ModelError(f"{where}: lower goalpost must be below the upper one")
        if upper - lower < MIN_PARAMETER:
            raise ModelError(f"{where}: goalposts must be at least {MIN_PARAMETER:g} apart")
        return lower, upper
    if ind.normalisation == "ordinal":
        return 0.0, _parameter(ind.max_level, f"{where}: max level", positive=True)
    if ind.normalisation == "target":
        return 0.0, _parameter(ind.target, f"{where}: target", positive=True)
    if ind.normalisation == "minmax":
        return math.nan, math.nan
    raise ModelError(
        f"{where}: normalisation must be one of {', '.join(NORMALISATIONS)}, "
        f"not {ind.normalisation!r}"
    )


def _dimension_layout(spec: ModelSpec, dimension_of: IntArray) -> tuple[IntArray, IntArray]:
    """The number of indicators of each dimension, and the slots: ``slots[j, k]`` is the k-th
    indicator of dimension j, -1 as padding. Every dimension must have an indicator."""
    d = len(spec.dimensions)
    counts = np.bincount(dimension_of, minlength=d).astype(np.int64)
    empty = [spec.dimensions[j].code for j in range(d) if counts[j] == 0]
    if empty:
        raise ModelError(f"dimension(s) {', '.join(empty)} have no indicator")
    slots = np.full((d, int(counts.max()) if dimension_of.size else 0), -1, dtype=np.int64)
    filled = np.zeros(d, dtype=np.int64)
    for i, j in enumerate(dimension_of):
        slots[j, filled[j]] = i
        filled[j] += 1
    return counts, slots


def _tier_layout(spec: ModelSpec) -> tuple[list[Tier], FloatArray]:
    """The tiers in ascending order of their ``min_total``, and those thresholds."""
    tiers = sorted(spec.tiers, key=lambda t: float(t.min_total))
    _unique([t.code for t in tiers], "tier")
    thresholds = np.array(
        [_parameter(t.min_total, f"tier {t.code}: min_total") for t in tiers], dtype=np.float64
    )
    if np.any(np.diff(thresholds) == 0):
        raise ModelError("two tiers have the same min_total")
    return tiers, thresholds


# --------------------------------------------------------------------------------------------
# Double-double arithmetic (Dekker 1971, Knuth; the "sloppy" operations of the QD library).
# A value is a pair (hi, lo) of float64 arrays with hi = fl(hi + lo), so hi is the value
# rounded to float64. No FMA is needed: the results are the same on every IEEE machine.

DD = tuple[FloatArray, FloatArray]
_SPLITTER = 134217729.0  # 2**27 + 1: splits a float64 into two 26-bit halves
# Relative error bounds used to spot a result that may round the other way. The operations
# below are good to a few units of 2**-104; these bounds leave a wide margin, so a cell is
# recomputed exactly far more often than strictly needed — which is still almost never.
_SCORE_SLACK = 2.0**-96
_POINTS_SLACK = 2.0**-90
# Below _TINY a score or dimension is recomputed exactly: with the parameters' bounds below,
# every error-free product of larger values stays clear of underflow.
_TINY = 2.0**-600
_MIN_SPAN, _MAX_SPAN = 2.0**-300, 2.0**300  # a minmax span outside is recomputed exactly
#: Units per block × indicators: the working set of one block of the scoring pass.
_BLOCK_CELLS = 16_384


def _two_sum(a: FloatArray, b: FloatArray) -> DD:
    """a + b exactly, as the rounded sum and its error."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _quick_two_sum(a: FloatArray, b: FloatArray) -> DD:
    """a + b exactly when |a| >= |b| (or a == 0): renormalises a pair."""
    s = a + b
    return s, b - (s - a)


def _split(a: FloatArray) -> DD:
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def _two_prod(a: FloatArray, b: FloatArray) -> DD:
    """a * b exactly (barring underflow), as the rounded product and its error."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _dd_add(a: DD, b: DD) -> DD:
    """a + b for operands of the same sign (all sums in scoring add non-negative terms)."""
    s, e = _two_sum(a[0], b[0])
    return _quick_two_sum(s, e + (a[1] + b[1]))


def _dd_mul(a: DD, b: FloatArray) -> DD:
    """a * b for a double-double a and a float64 b."""
    p, e = _two_prod(a[0], b)
    return _quick_two_sum(p, e + a[1] * b)


def _dd_div(a: DD, b: DD) -> DD:
    """a / b: a first quotient, the remainder a - q1 * b computed exactly, a correction."""
    q1 = a[0] / b[0]
    p, e = _two_prod(q1, b[0])
    s, t = _two_sum(a[0], -p)
    r = s + (((t - e) + a[1]) - q1 * b[1])
    return _quick_two_sum(q1, r / b[0])


def _doubtful(hi: FloatArray, lo: FloatArray, slack: FloatArray) -> BoolArray:
    """Where ``hi`` may not be the exact value rounded to nearest (and where hi is NaN).

    The exact value is ``hi + lo`` give or take ``|slack|``; rounding is monotone, so ``hi`` is
    its correct rounding if both ends of that interval round to ``hi``. Cells that fail (the
    exact value within ~1e-27 of a rounding midpoint, or exactly on one) are recomputed
    exactly. Plain additions: cheaper than ``nextafter``, and exact enough, since the slack is
    some 2**10 times the rounding error of ``lo ± slack``. (Near underflow the error-free
    products stop being exact; the callers treat tiny values apart.)
    """
    doubtful: BoolArray = ((hi + (lo + slack)) != hi) | ((hi + (lo - slack)) != hi)
    return doubtful


# --------------------------------------------------------------------------------------------
# Scoring. Arrays are laid out indicators × units (and dimensions × units) inside, so that an
# indicator is one contiguous row; the results are transposed back to units first.


@dataclass(frozen=True)
class _Scores:
    """Normalised scores of one run as double-double, and what the exact fallback needs."""

    hi: FloatArray  # indicators × units: the score rounded to float64, NaN where missing
    lo: FloatArray  # its low part (0 where capped, NaN where missing)
    positive: BoolArray  # the exact score is above 0 (False where missing)
    tiny: BoolArray  # positive but below _TINY: near underflow, so recomputed exactly
    lower: FloatArray  # per indicator: this run's goalposts (minmax from the data)
    upper: FloatArray


def _indicator_values(model: CompiledModel, values: FloatArray) -> FloatArray:
    """Evaluate every formula over all units at once (one loop over indicators, none over
    units), indicators × units; a non-finite result — a missing element, division by zero —
    becomes NaN."""
    columns = np.ascontiguousarray(values.T)
    x = np.empty((len(model.expressions), values.shape[0]))
    x[model.direct_indicators] = columns[model.direct_elements]
    if model.formula_indicators.size:
        mapping = {code: columns[j] for j, code in enumerate(model.spec.elements)}
        for i in model.formula_indicators:
            x[i] = model.expressions[i].evaluate(mapping)
    x[~np.isfinite(x)] = np.nan
    return x


def _exact_score(model: CompiledModel, k: int, x: float, lower: float, upper: float
                 ) -> Fraction:
    """The score of value ``x`` of indicator ``k`` as an exact fraction (``lower``/``upper``:
    the run's goalposts, the target for "target")."""
    value, low, high = Fraction(x), Fraction(lower), Fraction(upper)
    if model.is_target_lower[k]:
        return Fraction(1) if value <= high else high / value
    if low == high:  # minmax over equal values
        return Fraction(1)
    s = (value - low if model.higher_is_better[k] else high - value) / (high - low)
    return min(max(s, Fraction(0)), Fraction(1))


def _split_fraction(value: Fraction) -> tuple[float, float]:
    """A fraction as (nearest float, nearest float to the rest)."""
    hi = float(value)
    return hi, float(value - Fraction(hi))


def _run_goalposts(model: CompiledModel, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Each indicator's goalposts in this run: the model's, or for minmax the minimum and
    maximum over every unit scored in the run that has a value (fmin/fmax skip NaN)."""
    lower = model.lower.copy()
    upper = model.upper.copy()
    if model.is_minmax.any() and x.shape[1]:
        lower[model.is_minmax] = np.fmin.reduce(x[model.is_minmax], axis=1)
        upper[model.is_minmax] = np.fmax.reduce(x[model.is_minmax], axis=1)
    return lower, upper


def _indicator_scores(model: CompiledModel, x: FloatArray, lower: FloatArray,
                      upper: FloatArray) -> _Scores:
    """Normalised scores in [0, 1], NaN where the value is missing.

    Every normalisation but "target, lower is better" is goalposts ``L..U``:
    ``(x - L) / (U - L)``, or ``(U - x) / (U - L)`` for lower is better, capped to [0, 1] —
    beyond a goalpost the quotient passes 0 or 1 and the cap makes it exactly 0 or 1. The
    differences are exact (error-free sums) and the division runs in double-double. "Target,
    lower is better" is ``T / x`` above the target and 1 otherwise. A quotient that may round
    the wrong way, or overflowed, is recomputed exactly.
    """
    n = x.shape[1]
    higher = model.higher_is_better
    target_lower = model.is_target_lower
    flat = (lower == upper) | target_lower  # rows scored apart below
    origin = np.where(higher, lower, upper)[:, None]
    sign = np.where(higher, 1.0, -1.0)[:, None]
    den = _two_sum(upper, -lower)
    den = (np.where(flat, 1.0, den[0])[:, None], np.where(flat, 0.0, den[1])[:, None])

    num_hi, num_lo = _two_sum(x, -origin)
    num_hi *= sign
    num_lo *= sign
    q_hi, q_lo = _dd_div((num_hi, num_lo), den)
    s_hi = np.minimum(np.maximum(q_hi, 0.0), 1.0) + 0.0  # + 0.0: no negative zero
    # Keep the low part only strictly inside (0, 1): a quotient of exactly 1 or more is a cap.
    inside = (q_hi > 0.0) & ((q_hi < 1.0) | ((q_hi == 1.0) & (q_lo < 0.0)))
    s_lo = q_lo * inside
    present = ~np.isnan(x)
    positive = num_hi > 0.0  # exact: the difference is error-free
    doubtful = _doubtful(q_hi, q_lo, _SCORE_SLACK * q_hi) & present
    doubtful |= positive & (q_hi < _TINY)
    # A minmax span from absurd data (beyond what the error-free steps handle): exactly.
    span = den[0][:, 0]
    extreme = model.is_minmax & ~flat & ~((span >= _MIN_SPAN) & (span <= _MAX_SPAN))
    doubtful[extreme] = present[extreme]

    for k in np.nonzero(flat)[0]:  # target-lower rows and minmax rows over equal values
        row = x[k]
        if target_lower[k]:
            above = row > upper[k]
            hi, lo = _dd_div((np.full(n, upper[k]), np.zeros(n)), (row, np.zeros(n)))
            s_hi[k] = np.where(above, hi, 1.0)
            s_lo[k] = np.where(above, lo, 0.0)
            doubtful[k] = above & (_doubtful(hi, lo, _SCORE_SLACK * hi) | (hi < _TINY))
        else:
            s_hi[k] = 1.0
            s_lo[k] = 0.0
            doubtful[k] = False
        positive[k] = present[k]
        s_hi[k, ~present[k]] = np.nan
    for k, i in zip(*np.nonzero(doubtful), strict=True):
        s_hi[k, i], s_lo[k, i] = _split_fraction(
            _exact_score(model, int(k), float(x[k, i]), float(lower[k]), float(upper[k]))
        )
    tiny = positive & (s_hi < _TINY)
    return _Scores(s_hi, s_lo, positive, tiny, lower, upper)


def _exact_dimension_points(model: CompiledModel, scores: _Scores, x: FloatArray,
                            dimension: int, unit: int) -> float:
    """One dimension's points of one unit from exact scores, rounded once."""
    weighted = weights = Fraction(0)
    for k in model.slots[dimension]:
        if k < 0 or np.isnan(x[k, unit]):
            continue
        s = _exact_score(model, int(k), float(x[k, unit]), float(scores.lower[k]),
                         float(scores.upper[k]))
        weight = Fraction(float(model.indicator_weight[k]))
        weighted += weight * s
        weights += weight
    return float(Fraction(float(model.points[dimension])) * weighted / weights)


def _dimension_points(model: CompiledModel, scores: _Scores, x: FloatArray
                      ) -> tuple[FloatArray, BoolArray]:
    """``points * Σ w_i s_i / Σ w_i`` over the indicators present, rounded once; dimensions ×
    units.

    The indicator rows are gathered as slots × dimensions × units (padding is a zero row), so
    the sums run over the slots for all units and dimensions at once; a missing indicator
    contributes 0 to both sums, which is re-weighting it away. The sums are not a BLAS matrix
    product with ``CompiledModel.weights`` on purpose (see the module docstring).
    """
    m, n = x.shape
    present = ~np.isnan(x)
    weight = model.indicator_weight[:, None]
    t_hi = np.where(present, scores.hi, 0.0)
    t_lo = np.where(present, scores.lo, 0.0)
    # w_i * s_i: exact by scaling where w_i is a power of two (1, the usual weight), an
    # error-free product otherwise.
    rows = np.nonzero(~model.power_of_two_weight)[0]
    if rows.size:
        t_hi[rows], t_lo[rows] = _dd_mul((t_hi[rows], t_lo[rows]), weight[rows])
    t_lo[model.power_of_two_weight] *= weight[model.power_of_two_weight]
    t_hi[model.power_of_two_weight] *= weight[model.power_of_two_weight]
    slots = np.where(model.slots < 0, m, model.slots).T  # slots × dimensions; row m pads

    def laid_out(a: FloatArray) -> FloatArray:
        return np.concatenate([a, np.zeros((1, n))])[slots]  # slots × dimensions × units

    t_hi, t_lo = laid_out(t_hi), laid_out(t_lo)
    w_all = laid_out(present * weight)
    counts = laid_out(present.astype(np.float64)).sum(axis=0)
    any_positive = laid_out(scores.positive.astype(np.float64)).any(axis=0)
    any_tiny = laid_out(scores.tiny.astype(np.float64)).any(axis=0)
    zeros = np.zeros((slots.shape[1], n))
    num: DD = (zeros, zeros)
    den: DD = (zeros, zeros)
    for k in range(slots.shape[0]):
        num = _dd_add(num, (t_hi[k], t_lo[k]))
        den = _dd_add(den, (w_all[k], zeros))
    has_value = counts > 0
    den = (np.where(has_value, den[0], 1.0), den[1])
    d_hi, d_lo = _dd_div(_dd_mul(num, model.points[:, None]), den)
    slack = (_POINTS_SLACK * (slots.shape[0] + 4)) * d_hi
    doubtful = has_value & (_doubtful(d_hi, d_lo, slack) | any_tiny
                            | (any_positive & (d_hi < _TINY)))
    for j, i in zip(*np.nonzero(doubtful), strict=True):
        d_hi[j, i] = _exact_dimension_points(model, scores, x, int(j), int(i))
    d_hi[~has_value] = np.nan
    incomplete = counts < model.indicators_per_dimension[:, None]
    return d_hi, incomplete


def weighted_totals(dimension_points: FloatArray, scales: FloatArray | None = None
                    ) -> FloatArray:
    """Totals ``Σ_j D_j * c_j`` of units × dimensions points, each correctly rounded.

    ``scales`` is replications × dimensions (``None``: one row of ones, the plain total) and
    the result replications × units (``None``: units). A NaN dimension counts 0; a unit whose
    every dimension is NaN totals NaN. :mod:`scoring.uncertainty` calls this with perturbed
    scales, so a spread of 0 reproduces the core's totals bit for bit.

    The products are exact pairs; they are summed in double-double while a third component
    collects what even that drops. Where that remainder is not zero and the result sits near a
    rounding midpoint, the cell is summed again with :func:`math.fsum`, which rounds exactly.
    """
    points = np.asarray(dimension_points, dtype=np.float64)
    plain = scales is None
    factors = np.ones((1, points.shape[1])) if scales is None else np.asarray(scales, np.float64)
    present = ~np.isnan(points)
    filled = np.where(present, points, 0.0).T  # dimensions × units
    shape = (factors.shape[0], points.shape[0])
    hi, lo, rest = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    with np.errstate(all="ignore"):
        for j in range(points.shape[1]):
            p, e = _two_prod(filled[j][None, :], factors[:, j, None])
            s, e1 = _two_sum(hi, p)
            t, e2 = _two_sum(lo, e)
            u, e3 = _two_sum(e1, t)
            hi, lo = _quick_two_sum(s, u)
            rest += e2 + e3
        where = np.nonzero(rest)
        # The slack must dwarf the rounding of lo ± slack, hence the floor relative to hi.
        slack = 2.0 * np.abs(rest[where]) + _SCORE_SLACK * np.abs(hi[where])
        doubtful = _doubtful(hi[where], lo[where], slack)
    for r, i in zip(where[0][doubtful], where[1][doubtful], strict=True):
        parts: list[float] = []
        for j in range(points.shape[1]):
            p, e = _two_prod(filled[j, i : i + 1], factors[r, j : j + 1])
            parts += [float(p[0]), float(e[0])]
        hi[r, i] = math.fsum(parts)
    hi[:, ~present.any(axis=1)] = np.nan
    return hi[0] if plain else hi


def competition_ranks(values: FloatArray, mask: BoolArray, *, axis: int = 0) -> IntArray:
    """Standard competition ranks (1, 2, 2, 4), descending, along ``axis``.

    Only the entries where ``mask`` holds and the value is not NaN are ranked; the others get
    ``UNRANKED`` (0) and take no rank from anyone. Equal means ``==`` on the floats: no
    tolerance (see the module docstring for why equal results are equal floats). ``mask`` has
    the shape of ``values`` or, for a 2-D ``values``, is one flag per position along ``axis``.
    Vectorised: one argsort along the axis, however many rows are ranked at once.
    """
    data = np.asarray(values, dtype=np.float64)
    flags = np.asarray(mask, dtype=bool)
    axis = axis % max(data.ndim, 1)
    if flags.ndim < data.ndim:
        shape = [1] * data.ndim
        shape[axis] = flags.shape[0]
        flags = flags.reshape(shape)
    flags = np.broadcast_to(flags, data.shape)
    if data.size == 0:
        return np.zeros(data.shape, dtype=np.int64)
    key = np.ascontiguousarray(np.moveaxis(-data, axis, -1))  # descending = ascending -value
    key[~np.moveaxis(flags, axis, -1)] = np.nan  # NaN sorts last
    order = np.argsort(key, axis=-1)
    ordered = np.take_along_axis(key, order, axis=-1)
    position = np.arange(1, key.shape[-1] + 1, dtype=np.int64)
    starts = np.ones(key.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    in_order = np.maximum.accumulate(position * starts, axis=-1)
    in_order[np.isnan(ordered)] = UNRANKED
    ranks = np.empty(key.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, in_order, axis=-1)
    return np.moveaxis(ranks, -1, axis)


def assign_tiers(model: CompiledModel, totals: FloatArray) -> tuple[str | None, ...]:
    """Per unit, the code of the highest tier whose ``min_total <= total``; None when the
    total is NaN or below every tier."""
    if not model.tier_codes:
        return (None,) * len(totals)
    index = np.searchsorted(model.tier_thresholds, totals, side="right") - 1
    index[np.isnan(totals)] = -1
    return tuple(model.tier_codes[k] if k >= 0 else None for k in index.tolist())


def score(model: CompiledModel | ModelSpec, values: FloatArray, ranked: BoolArray
          ) -> ScoreResult:
    """Score every unit of one run.

    ``values`` is units × elements (the model's element order), NaN (or any non-finite value)
    where missing; ``ranked`` flags the units that take part in the rankings. No Python loop
    runs over units; the loops are over indicators, dimensions and slots (plus the rare cells
    recomputed exactly, see the module docstring).
    """
    compiled = model if isinstance(model, CompiledModel) else compile_model(model)
    data = np.array(values, dtype=np.float64)  # a copy: the caller's array is left alone
    if data.ndim != 2 or data.shape[1] != len(compiled.spec.elements):
        raise ValueError(
            f"values must be units × {len(compiled.spec.elements)} elements, "
            f"not of shape {data.shape}"
        )
    flags = np.asarray(ranked)
    if flags.shape != (data.shape[0],):
        raise ValueError(f"ranked must have one flag per unit ({data.shape[0]}), "
                         f"not shape {flags.shape}")
    flags = flags.astype(bool)
    data[~np.isfinite(data)] = np.nan
    with np.errstate(all="ignore"):
        x = _indicator_values(compiled, data)
        lower, upper = _run_goalposts(compiled, x)
        m, n = x.shape
        d = len(compiled.spec.dimensions)
        s_hi = np.empty((m, n))
        points_t = np.empty((d, n))
        incomplete_t = np.empty((d, n), dtype=bool)
        # Blocks of units small enough for the temporaries to stay in cache: several times
        # faster than whole-array operations at 3,000 units, and the same numbers.
        step = max(32, _BLOCK_CELLS // max(m, 1))
        for start in range(0, n, step):
            block = slice(start, min(start + step, n))
            scores = _indicator_scores(compiled, x[:, block], lower, upper)
            s_hi[:, block] = scores.hi
            points_t[:, block], incomplete_t[:, block] = _dimension_points(
                compiled, scores, x[:, block]
            )
    points = np.ascontiguousarray(points_t.T)
    totals = weighted_totals(points)
    result = ScoreResult(
        indicator_values=np.ascontiguousarray(x.T),
        indicator_scores=np.ascontiguousarray(s_hi.T),
        dimension_points=points,
        dimension_incomplete=np.ascontiguousarray(incomplete_t.T),
        totals=totals,
        total_ranks=competition_ranks(totals, flags),
        dimension_ranks=competition_ranks(points, flags, axis=0),
        tiers=assign_tiers(compiled, totals),
        total_incomplete=np.asarray(incomplete_t.any(axis=0), dtype=bool),
    )
    for name in ("indicator_values", "indicator_scores", "dimension_points",
                 "dimension_incomplete", "totals", "total_ranks", "dimension_ranks",
                 "total_incomplete"):
        getattr(result, name).setflags(write=False)
    return result


# --------------------------------------------------------------------------------------------
# Variants for the what-if studio and the statistical audit (``scoring.studio``,
# ``scoring.statistics``): normalisations the model does not offer (z-scores, ordinal by rank)
# and geometric aggregation. Their results are simulations, shown with a watermark and never
# published, so they are plain float64 NumPy and not held to the exact-rounding contract
# above. Arrays are units × indicators (and units × dimensions), as in ``ScoreResult``.

#: Geometric aggregation works on scores on the 0–100 scale shifted by one point, so that a
#: score of zero stays defined (log 1 = 0) and the bounds are kept: all zeros give 0 points,
#: all full scores give the dimension's points.
GEOMETRIC_SCALE = 100.0
GEOMETRIC_SHIFT = 1.0


def zscore_scores(values: FloatArray, higher_is_better: BoolArray) -> FloatArray:
    """Per indicator, ``(x - mean) / sd`` over the units with a value (sample standard
    deviation, ``ddof=1``), negated where lower is better; NaN where the value is missing.
    An indicator with fewer than two values, or no spread, scores 0 wherever it has a value:
    it does not tell the units apart."""
    x = np.asarray(values, dtype=np.float64)
    present = ~np.isnan(x)
    counts = present.sum(axis=0)
    with np.errstate(all="ignore"):
        mean = np.nansum(x, axis=0) / counts
        centred = np.where(present, x - mean, 0.0)
        sd = np.sqrt((centred**2).sum(axis=0) / (counts - 1))
        z = centred / sd
    flat = ~(np.isfinite(sd) & (sd > 0))
    z[:, flat] = 0.0
    z *= np.where(np.asarray(higher_is_better, dtype=bool), 1.0, -1.0)
    z[~present] = np.nan
    return z


def ordinal_scores(values: FloatArray, higher_is_better: BoolArray) -> FloatArray:
    """Per indicator, the unit's place among the units with a value, scaled to [0, 1]: the
    number of units with a worse value plus half of the others with an equal value, over
    ``n - 1`` (mid-ranks, so ties share a score). The best unit scores 1 and the worst 0;
    a lone value scores 1. NaN where the value is missing."""
    x = np.asarray(values, dtype=np.float64)
    higher = np.asarray(higher_is_better, dtype=bool)
    scores = np.full(x.shape, np.nan)
    for k in range(x.shape[1]):
        column = x[:, k]
        present = ~np.isnan(column)
        n = int(present.sum())
        if n == 0:
            continue
        if n == 1:
            scores[present, k] = 1.0
            continue
        ordered = np.sort(column[present])
        below = np.searchsorted(ordered, column[present], side="left")
        up_to = np.searchsorted(ordered, column[present], side="right")
        worse = below if higher[k] else n - up_to
        scores[present, k] = (worse + (up_to - below - 1) / 2.0) / (n - 1)
    return scores


def aggregate_dimensions(scores: FloatArray, weights: FloatArray, dimension_of: IntArray,
                         points: FloatArray, *, geometric: bool = False) -> FloatArray:
    """Dimension points from normalised scores, over the indicators that have a value.

    Arithmetic: ``P_j * Σ w_i s_i / Σ w_i``. Geometric: ``P_j * (Π (100 s_i + 1)^(w_i / Σ w)
    - 1) / 100``, computed through logarithms. A missing score is re-weighted away, as in the
    core; a unit with no score in a dimension gets NaN there.

    ``weights`` is one per indicator, or samples × indicators, and ``points`` one per
    dimension, or samples × dimensions; with either two-dimensional the result is samples ×
    units × dimensions (the audit's Monte Carlo), else units × dimensions. Geometric
    aggregation of a negative score (a z-score) is refused with ``ValueError``.
    """
    s = np.asarray(scores, dtype=np.float64)
    present = ~np.isnan(s)
    if geometric:
        if np.any(s[present] < 0):
            raise ValueError("geometric aggregation needs scores of at least 0")
        with np.errstate(all="ignore"):
            terms = np.log(np.where(present, s, 0.0) * GEOMETRIC_SCALE + GEOMETRIC_SHIFT)
    else:
        terms = np.where(present, s, 0.0)
    w = np.asarray(weights, dtype=np.float64)
    p = np.asarray(points, dtype=np.float64)
    batched = w.ndim == 2 or p.ndim == 2
    w2 = np.atleast_2d(w)
    p2 = np.atleast_2d(p)
    d = p2.shape[1]
    samples = max(w2.shape[0], p2.shape[0])
    result = np.full((samples, s.shape[0], d), np.nan)
    mask = present.astype(np.float64)
    for j in range(d):
        members = np.nonzero(np.asarray(dimension_of) == j)[0]
        if members.size == 0:
            continue
        wj = w2[:, members]  # samples × members
        num = wj @ terms[:, members].T  # samples × units
        den = wj @ mask[:, members].T
        with np.errstate(all="ignore"):
            mean = num / den
            if geometric:
                mean = (np.exp(mean) - GEOMETRIC_SHIFT) / GEOMETRIC_SCALE
            result[:, :, j] = np.where(den > 0, p2[:, j, None] * mean, np.nan)
    return result if batched else result[0]


def geometric_totals(dimension_points: FloatArray, points: FloatArray) -> FloatArray:
    """Totals by geometric aggregation of the dimensions: ``W * (Π (100 D_j / P_j + 1)^(P_j /
    W) - 1) / 100`` with ``W = Σ P_j``, so that full points everywhere give ``W``. A missing
    dimension counts 0 (as in the arithmetic total); a unit with no dimension at all is NaN.
    ``dimension_points`` is units × dimensions (or samples × units × dimensions with
    ``points`` samples × dimensions)."""
    dims = np.asarray(dimension_points, dtype=np.float64)
    p = np.asarray(points, dtype=np.float64)
    weights = p if p.ndim == 1 else p[:, None, :]
    total_points = weights.sum(axis=-1)
    present = ~np.isnan(dims)
    with np.errstate(all="ignore"):
        fractions = np.where(present, dims, 0.0) / weights
        logs = np.log(fractions * GEOMETRIC_SCALE + GEOMETRIC_SHIFT)
        mean = (logs * weights).sum(axis=-1) / total_points
        totals = total_points * (np.exp(mean) - GEOMETRIC_SHIFT) / GEOMETRIC_SCALE
    totals = np.where(present.any(axis=-1), totals, np.nan)
    return np.asarray(totals, dtype=np.float64)

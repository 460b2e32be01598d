"""Properties of the scoring core on random models and data (Hypothesis), with the plain
reference implementation (exact fractions, Python loops) as the oracle."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.core import (
    NORMALISATIONS,
    DimensionSpec,
    IndicatorSpec,
    ModelSpec,
    ScoreResult,
    Tier,
    score,
)
from tests.scoring.reference import score_reference

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])

ARRAYS = ("indicator_values", "indicator_scores", "dimension_points", "dimension_incomplete",
          "totals", "total_ranks", "dimension_ranks", "total_incomplete")

# Tidy values (levels, round numbers, repeats, missing) make ties and goalpost hits likely;
# arbitrary floats in a wide range find the rest.
values_strategy = st.one_of(
    st.sampled_from([0.0, 1.0, 2.0, 3.0, 0.5, 7.0, 33.3, 50.0, 100.0, -1.0, math.nan]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
points_strategy = st.sampled_from([10.0, 15.0, 20.0, 7.5, 100.0 / 3.0, 1.0])
weight_strategy = st.sampled_from([1.0, 1.0, 2.0, 0.5, 0.3, 1.0 / 3.0, 3.0])


@st.composite
def indicator_parameters(draw: st.DrawFn, kinds: tuple[str, ...] = NORMALISATIONS
                         ) -> dict[str, object]:
    lower = draw(st.one_of(st.sampled_from([0.0, -5.0, 10.0, 0.1]),
                           st.floats(min_value=-1e3, max_value=1e3)))
    width = draw(st.one_of(st.sampled_from([100.0, 3.0, 50.0, 0.7]),
                           st.floats(min_value=1e-3, max_value=1e4)))
    upper = lower + width
    if not upper > lower:
        upper = lower + 1.0
    return {
        "normalisation": draw(st.sampled_from(kinds)),
        "direction": draw(st.sampled_from([1, -1])),
        "lower": lower,
        "upper": upper,
        "max_level": draw(st.sampled_from([3.0, 5.0, 0.7, 1.0])),
        "target": draw(st.one_of(st.sampled_from([50.0, 1.0, 0.3]),
                                 st.floats(min_value=1e-3, max_value=1e4))),
        "weight": draw(weight_strategy),
    }


@st.composite
def models_and_data(draw: st.DrawFn) -> tuple[ModelSpec, np.ndarray, np.ndarray]:
    elements = tuple(f"E{i}" for i in range(draw(st.integers(2, 5))))
    dimensions = tuple(DimensionSpec(f"D{j}", draw(points_strategy))
                       for j in range(draw(st.integers(1, 3))))
    indicators = []
    for k in range(draw(st.integers(len(dimensions), len(dimensions) + 5))):
        dimension = dimensions[k].code if k < len(dimensions) else draw(
            st.sampled_from(dimensions)).code
        a, b = draw(st.sampled_from(elements)), draw(st.sampled_from(elements))
        formula = draw(st.sampled_from([a, f"{a} / {b} * 100", f"{a} - {b}",
                                        f"({a} + {b}) / 2"]))
        indicators.append(IndicatorSpec(f"I{k}", dimension, formula,
                                        **draw(indicator_parameters())))  # type: ignore[arg-type]
    tiers = (Tier(draw(st.floats(0, 50)), "low"), Tier(60.0, "high"))
    spec = ModelSpec(elements, dimensions, tuple(indicators), tiers)
    units = draw(st.integers(1, 10))
    rows = [draw(st.lists(values_strategy, min_size=len(elements), max_size=len(elements)))
            for _ in range(units)]
    rows += [rows[i] for i in draw(st.lists(st.integers(0, units - 1), max_size=3))]  # ties
    ranked = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    return spec, np.array(rows, dtype=np.float64), np.array(ranked, dtype=bool)


@PROPERTY_SETTINGS
@given(models_and_data())
def test_it_matches_the_reference_implementation(case):
    spec, values, ranked = case
    fast = score(spec, values, ranked)
    slow = score_reference(spec, values, ranked)
    for name in ARRAYS:
        a, b = getattr(fast, name), getattr(slow, name)
        if a.dtype == np.float64:
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-9, err_msg=name)
        # The core rounds each reported number once from its exact value, as the reference
        # does with fractions: they agree bit for bit, ranks included.
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert fast.tiers == slow.tiers


@PROPERTY_SETTINGS
@given(models_and_data())
def test_it_totals_the_dimension_points_within_their_bounds(case):
    spec, values, ranked = case
    result = score(spec, values, ranked)
    points = np.array([d.points for d in spec.dimensions])
    present = ~np.isnan(result.dimension_points)
    assert np.all((result.dimension_points[present] >= 0)
                  & (result.dimension_points <= points)[present])
    scores = result.indicator_scores[~np.isnan(result.indicator_scores)]
    assert np.all((scores >= 0) & (scores <= 1))
    for unit in range(len(values)):
        if present[unit].any():
            # The exact sum of the dimension points, rounded once.
            assert result.totals[unit] == math.fsum(result.dimension_points[unit, present[unit]])
        else:
            assert math.isnan(result.totals[unit])
            assert result.total_ranks[unit] == 0


@PROPERTY_SETTINGS
@given(models_and_data(), st.randoms(use_true_random=False))
def test_it_permutes_the_results_with_the_units_and_changes_nothing_else(case, random):
    spec, values, ranked = case
    order = list(range(len(values)))
    random.shuffle(order)
    base = score(spec, values, ranked)
    shuffled = score(spec, values[order], ranked[order])
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(shuffled, name), getattr(base, name)[order],
                                      err_msg=name)
    assert shuffled.tiers == tuple(base.tiers[i] for i in order)


@st.composite
def monotone_cases(draw: st.DrawFn) -> tuple[ModelSpec, np.ndarray, np.ndarray, int, int]:
    """Each indicator reads its own element (alone, or over a shared positive denominator Q),
    normalised by goalposts, ordinal or target; minmax is left out, as its bounds move with
    the data of every unit."""
    count = draw(st.integers(1, 5))
    dimensions = tuple(DimensionSpec(f"D{j}", draw(points_strategy))
                       for j in range(draw(st.integers(1, min(count, 3)))))
    indicators = []
    for k in range(count):
        dimension = dimensions[k % len(dimensions)].code
        formula = draw(st.sampled_from([f"E{k}", f"E{k} / Q * 100"]))
        parameters = draw(indicator_parameters(("goalposts", "ordinal", "target")))
        indicators.append(IndicatorSpec(f"I{k}", dimension, formula,
                                        **parameters))  # type: ignore[arg-type]
    spec = ModelSpec((*(f"E{k}" for k in range(count)), "Q"), dimensions,
                     tuple(indicators))
    units = draw(st.integers(1, 6))
    finite = st.floats(min_value=-1e4, max_value=1e4)
    rows = [[*draw(st.lists(finite, min_size=count, max_size=count)),
             draw(st.floats(min_value=1.0, max_value=1e4))] for _ in range(units)]
    ranked = np.array(draw(st.lists(st.booleans(), min_size=units, max_size=units)))
    return spec, np.array(rows), ranked, draw(st.integers(0, units - 1)), draw(
        st.integers(0, count - 1))


@PROPERTY_SETTINGS
@given(monotone_cases(), st.floats(min_value=1e-6, max_value=1e4))
def test_it_never_lowers_a_total_when_a_higher_is_better_input_rises(case, step):
    spec, values, ranked, unit, k = case
    before = score(spec, values, ranked)
    raised = values.copy()
    raised[unit, k] += step
    after = score(spec, raised, ranked)
    direction = spec.indicators[k].direction
    if direction == 1:
        assert after.totals[unit] >= before.totals[unit]
    else:
        assert after.totals[unit] <= before.totals[unit]
    others = [i for i in range(len(values)) if i != unit]
    np.testing.assert_array_equal(after.totals[others], before.totals[others])


def test_it_agrees_with_the_reference_on_a_larger_random_run():
    """A fixed, larger case than Hypothesis draws: 200 units, every normalisation."""
    rng = np.random.default_rng(2017)
    elements = tuple(f"E{i}" for i in range(8))
    indicators = tuple(
        IndicatorSpec(f"I{k}", f"D{k % 3}",
                      f"E{k % 8} / E{(k + 3) % 8} * 100" if k % 2 else f"E{k % 8}",
                      1 if k % 3 else -1, NORMALISATIONS[k % 4], lower=0.0, upper=100.0,
                      max_level=3.0, target=80.0, weight=(1.0, 0.3, 2.0)[k % 3])
        for k in range(12)
    )
    spec = ModelSpec(elements, (DimensionSpec("D0", 40.0), DimensionSpec("D1", 35.0),
                                DimensionSpec("D2", 25.0)), indicators)
    values = rng.uniform(0.0, 120.0, size=(200, 8)).round(1)
    values[rng.random(values.shape) < 0.05] = np.nan
    ranked = rng.random(200) < 0.9
    fast: ScoreResult = score(spec, values, ranked)
    slow = score_reference(spec, values, ranked)
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)

"""The pure scoring core against the spec's rules and checks (index-model-2017.md, "Scoring
rules (exact)"). No database: the core imports no Django."""

from __future__ import annotations

import itertools
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pytest

from scoring.core import (
    UNRANKED,
    DimensionSpec,
    IndicatorSpec,
    ModelError,
    ModelSpec,
    Tier,
    competition_ranks,
    compile_model,
    score,
    weighted_totals,
)
from tests.scoring.reference import score_reference

NAN = math.nan


def display(value: float) -> str:
    """Two decimals, half up, as pages and exports show a number (rule 4)."""
    return str(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def policy_model() -> ModelSpec:
    """The policy dimension alone: six ordinal items, max level 3, 10 points."""
    codes = tuple(f"E60{i}" for i in range(1, 7))
    return ModelSpec(
        elements=codes,
        dimensions=(DimensionSpec("D6", 10.0),),
        indicators=tuple(IndicatorSpec(f"I6{i}", "D6", f"E60{i}", 1, "ordinal", max_level=3)
                         for i in range(1, 7)),
    )


def one_indicator(normalisation: str = "goalposts", direction: int = 1, **params: float
                  ) -> ModelSpec:
    return ModelSpec(
        elements=("X",),
        dimensions=(DimensionSpec("D", 100.0),),
        indicators=(IndicatorSpec("I", "D", "X", direction, normalisation, **params),),
    )


def column(values: list[float]) -> np.ndarray:
    return np.array(values, dtype=np.float64)[:, None]


def all_ranked(n: int) -> np.ndarray:
    return np.ones(n, dtype=bool)


# --- rule 6: the report's checks ------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "exact", "shown"),
    [
        ((3, 3, 3, 3, 3, 2), Fraction(10 * 17, 18), "9.44"),  # 北京, Table 3
        ((2, 2, 2, 2, 2, 2), Fraction(10 * 12, 18), "6.67"),  # 广东
        ((3, 3, 3, 3, 3, 3), Fraction(10), "10.00"),
    ],
)
def test_it_reproduces_the_policy_points_of_the_report(levels, exact, shown):
    result = score(policy_model(), np.array([levels], dtype=float), all_ranked(1))
    points = result.dimension_points[0, 0]
    assert points == float(exact)  # 9.444444444444445: the exact value, rounded once
    assert points == pytest.approx(float(exact), abs=1e-12)
    assert display(points) == shown
    assert result.totals[0] == points


def test_it_gives_every_arrangement_of_the_same_levels_the_same_points_and_rank():
    # (2,2,2,2,2,2) and (3,3,3,3,0,0) are both 12/18 of 10 points; naive float sums differ in
    # the last bit and would rank them apart. All 4**6 arrangements, grouped by level sum.
    levels = np.array(list(itertools.product(range(4), repeat=6)), dtype=float)
    result = score(policy_model(), levels, all_ranked(len(levels)))
    sums = levels.sum(axis=1).astype(int)
    for total in range(19):
        group = sums == total
        assert set(result.dimension_points[group, 0].tolist()) == {float(Fraction(total * 10,
                                                                                  18))}
        assert len(set(result.dimension_ranks[group, 0].tolist())) == 1


# --- rule 1: normalisation ------------------------------------------------------------------


def test_it_caps_values_beyond_both_goalposts():
    spec = one_indicator(lower=0.0, upper=100.0)
    result = score(spec, column([-5.0, 0.0, 25.0, 100.0, 130.0]), all_ranked(5))
    assert result.indicator_scores[:, 0].tolist() == [0.0, 0.0, 0.25, 1.0, 1.0]
    assert result.indicator_values[:, 0].tolist() == [-5.0, 0.0, 25.0, 100.0, 130.0]
    lower_better = one_indicator(direction=-1, lower=0.0, upper=100.0)
    result = score(lower_better, column([-5.0, 0.0, 25.0, 100.0, 130.0]), all_ranked(5))
    assert result.indicator_scores[:, 0].tolist() == [1.0, 1.0, 0.75, 0.0, 0.0]


def test_it_scores_website_vulnerabilities_lower_is_better():
    # I52 每百网站高危漏洞数 = E503 / E502 * 100, goalposts 0..50, direction -.
    spec = ModelSpec(
        elements=("E502", "E503"),
        dimensions=(DimensionSpec("D5", 15.0),),
        indicators=(IndicatorSpec("I52", "D5", "E503 / E502 * 100", -1, "goalposts",
                                  lower=0.0, upper=50.0),),
    )
    values = np.array([[100.0, 5.0], [200.0, 0.0], [50.0, 30.0], [400.0, 100.0]])
    result = score(spec, values, all_ranked(4))
    assert result.indicator_values[:, 0].tolist() == [5.0, 0.0, 60.0, 25.0]
    assert result.indicator_scores[:, 0].tolist() == [0.9, 1.0, 0.0, 0.5]
    assert result.dimension_points[:, 0].tolist() == [13.5, 15.0, 0.0, 7.5]
    assert result.total_ranks.tolist() == [2, 1, 4, 3]


def test_it_scores_ordinal_levels_over_the_max_level():
    result = score(one_indicator("ordinal", max_level=3.0), column([0, 1, 2, 3, 4]),
                   all_ranked(5))
    assert result.indicator_scores[:, 0].tolist() == [0.0, 1 / 3, 2 / 3, 1.0, 1.0]


def test_it_gives_every_unit_1_when_minmax_values_are_equal():
    result = score(one_indicator("minmax"), column([7.0, 7.0, NAN]), all_ranked(3))
    assert result.indicator_scores[:2, 0].tolist() == [1.0, 1.0]
    assert math.isnan(result.indicator_scores[2, 0])
    assert result.total_ranks.tolist() == [1, 1, 0]


def test_it_takes_minmax_bounds_from_every_scored_unit_ranked_or_not():
    ranked = np.array([True, True, False])
    result = score(one_indicator("minmax"), column([10.0, 20.0, 30.0]), ranked)
    assert result.indicator_scores[:, 0].tolist() == [0.0, 0.5, 1.0]
    lower_better = score(one_indicator("minmax", direction=-1), column([10.0, 20.0, 30.0]),
                         ranked)
    assert lower_better.indicator_scores[:, 0].tolist() == [1.0, 0.5, 0.0]


def test_it_scores_a_target():
    higher = score(one_indicator("target", target=80.0), column([-4.0, 20.0, 80.0, 120.0]),
                   all_ranked(4))
    assert higher.indicator_scores[:, 0].tolist() == [0.0, 0.25, 1.0, 1.0]
    # Lower is better: min(T / x, 1) — 1 at or below the target, T / x above it.
    lower = score(one_indicator("target", direction=-1, target=80.0),
                  column([-4.0, 0.0, 80.0, 160.0, 320.0]), all_ranked(5))
    assert lower.indicator_scores[:, 0].tolist() == [1.0, 1.0, 1.0, 0.5, 0.25]


def test_it_treats_a_division_by_zero_or_a_missing_element_as_a_missing_value():
    spec = ModelSpec(
        elements=("A", "B"),
        dimensions=(DimensionSpec("D", 10.0),),
        indicators=(IndicatorSpec("I", "D", "A / B * 100", 1, "goalposts", lower=0,
                                  upper=100),),
    )
    values = np.array([[1.0, 0.0], [0.0, 0.0], [NAN, 2.0], [np.inf, 2.0], [1.0, 2.0]])
    result = score(spec, values, all_ranked(5))
    assert np.isnan(result.indicator_values[:4, 0]).all()
    assert np.isnan(result.dimension_points[:4, 0]).all()
    assert result.total_ranks.tolist() == [0, 0, 0, 0, 1]
    assert result.dimension_points[4, 0] == 5.0


# --- rules 2 and 3: dimensions and totals ---------------------------------------------------


def two_dimension_model() -> ModelSpec:
    return ModelSpec(
        elements=("A", "B", "C", "Z"),
        dimensions=(DimensionSpec("D1", 60.0), DimensionSpec("D2", 40.0)),
        indicators=(
            IndicatorSpec("I1", "D1", "A", 1, "goalposts", lower=0, upper=100),
            IndicatorSpec("I2", "D1", "B", 1, "goalposts", lower=0, upper=100),
            IndicatorSpec("I3", "D1", "C", 1, "goalposts", lower=0, upper=100, weight=2.0),
            IndicatorSpec("I4", "D2", "Z", 1, "goalposts", lower=0, upper=100),
        ),
        tiers=(Tier(65.0, "leading"), Tier(40.0, "middle")),
    )


def test_it_reweights_a_missing_indicator_away_and_flags_the_dimension():
    values = np.array([[50.0, 100.0, 25.0, 50.0], [50.0, NAN, 25.0, 50.0]])
    result = score(two_dimension_model(), values, all_ranked(2))
    # complete: 60 * (0.5 + 1 + 2 * 0.25) / 4 = 30; without I2: 60 * (0.5 + 0.5) / 3 = 20
    assert result.dimension_points[:, 0].tolist() == [30.0, 20.0]
    assert result.dimension_incomplete.tolist() == [[False, False], [True, False]]
    assert result.total_incomplete.tolist() == [False, True]
    assert result.totals.tolist() == [50.0, 40.0]
    assert result.total_ranks.tolist() == [1, 2]


def test_it_gives_no_points_and_no_rank_in_a_dimension_without_values():
    values = np.array([[50.0, 50.0, 50.0, NAN], [10.0, 10.0, 10.0, 10.0],
                       [NAN, NAN, NAN, NAN]])
    result = score(two_dimension_model(), values, all_ranked(3))
    assert math.isnan(result.dimension_points[0, 1])
    assert result.dimension_ranks[:, 1].tolist() == [UNRANKED, 1, UNRANKED]
    assert result.dimension_incomplete[0].tolist() == [False, True]
    # The total is the sum of the dimensions the unit has; it keeps a total rank, flagged.
    assert result.totals[0] == 30.0
    assert result.total_ranks[0] == 1
    assert result.total_incomplete[0]
    # Nothing at all: no total, no rank, no tier.
    assert math.isnan(result.totals[2])
    assert result.total_ranks[2] == UNRANKED
    assert result.tiers[2] is None


def test_it_ranks_ties_1_2_2_4():
    values = column([90.0, 70.0, 70.0, 10.0, 70.0 + 1e-13])
    result = score(one_indicator(lower=0.0, upper=100.0), values, all_ranked(5))
    assert result.total_ranks.tolist() == [1, 3, 3, 5, 2]
    tied = score(one_indicator(lower=0.0, upper=100.0), column([90, 70, 70, 10]),
                 all_ranked(4))
    assert tied.total_ranks.tolist() == [1, 2, 2, 4]
    assert tied.dimension_ranks[:, 0].tolist() == [1, 2, 2, 4]


def test_it_scores_an_unranked_unit_without_ranking_it():
    # 新疆生产建设兵团 is scored but not ranked, and takes no rank from the provinces.
    ranked = np.array([False, True, True, True])
    values = column([95.0, 80.0, 60.0, 60.0])
    result = score(one_indicator(lower=0.0, upper=100.0), values, ranked)
    assert result.totals.tolist() == [95.0, 80.0, 60.0, 60.0]
    assert result.total_ranks.tolist() == [UNRANKED, 1, 2, 2]
    assert result.dimension_ranks[:, 0].tolist() == [UNRANKED, 1, 2, 2]


def test_it_assigns_the_highest_tier_reached():
    values = np.array([[100, 100, 100, 100], [65, 65, 65, 65], [64.9, 64.9, 64.9, 64.9],
                       [40, 40, 40, 40], [10, 10, 10, 10]], dtype=float)
    result = score(two_dimension_model(), values, np.array([1, 1, 1, 0, 1], dtype=bool))
    assert result.tiers == ("leading", "leading", "middle", "middle", None)


def test_it_leaves_the_callers_array_alone_and_returns_read_only_arrays():
    values = column([np.inf, 50.0])
    result = score(one_indicator(lower=0.0, upper=100.0), values, all_ranked(2))
    assert values[0, 0] == np.inf
    with pytest.raises(ValueError, match="read-only"):
        result.totals[0] = 1.0


def test_it_accepts_a_spec_or_a_compiled_model_alike():
    spec = two_dimension_model()
    values = np.array([[50.0, 100.0, 25.0, 50.0]])
    assert score(spec, values, all_ranked(1)).totals.tolist() == score(
        compile_model(spec), values, all_ranked(1)).totals.tolist()


def test_it_scores_no_units():
    result = score(two_dimension_model(), np.empty((0, 4)), np.empty(0, dtype=bool))
    assert result.totals.shape == (0,)
    assert result.dimension_points.shape == (0, 2)
    assert result.tiers == ()


# --- competition ranks ----------------------------------------------------------------------


def test_it_ranks_descending_with_standard_competition_ranking():
    values = np.array([3.0, 5.0, NAN, 5.0, 1.0, 4.0])
    mask = np.array([True, True, True, True, True, False])
    assert competition_ranks(values, mask).tolist() == [3, 1, 0, 1, 4, 0]


def test_it_ranks_the_rows_of_a_2d_array_at_once():
    values = np.array([[1.0, 2.0, 2.0], [3.0, 1.0, 2.0]])
    assert competition_ranks(values, np.ones(3, dtype=bool), axis=1).tolist() == [
        [3, 1, 1], [1, 3, 2]]
    assert competition_ranks(values, np.ones(2, dtype=bool), axis=0).tolist() == [
        [2, 1, 1], [1, 2, 1]]


# --- model checks ---------------------------------------------------------------------------


def indicator(**changes: object) -> IndicatorSpec:
    base: dict[str, object] = dict(code="I", dimension="D", formula="A", direction=1,
                                   normalisation="goalposts", lower=0.0, upper=100.0)
    base.update(changes)
    return IndicatorSpec(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("indicators", "message"),
    [
        ((indicator(formula="A / Q"),), "unknown element"),
        ((indicator(formula="A < 3"),), "comparison"),
        ((indicator(formula="3 * 4"),), "reads no data element"),
        ((indicator(formula="A * (1 / 0)"),), "cannot be evaluated"),
        ((indicator(formula="__import__('os')"),), "not allowed"),
        ((indicator(dimension="D9"),), "unknown dimension"),
        ((indicator(direction=0),), "direction"),
        ((indicator(lower=100.0, upper=0.0),), "below the upper"),
        ((indicator(upper=None),), "upper goalpost is required"),
        ((indicator(upper=math.inf),), "finite"),
        ((indicator(normalisation="ordinal"),), "max level is required"),
        ((indicator(normalisation="target", target=0.0),), "positive"),
        ((indicator(normalisation="zscore"),), "normalisation must be one of"),
        ((indicator(weight=0.0),), "weight must be positive"),
        ((indicator(), indicator()), "appears twice"),
        ((), "have no indicator"),
    ],
)
def test_it_refuses_a_model_it_cannot_score(indicators, message):
    spec = ModelSpec(elements=("A",), dimensions=(DimensionSpec("D", 10.0),),
                     indicators=indicators)
    with pytest.raises(ModelError, match=message):
        compile_model(spec)


def test_it_refuses_values_of_the_wrong_shape():
    with pytest.raises(ValueError, match="elements"):
        score(two_dimension_model(), np.zeros((3, 5)), all_ranked(3))
    with pytest.raises(ValueError, match="one flag per unit"):
        score(two_dimension_model(), np.zeros((3, 4)), all_ranked(2))


# --- the full 2017 model --------------------------------------------------------------------

ELEMENTS_2017 = (
    "P01", "P02", "P03", "E101", "E102", "E103", "E104", "E201", "E202", "E203", "E301",
    "E302", "E303", "E401", "E402", "E403", "E501", "E502", "E503", "E504",
    "E601", "E602", "E603", "E604", "E605", "E606",
)


def model_2017() -> ModelSpec:
    """The 2017 model exactly as index-model-2017.md writes it out."""

    def goal(code: str, dim: str, formula: str, direction: int = 1, upper: float = 100.0
             ) -> IndicatorSpec:
        return IndicatorSpec(code, dim, formula, direction, "goalposts", lower=0.0,
                             upper=upper)

    indicators = (
        goal("I11", "D1", "E101 / P01 * 100"),
        goal("I12", "D1", "E102"),
        goal("I13", "D1", "E103 / P01 * 100"),
        goal("I14", "D1", "E104 / P01 * 100"),
        goal("I21", "D2", "E201"),
        goal("I22", "D2", "E202"),
        goal("I23", "D2", "E203"),
        goal("I31", "D3", "E301"),
        goal("I32", "D3", "E302"),
        goal("I33", "D3", "E303"),
        goal("I41", "D4", "E401 / P02 * 100"),
        goal("I42", "D4", "E402 / P01 * 100"),
        goal("I43", "D4", "E403 / P03 * 100"),
        goal("I51", "D5", "E501"),
        goal("I52", "D5", "E503 / E502 * 100", direction=-1, upper=50.0),
        goal("I53", "D5", "E504"),
        *(IndicatorSpec(f"I6{i}", "D6", f"E60{i}", 1, "ordinal", max_level=3.0)
          for i in range(1, 7)),
    )
    return ModelSpec(
        elements=ELEMENTS_2017,
        dimensions=(DimensionSpec("D1", 20.0), DimensionSpec("D2", 20.0),
                    DimensionSpec("D3", 20.0), DimensionSpec("D4", 15.0),
                    DimensionSpec("D5", 15.0), DimensionSpec("D6", 10.0)),
        indicators=indicators,
        tiers=(Tier(65.0, "leading"), Tier(50.0, "middle"), Tier(0.0, "developing")),
    )


def unit_2017(**values: float) -> list[float]:
    return [values.get(code, NAN) for code in ELEMENTS_2017]


# Plausible figures (万人, 万户, 个, 分, 级); 兵团 (XPCC) is scored, not ranked.
UNITS_2017 = {
    "北京": unit_2017(P01=2170.7, P02=720.0, P03=3920, E101=1690.0, E102=92.0, E103=1800.0,
                    E104=1500.0, E201=95.0, E202=98.0, E203=90.0, E301=70.0, E302=88.0,
                    E303=85.0, E401=560.0, E402=3600.0, E403=3920, E501=90.0, E502=4000,
                    E503=120, E504=80.0, E601=3, E602=3, E603=3, E604=3, E605=3, E606=2),
    "广东": unit_2017(P01=11169.0, P02=3300.0, P03=19600, E101=8400.0, E102=95.0,
                    E103=10000.0, E104=7000.0, E201=92.0, E202=96.0, E203=88.0, E301=68.0,
                    E302=95.0, E303=96.0, E401=2900.0, E402=14000.0, E403=19000, E501=85.0,
                    E502=20000, E503=900, E504=75.0, E601=2, E602=2, E603=2, E604=2,
                    E605=2, E606=2),
    "青海": unit_2017(P01=598.4, P02=170.0, P03=4150, E101=330.0, E102=60.0, E103=480.0,
                    E104=300.0, E201=40.0, E202=35.0, E203=45.0, E301=45.0, E302=40.0,
                    E303=30.0, E401=110.0, E402=600.0, E403=3700, E501=70.0, E502=900,
                    E503=80, E504=60.0, E601=3, E602=3, E603=3, E604=3, E605=0, E606=0),
    "兵团": unit_2017(P01=300.0, P02=100.0, P03=2000, E101=200.0, E102=55.0, E103=250.0,
                    E201=30.0, E202=25.0, E203=35.0, E301=40.0, E302=35.0, E303=25.0,
                    E401=60.0, E402=280.0, E403=1900, E501=65.0, E502=300, E503=40,
                    E504=55.0, E601=2, E602=2, E603=1, E604=1, E605=1, E606=1),
}


def test_it_scores_the_full_2017_model():
    spec = model_2017()
    model = compile_model(spec)
    assert len(spec.elements) == 26 and len(spec.indicators) == 22
    assert model.total_points == 100.0
    values = np.array(list(UNITS_2017.values()))
    ranked = np.array([True, True, True, False])
    result = score(model, values, ranked)
    bj, gd, qh, xpcc = range(4)

    # Indicators: ratios in float64, e.g. 北京's Internet penetration 1690 / 2170.7 * 100.
    assert result.indicator_values[bj, 0] == 1690.0 / 2170.7 * 100
    # I52: 120 vulnerabilities per 4,000 sites = 3 per hundred → (50 - 3) / 50.
    assert result.indicator_values[bj, 14] == 3.0
    assert result.indicator_scores[bj, 14] == 0.94
    # Mobile broadband above 100 % is capped, not rejected.
    assert result.indicator_values[bj, 11] > 100 and result.indicator_scores[bj, 11] == 1.0

    # Dimensions, checked against the rules written out with exact fractions.
    def exact_points(unit: int, dim: int) -> float:
        members = [k for k, ind in enumerate(spec.indicators) if ind.dimension == f"D{dim + 1}"]
        present = [k for k in members if not math.isnan(result.indicator_values[unit, k])]
        total = Fraction(0)
        for k in present:
            ind = spec.indicators[k]
            x = Fraction(float(result.indicator_values[unit, k]))
            if ind.normalisation == "ordinal":
                s = x / 3
            elif ind.direction == 1:
                s = x / Fraction(float(ind.upper or 0))
            else:
                s = (Fraction(float(ind.upper or 0)) - x) / Fraction(float(ind.upper or 0))
            total += min(max(s, Fraction(0)), Fraction(1))
        return float(Fraction(float(spec.dimensions[dim].points)) * total / len(present))

    for unit in range(4):
        for dim in range(6):
            assert result.dimension_points[unit, dim] == exact_points(unit, dim)
    assert display(result.dimension_points[bj, 5]) == "9.44"
    assert display(result.dimension_points[gd, 5]) == "6.67"
    assert display(result.dimension_points[qh, 5]) == "6.67"
    # 广东 (2,2,2,2,2,2) and 青海 (3,3,3,3,0,0) tie exactly in the policy dimension.
    assert result.dimension_points[gd, 5] == result.dimension_points[qh, 5]
    assert result.dimension_ranks[:, 5].tolist() == [1, 2, 2, UNRANKED]

    # 兵团 has no e-health figure: D1 is re-weighted over three indicators and flagged.
    assert result.dimension_incomplete[xpcc].tolist() == [True] + [False] * 5
    assert result.total_incomplete.tolist() == [False, False, False, True]

    for unit in range(4):
        assert result.totals[unit] == math.fsum(result.dimension_points[unit])
        assert 0.0 <= result.totals[unit] <= 100.0
    order = np.argsort(-result.totals[:3])
    assert result.total_ranks[order].tolist() == [1, 2, 3]
    assert result.total_ranks[xpcc] == UNRANKED
    assert result.tiers[xpcc] is not None  # scored, so it has a tier

    # The oracle agrees bit for bit.
    reference = score_reference(spec, values, ranked)
    for name in ("indicator_values", "indicator_scores", "dimension_points", "totals",
                 "total_ranks", "dimension_ranks", "dimension_incomplete"):
        np.testing.assert_array_equal(getattr(result, name), getattr(reference, name))
    assert result.tiers == reference.tiers


def test_it_rounds_each_total_once_even_just_past_a_rounding_midpoint():
    # 20/9 + 8 lies exactly halfway between two floats; a tiny third dimension decides the
    # rounding. Found by Hypothesis; math.fsum is the exact reference.
    points = np.array([[20 / 9, 8.0, 4.92755239e-32], [20 / 9, 8.0, 1e-300],
                       [20 / 9, 8.0, 0.0], [20 / 9, 8.0, NAN]])
    totals = weighted_totals(points)
    assert totals.tolist() == [math.fsum(row[~np.isnan(row)]) for row in points]
    assert totals[0] != totals[2]


@pytest.mark.parametrize(
    ("spec", "x"),
    [
        (one_indicator("ordinal", max_level=3.0), [5e-324, 1e-310, 3e-300, 1.0]),
        (one_indicator(lower=0.0, upper=100.0), [1e305, -1e305, 1.7e308, 2e-320]),
        (one_indicator("target", direction=-1, target=1.0), [1e305, 1e250, 1e200, 2.0]),
        (one_indicator("minmax"), [0.0, 1e-320, 5e-324, NAN]),
        (one_indicator("minmax"), [-1e305, 1e305, 0.0, 1.0]),
    ],
)
def test_it_stays_exact_near_underflow_and_overflow(spec, x):
    # Found by Hypothesis: a subnormal score once lost its low part and the dimension became 0
    # instead of 1.5e-323. Such cells are recomputed exactly; the reference is the judge.
    values = column(x)
    fast = score(spec, values, all_ranked(len(x)))
    slow = score_reference(spec, values, all_ranked(len(x)))
    for name in ("indicator_scores", "dimension_points", "totals", "total_ranks"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)

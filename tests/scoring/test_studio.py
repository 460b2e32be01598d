"""The what-if arithmetic (``scoring.studio``) on synthetic data of the 2017 model: a scenario
that changes nothing is the official run bit for bit, each change does what it says, every
refusal names what it refuses, and the public page's re-weighting is the exactly rounded
``Σ D_j c_j``."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from common.errors import ApplicationError
from scoring import core, studio
from tests.scoring.test_core import ELEMENTS_2017, model_2017

POINTS = [20.0, 20.0, 20.0, 15.0, 15.0, 10.0]


def synthetic_values(units: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.empty((units, len(ELEMENTS_2017)))
    for j, code in enumerate(ELEMENTS_2017):
        if code.startswith("E60"):
            values[:, j] = rng.integers(0, 4, units)
        elif code in ("P01", "P02", "P03", "E502"):
            values[:, j] = rng.uniform(1000, 10000, units)
        elif code == "E503":
            values[:, j] = rng.uniform(0, 800, units)
        else:
            values[:, j] = rng.uniform(0, 100, units)
    for code in ("E101", "E103", "E104", "E402"):
        values[:, ELEMENTS_2017.index(code)] = values[:, 0] * rng.uniform(0.2, 0.95, units)
    values[3, ELEMENTS_2017.index("E104")] = np.nan  # one unit without e-health figures
    return values


def run_data(units: int = 31, seed: int = 1) -> studio.RunData:
    """What a stored run would give: the core's results of the 2017 model, the last unit
    scored but not ranked (as 新疆生产建设兵团)."""
    spec = model_2017()
    ranked = np.ones(units, dtype=bool)
    ranked[-1] = False
    result = core.score(spec, synthetic_values(units, seed), ranked)
    return studio.RunData(
        spec=spec, run_id=1, region_codes=tuple(f"{i:06d}" for i in range(units)),
        region_names=tuple((f"地区{i}", f"Region {i}") for i in range(units)),
        ranked=ranked, values=result.indicator_values, scores=result.indicator_scores,
        dimension_points=result.dimension_points, totals=result.totals,
        ranks=result.total_ranks)


@pytest.fixture(scope="module")
def data() -> studio.RunData:
    return run_data()


def compute(data: studio.RunData, parameters: dict) -> studio.ScenarioResult:
    return studio.compute(data, studio.parse_scenario(parameters, data.spec))


# --- a scenario that changes nothing ----------------------------------------------------------

@pytest.mark.parametrize("parameters", [
    {},
    {"dimension_points": dict(zip(["D1", "D2", "D3", "D4", "D5", "D6"], POINTS, strict=True)),
     "indicator_weights": {f"I{d}{k}": 1 for d, k in [(1, 1), (2, 1), (6, 6)]},
     "aggregation": "arithmetic"},
    {"goalposts": {"I11": [0, 100], "I52": [0, 50]}, "directions": {"I52": -1}},
])
def test_it_reproduces_the_official_run_bit_for_bit_with_the_models_own_settings(
        data, parameters):
    result = compute(data, parameters)
    np.testing.assert_array_equal(result.dimension_points, data.dimension_points)
    np.testing.assert_array_equal(result.totals, data.totals)
    np.testing.assert_array_equal(result.ranks, data.ranks)
    assert result.kendall_tau == 1.0
    assert set(result.rank_changes[:-1]) == {0} and result.rank_changes[-1] is None


# --- changes ----------------------------------------------------------------------------------

def test_it_leaves_a_dimension_with_zero_points_out_and_uses_the_points_as_given(data):
    result = compute(data, {"dimension_points": {"D1": 0, "D2": 40}})
    assert result.included == (False, True, True, True, True, True)
    assert np.isnan(result.dimension_points[:, 0]).all()
    # D2 at 40 points: twice its official points; the total is out of 120, not rescaled.
    np.testing.assert_allclose(result.dimension_points[:, 1], 2 * data.dimension_points[:, 1],
                               rtol=1e-15)
    expected = np.nansum(result.dimension_points, axis=1)
    np.testing.assert_allclose(result.totals, expected, rtol=1e-14)
    assert result.totals.max() <= 120.0


def test_it_leaves_an_indicator_with_zero_weight_out_of_its_dimension(data):
    result = compute(data, {"indicator_weights": {"I11": 0, "I12": 3}})
    s = data.scores
    expected = 20 * (3 * s[:, 1] + s[:, 2] + np.nan_to_num(s[:, 3])) / (
        4 + (~np.isnan(s[:, 3])))
    np.testing.assert_allclose(result.dimension_points[:, 0], expected, rtol=1e-14)


def test_it_changes_goalposts_and_direction(data):
    result = compute(data, {"goalposts": {"I12": [50, 80]}, "directions": {"I21": -1}})
    x = data.values
    s12 = np.clip((x[:, 1] - 50) / 30, 0, 1)
    present = ~np.isnan(data.scores[:, :4])
    d1 = data.scores[:, :4].copy()
    d1[:, 1] = s12
    np.testing.assert_allclose(result.dimension_points[:, 0],
                               20 * np.nansum(d1, axis=1) / present.sum(axis=1), rtol=1e-14)
    s21 = np.clip((100 - x[:, 4]) / 100, 0, 1)  # lower is better now, same goalposts 0..100
    d2 = 20 * (s21 + data.scores[:, 5] + data.scores[:, 6]) / 3
    np.testing.assert_allclose(result.dimension_points[:, 1], d2, rtol=1e-14)


@pytest.mark.parametrize("kind", ["minmax", "zscore", "ordinal"])
def test_it_normalises_by_the_kind_chosen(data, kind):
    codes = ["I21", "I22", "I23"]
    result = compute(data, {"normalisation": dict.fromkeys(codes, kind)})
    x = data.values[:, 4:7]
    higher = np.ones(3, dtype=bool)
    if kind == "minmax":
        scores = (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0))
    elif kind == "zscore":
        scores = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    else:
        scores = core.ordinal_scores(x, higher)
    np.testing.assert_allclose(result.dimension_points[:, 1], 20 * scores.mean(axis=1),
                               rtol=1e-12, atol=1e-12)
    # The other dimensions are the official ones.
    np.testing.assert_array_equal(result.dimension_points[:, 0], data.dimension_points[:, 0])


def test_it_aggregates_geometrically_within_and_across_dimensions(data):
    result = compute(data, {"aggregation": "geometric"})
    points = np.array(POINTS)
    dims = core.aggregate_dimensions(data.scores, np.ones(22),
                                     np.array([int(i.dimension[1]) - 1
                                               for i in data.spec.indicators]),
                                     points, geometric=True)
    np.testing.assert_allclose(result.dimension_points, dims, rtol=1e-13)
    np.testing.assert_allclose(result.totals, core.geometric_totals(dims, points), rtol=1e-13)
    # Geometric means never exceed arithmetic ones (with the same shift).
    assert (result.totals <= data.totals + 1e-9).all()
    assert result.kendall_tau is not None and -1.0 <= result.kendall_tau < 1.0


def test_it_measures_rank_changes_and_kendalls_tau_against_the_official_run(data):
    result = compute(data, {"dimension_points": {"D6": 60}})
    ranked = data.ranked
    from scipy.stats import kendalltau

    assert result.kendall_tau == pytest.approx(
        kendalltau(data.ranks[ranked], result.ranks[ranked]).statistic)
    for i in np.nonzero(ranked)[0]:
        assert result.rank_changes[i] == data.ranks[i] - result.ranks[i]
    assert result.ranks[-1] == core.UNRANKED and result.rank_changes[-1] is None


# --- refusals ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("parameters", "code", "words"), [
    ({"indicator_weights": {"I99": 1}}, "WHATIF_UNKNOWN_CODE", ["I99"]),
    ({"dimension_points": {"D9": 1}}, "WHATIF_UNKNOWN_CODE", ["D9"]),
    ({"indicator_weights": {"I11": -1}}, "WHATIF_NEGATIVE_WEIGHT", ["I11", "-1"]),
    ({"dimension_points": {"D2": -0.5}}, "WHATIF_NEGATIVE_WEIGHT", ["D2", "-0.5"]),
    ({"dimension_points": dict.fromkeys(["D1", "D2", "D3", "D4", "D5", "D6"], 0)},
     "WHATIF_ALL_ZERO", ["方面分值"]),
    ({"indicator_weights": {i.code: 0 for i in model_2017().indicators}}, "WHATIF_ALL_ZERO",
     ["指标权重"]),
    ({"normalisation": {"I11": "zscore"}, "aggregation": "geometric"},
     "WHATIF_GEOMETRIC_ZSCORE", ["I11"]),
    ({"aggregation": "harmonic"}, "WHATIF_UNKNOWN_AGGREGATION", ["harmonic"]),
    ({"normalisation": {"I11": "rank"}}, "WHATIF_UNKNOWN_KIND", ["I11", "rank"]),
    ({"weights": {}}, "WHATIF_UNKNOWN_KEY", ["weights"]),
    ({"indicator_weights": {"I11": "2"}}, "WHATIF_NOT_A_NUMBER", ["I11"]),
    ({"indicator_weights": {"I11": True}}, "WHATIF_NOT_A_NUMBER", ["I11"]),
    ({"indicator_weights": {"I11": 1e9}}, "WHATIF_OUT_OF_RANGE", ["I11"]),
    ({"goalposts": {"I11": [100, 0]}}, "WHATIF_BAD_GOALPOSTS", ["I11"]),
    ({"directions": {"I11": 0}}, "WHATIF_BAD_DIRECTION", ["I11"]),
    ({"indicator_weights": [1, 2]}, "WHATIF_NOT_A_MAPPING", ["indicator_weights"]),
    ([1, 2], "WHATIF_NOT_AN_OBJECT", ["aggregation"]),
])
def test_it_refuses_what_it_cannot_compute_naming_it(data, parameters, code, words):
    with pytest.raises(ApplicationError) as caught:
        studio.parse_scenario(parameters, data.spec)
    assert caught.value.code == code
    for word in words:
        assert word in caught.value.message


def test_it_accepts_a_zero_scored_z_score_dimension_left_out_under_geometric(data):
    # A z-score indicator that is left out (weight 0) does not stop geometric aggregation.
    scenario = studio.parse_scenario({"normalisation": {"I11": "zscore"},
                                      "indicator_weights": {"I11": 0},
                                      "aggregation": "geometric"}, data.spec)
    assert studio.compute(data, scenario).totals.shape == (31,)


def test_it_names_indicators_by_name_where_names_are_given(data):
    with pytest.raises(ApplicationError) as caught:
        studio.parse_scenario({"normalisation": {"I11": "zscore", "I12": "zscore"},
                               "aggregation": "geometric"}, data.spec,
                              names={"I11": "网民普及率", "I12": "网上政务服务能力"})
    assert "网民普及率、网上政务服务能力" in caught.value.message
    assert "I11" not in caught.value.message


def test_it_asks_for_goalposts_where_the_model_has_none():
    spec = core.ModelSpec(
        elements=("E1",), dimensions=(core.DimensionSpec("D1", 10.0),),
        indicators=(core.IndicatorSpec("I1", "D1", "E1", 1, "minmax"),))
    with pytest.raises(ApplicationError) as caught:
        studio.parse_scenario({"normalisation": {"I1": "goalposts"}}, spec)
    assert caught.value.code == "WHATIF_GOALPOSTS_REQUIRED"
    assert studio.parse_scenario({"normalisation": {"I1": "goalposts"},
                                  "goalposts": {"I1": [0, 5]}}, spec).goalposts == {
        "I1": (0.0, 5.0)}


def test_it_keeps_a_scenario_as_json_it_reads_back(data):
    scenario = studio.parse_scenario({"dimension_points": {"D1": 25},
                                      "normalisation": {"I21": "ordinal"},
                                      "goalposts": {"I11": [10, 90]}, "directions": {"I12": -1},
                                      "aggregation": "geometric"}, data.spec)
    assert studio.parse_scenario(scenario.as_json(), data.spec) == scenario


# --- the public page's arithmetic -------------------------------------------------------------

def test_it_gives_the_official_totals_with_the_official_weights(data):
    totals = studio.public_totals(data.dimension_points, POINTS, [p / 5 for p in POINTS])
    np.testing.assert_array_equal(totals, data.totals)
    assert studio.public_scales(POINTS, [4, 4, 4, 3, 3, 2]) == [1.0] * 6


@pytest.mark.parametrize("seed", range(5))
def test_it_rounds_each_reweighted_total_once(data, seed):
    rng = np.random.default_rng(seed)
    weights = (rng.integers(0, 11, size=6) / 2).tolist()
    weights[0] = weights[0] or 0.5
    totals = studio.public_totals(data.dimension_points, POINTS, weights)
    scales = studio.public_scales(POINTS, weights)
    for i, row in enumerate(data.dimension_points):
        exact = sum((Fraction(float(p)) * Fraction(c) for p, c in zip(row, scales, strict=True)
                     if not math.isnan(p)), Fraction(0))
        assert totals[i] == float(exact)


@pytest.mark.parametrize(("weights", "code"), [
    ([0, 0, 0, 0, 0, 0], "WHATIF_ALL_ZERO"),
    ([1, 1, 1, 1, 1, -1], "WHATIF_NEGATIVE_WEIGHT"),
    ([1, 1], "WHATIF_COUNT_MISMATCH"),
    ([1, 1, 1, 1, 1, math.inf], "WHATIF_NOT_A_NUMBER"),
])
def test_it_refuses_public_weights_it_cannot_use(weights, code):
    with pytest.raises(ApplicationError) as caught:
        studio.public_scales(POINTS, weights)
    assert caught.value.code == code

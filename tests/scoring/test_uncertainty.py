"""Monte Carlo rank uncertainty under perturbed dimension weights."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.core import competition_ranks, score
from scoring.uncertainty import perturbed_scales, rank_uncertainty
from tests.scoring.test_core import UNITS_2017, model_2017

POINTS = np.array([20.0, 20.0, 20.0, 15.0, 15.0, 10.0])


def random_points(units: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, 1.0, size=(units, 6)) * POINTS


def test_it_is_reproducible_from_the_seed():
    points = random_points(31)
    ranked = np.ones(31, dtype=bool)
    first = rank_uncertainty(points, POINTS, ranked, replications=200, seed=42)
    again = rank_uncertainty(points, POINTS, ranked, replications=200, seed=42)
    for name in ("median", "p05", "p95"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))


def test_it_does_not_depend_on_how_replications_are_chunked(monkeypatch):
    points = random_points(50)
    ranked = np.ones(50, dtype=bool)
    whole = rank_uncertainty(points, POINTS, ranked, replications=300, seed=3)
    monkeypatch.setattr("scoring.uncertainty.CHUNK_CELLS", 50 * 7)
    chunked = rank_uncertainty(points, POINTS, ranked, replications=300, seed=3)
    for name in ("median", "p05", "p95"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(chunked, name))


def test_it_gives_the_plain_rank_with_a_spread_of_0():
    # The 2017 model on its four units twice over: ties (北京 and its copy), an unranked
    # unit, incomplete dimensions and a missing one. With no perturbation every replication
    # is the core's own ranking.
    values = np.array(list(UNITS_2017.values()) * 2)
    ranked = np.array([True, True, True, False, True, True, True, True])
    values[5, 4:7] = np.nan  # 广东's copy without E102..E104: D1 from I11 alone
    values[6, 3:7] = np.nan  # 青海's copy without E101..E104: no D1 points at all
    result = score(model_2017(), values, ranked)
    assert np.isnan(result.dimension_points[6, 0])
    uncertainty = rank_uncertainty(result.dimension_points, POINTS, ranked, replications=50,
                                   spread=0.0, seed=1)
    expected = np.where(ranked, competition_ranks(result.totals, ranked), np.nan)
    for name in ("median", "p05", "p95"):
        np.testing.assert_array_equal(getattr(uncertainty, name), expected)
    assert (result.total_ranks[ranked] == expected[ranked]).all()
    assert len(set(result.total_ranks[[0, 4]])) == 1  # the duplicated 北京 ties with itself


def test_it_brackets_the_median_within_the_ranks_that_exist():
    points = random_points(31)
    ranked = np.ones(31, dtype=bool)
    ranked[30] = False
    result = rank_uncertainty(points, POINTS, ranked, replications=500, spread=0.3, seed=9)
    assert np.isnan([result.median[30], result.p05[30], result.p95[30]]).all()
    for name in ("median", "p05", "p95"):
        values = getattr(result, name)[:30]
        assert np.all((values >= 1) & (values <= 30))
        assert np.array_equal(values, np.round(values))  # ranks that occurred
    assert np.all(result.p05[:30] <= result.median[:30])
    assert np.all(result.median[:30] <= result.p95[:30])


def test_it_keeps_a_unit_that_leads_every_dimension_first():
    points = random_points(10) * 0.9
    points[3] = POINTS  # full marks everywhere
    result = rank_uncertainty(points, POINTS, np.ones(10, dtype=bool), replications=300,
                              spread=0.5, seed=5)
    assert result.median[3] == result.p05[3] == result.p95[3] == 1


def test_it_counts_a_missing_dimension_as_0_and_leaves_a_unit_without_any_unranked():
    points = np.array([[10.0, 10.0], [20.0, np.nan], [np.nan, np.nan]])
    result = rank_uncertainty(points, np.array([50.0, 50.0]), np.ones(3, dtype=bool),
                              replications=100, spread=0.1, seed=0)
    # 20 + 0 ≈ 10 + 10 in total; the perturbation decides the order either way.
    assert result.p05[0] == 1 and result.p95[1] == 2
    assert math.isnan(result.median[2])


def test_it_matches_a_plain_loop_over_replications():
    points = random_points(12, seed=11)
    ranked = np.ones(12, dtype=bool)
    ranked[0] = False
    replications, spread, seed = 64, 0.25, 123
    result = rank_uncertainty(points, POINTS, ranked, replications=replications,
                              spread=spread, seed=seed)
    factors = np.random.default_rng(seed).uniform(1 - spread, 1 + spread, size=(64, 6))
    ranks = []
    for f in factors:
        weights = POINTS * f
        weights = weights * (POINTS.sum() / weights.sum())
        totals = [math.fsum(points[i] * weights / POINTS) for i in range(12)]
        ranks.append([1 + sum(t > totals[i] for j, t in enumerate(totals) if ranked[j])
                      for i in range(12)])
    by_unit = np.array(ranks)
    for q, name in ((0.5, "median"), (0.05, "p05"), (0.95, "p95")):
        expected = np.quantile(by_unit, q, axis=0, method="inverted_cdf").astype(float)
        expected[0] = np.nan
        np.testing.assert_array_equal(getattr(result, name), expected)


def test_it_renormalises_the_perturbed_points_to_the_model_total():
    factors = np.random.default_rng(0).uniform(0.8, 1.2, size=(20, 6))
    scales = perturbed_scales(POINTS, factors)
    np.testing.assert_allclose((POINTS * scales).sum(axis=1), 100.0, rtol=1e-14)
    assert (perturbed_scales(POINTS, np.ones((3, 6))) == 1.0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"spread": -0.1}, "spread"),
        ({"spread": 1.0}, "spread"),
        ({"replications": 0}, "replications"),
        ({"points": np.array([50.0, 50.0])}, "one value per dimension"),
        ({"points": np.array([100.0, 0.0, 0.0, 0.0, 0.0, 0.0])}, "positive"),
        ({"ranked": np.ones(3, dtype=bool)}, "one flag per unit"),
    ],
)
def test_it_refuses_bad_arguments(kwargs, message):
    arguments = {"dimension_points": random_points(4), "points": POINTS,
                 "ranked": np.ones(4, dtype=bool), "seed": 1} | kwargs
    with pytest.raises(ValueError, match=message):
        rank_uncertainty(**arguments)

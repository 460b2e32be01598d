"""The core's variants for the studio and the audit — z-scores, ordinal scores, arithmetic and
geometric aggregation — each against a direct computation of its formula."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.core import (
    aggregate_dimensions,
    geometric_totals,
    ordinal_scores,
    zscore_scores,
)

NAN = math.nan


def test_it_gives_z_scores_with_the_sample_standard_deviation():
    x = np.array([[1.0, 10.0], [2.0, NAN], [4.0, 30.0], [9.0, 20.0]])
    z = zscore_scores(x, np.array([True, False]))
    first = x[:, 0]
    expected = (first - first.mean()) / math.sqrt(((first - first.mean()) ** 2).sum() / 3)
    np.testing.assert_allclose(z[:, 0], expected, rtol=1e-15)
    second = np.array([10.0, 30.0, 20.0])
    lower_is_better = -(second - 20.0) / 10.0  # mean 20, sample sd 10
    np.testing.assert_allclose(z[[0, 2, 3], 1], lower_is_better, rtol=1e-15)
    assert math.isnan(z[1, 1])


def test_it_scores_0_where_an_indicator_does_not_tell_units_apart():
    x = np.array([[5.0, 1.0], [5.0, NAN], [5.0, NAN]])
    z = zscore_scores(x, np.array([True, True]))
    assert z[:, 0].tolist() == [0.0, 0.0, 0.0]
    assert z[0, 1] == 0.0 and np.isnan(z[1:, 1]).all()


def test_it_gives_ordinal_scores_by_place_with_mid_ranks_for_ties():
    x = np.array([[10.0], [30.0], [20.0], [20.0], [NAN]])
    higher = ordinal_scores(x, np.array([True]))[:, 0]
    # Places among 4 values: 10 worst (0), 20 and 20 share places 2 and 3 (0.5), 30 best (1).
    assert higher[:4].tolist() == [0.0, 1.0, 0.5, 0.5] and math.isnan(higher[4])
    lower = ordinal_scores(x, np.array([False]))[:, 0]
    assert lower[:4].tolist() == [1.0, 0.0, 0.5, 0.5]
    assert ordinal_scores(np.array([[7.0], [NAN]]), np.array([True]))[0, 0] == 1.0


def test_it_aggregates_arithmetically_over_the_indicators_present():
    scores = np.array([[0.2, 0.6, 1.0], [NAN, 0.5, NAN], [NAN, NAN, 0.3]])
    weights = np.array([1.0, 3.0, 2.0])
    points = aggregate_dimensions(scores, weights, np.array([0, 0, 1]), np.array([20.0, 10.0]))
    assert points[0, 0] == pytest.approx(20 * (0.2 + 3 * 0.6) / 4, rel=1e-15)
    assert points[1, 0] == pytest.approx(20 * 0.5, rel=1e-15)  # the missing one re-weighted
    assert math.isnan(points[2, 0])  # no indicator of the dimension present
    assert points[:, 1][[0, 2]].tolist() == pytest.approx([10.0, 3.0])


def test_it_aggregates_geometrically_on_scores_shifted_by_one_point():
    scores = np.array([[0.2, 0.6], [0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    points = aggregate_dimensions(scores, np.array([1.0, 3.0]), np.array([0, 0]),
                                  np.array([20.0]), geometric=True)[:, 0]
    expected = 20 * ((21.0 ** 1 * 61.0 ** 3) ** 0.25 - 1) / 100
    assert points[0] == pytest.approx(expected, rel=1e-12)
    assert points[1] == pytest.approx(0.0, abs=1e-12)  # zeros stay defined: 0 points
    assert points[2] == pytest.approx(20.0, rel=1e-12)  # full scores: full points
    # Less compensation than the arithmetic mean (15 points): a zero weighs heavily.
    assert points[3] == pytest.approx(20 * (101.0 ** 0.75 - 1) / 100, rel=1e-12)
    assert points[3] < 15.0


def test_it_refuses_geometric_aggregation_of_a_negative_score():
    with pytest.raises(ValueError, match="at least 0"):
        aggregate_dimensions(np.array([[-0.5, 1.0]]), np.ones(2), np.array([0, 0]),
                             np.array([10.0]), geometric=True)


def test_it_aggregates_many_weightings_at_once():
    rng = np.random.default_rng(4)
    scores = rng.uniform(0, 1, size=(7, 5))
    dimension_of = np.array([0, 0, 1, 1, 1])
    weights = rng.uniform(0.5, 1.5, size=(3, 5))
    points = rng.uniform(5, 25, size=(3, 2))
    for geometric in (False, True):
        batch = aggregate_dimensions(scores, weights, dimension_of, points, geometric=geometric)
        assert batch.shape == (3, 7, 2)
        for s in range(3):
            one = aggregate_dimensions(scores, weights[s], dimension_of, points[s],
                                       geometric=geometric)
            np.testing.assert_allclose(batch[s], one, rtol=1e-13)


def test_it_totals_dimensions_geometrically():
    dims = np.array([[20.0, 10.0], [0.0, 0.0], [10.0, NAN], [NAN, NAN]])
    totals = geometric_totals(dims, np.array([20.0, 10.0]))
    assert totals[0] == pytest.approx(30.0, rel=1e-12)
    assert totals[1] == pytest.approx(0.0, abs=1e-12)
    # A missing dimension counts 0: (51^20 * 1^10)^(1/30) - 1, on the 30-point scale.
    assert totals[2] == pytest.approx(30 * (51.0 ** (20 / 30) - 1) / 100, rel=1e-12)
    assert math.isnan(totals[3])

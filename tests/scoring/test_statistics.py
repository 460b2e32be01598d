"""The statistical audit (``scoring.statistics``): each statistic against an independent
computation on a fixed data set — direct NumPy formulas, a published textbook example, and
an analytic case for the Sobol' indices."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest
from openpyxl import load_workbook

from scoring import core, statistics, studio
from tests.scoring.test_studio import run_data

# Denis, D. J. (2016). Applied Univariate, Bivariate, and Multivariate Statistics. Wiley,
# section 2 on reliability: five items, ten subjects; SPSS reports Cronbach's alpha 0.633,
# 0.824 without item 5, and the inter-item correlations below (3 decimals).
DENIS_ITEMS = np.array([
    [10, 12, 15, 11, 12], [12, 18, 12, 12, 1], [8, 16, 14, 14, 4], [6, 8, 16, 8, 6],
    [4, 7, 8, 7, 5], [6, 6, 3, 7, 3], [3, 4, 6, 5, 8], [7, 3, 7, 9, 9], [8, 9, 4, 10, 10],
    [9, 5, 6, 11, 12]], dtype=float)
DENIS_CORRELATIONS = [
    [1.000, 0.679, 0.351, 0.827, 0.022],
    [0.679, 1.000, 0.612, 0.743, -0.463],
    [0.351, 0.612, 1.000, 0.462, -0.129],
    [0.827, 0.743, 0.462, 1.000, -0.011],
    [0.022, -0.463, -0.129, -0.011, 1.000],
]


def numpy_alpha(items: np.ndarray) -> float:
    """Cronbach's alpha as the textbooks write it: item variances against the variance of
    the sum."""
    k = items.shape[1]
    return k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / items.sum(axis=1).var(ddof=1))


# --- Cronbach's alpha ----------------------------------------------------------------------

def test_it_gives_the_textbooks_cronbach_alpha():
    assert round(statistics.cronbach_alpha(DENIS_ITEMS), 3) == 0.633
    assert round(statistics.cronbach_alpha(DENIS_ITEMS[:, :4]), 3) == 0.824


def test_it_gives_cronbach_alpha_as_the_direct_numpy_formula():
    rng = np.random.default_rng(11)
    common = rng.normal(size=(40, 1))
    items = common + rng.normal(scale=0.8, size=(40, 6))
    assert statistics.cronbach_alpha(items) == pytest.approx(numpy_alpha(items), rel=1e-12)
    items[5, 2] = np.nan  # a unit without every item is left out
    assert statistics.cronbach_alpha(items) == pytest.approx(
        numpy_alpha(np.delete(items, 5, axis=0)), rel=1e-12)


def test_it_has_no_alpha_for_a_single_item_or_a_constant_sum():
    assert statistics.cronbach_alpha(DENIS_ITEMS[:, :1]) is None
    assert statistics.cronbach_alpha(np.ones((5, 3))) is None


# --- correlations --------------------------------------------------------------------------

def test_it_gives_the_textbooks_correlations():
    columns = {f"item{k}": DENIS_ITEMS[:, k] for k in range(5)}
    pearson = statistics.correlation_matrices(columns)["pearson"]
    got = [[round(pearson[f"item{a}"][f"item{b}"], 3) for b in range(5)] for a in range(5)]
    assert got == DENIS_CORRELATIONS


def ranks(column: np.ndarray) -> np.ndarray:
    """1-based ranks of values without ties."""
    order = np.argsort(column)
    result = np.empty(len(column))
    result[order] = np.arange(1, len(column) + 1)
    return result


def test_it_gives_pearson_and_spearman_as_numpy_on_values_and_ranks_pairwise():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=30), rng.normal(size=30)
    c = a ** 3 + rng.normal(scale=0.1, size=30)
    c[[4, 9]] = np.nan
    matrices = statistics.correlation_matrices({"a": a, "b": b, "c": c})
    assert matrices["pearson"]["a"]["b"] == pytest.approx(np.corrcoef(a, b)[0, 1], rel=1e-12)
    both = ~np.isnan(c)
    assert matrices["pearson"]["c"]["a"] == pytest.approx(
        np.corrcoef(a[both], c[both])[0, 1], rel=1e-12)
    assert matrices["spearman"]["a"]["c"] == pytest.approx(
        np.corrcoef(ranks(a[both]), ranks(c[both]))[0, 1], rel=1e-12)
    assert matrices["pearson"]["a"]["a"] == 1.0
    assert matrices["pearson"]["a"]["c"] == matrices["pearson"]["c"]["a"]


def test_it_has_no_correlation_for_a_constant_column_or_too_few_pairs():
    matrices = statistics.correlation_matrices({
        "flat": np.ones(6), "x": np.arange(6.0), "sparse": np.array([1, np.nan, np.nan,
                                                                    np.nan, 2, np.nan])})
    assert matrices["pearson"]["flat"]["x"] is None
    assert matrices["spearman"]["flat"]["flat"] is None
    assert matrices["pearson"]["sparse"]["x"] is None


# --- descriptive statistics ----------------------------------------------------------------

def test_it_gives_skewness_and_kurtosis_as_the_bias_corrected_formulas():
    x = np.array([2.0, 3.5, 3.9, 4.1, 5.0, 6.2, 9.8, 15.0, np.nan])
    s = statistics.describe(x)
    v = x[~np.isnan(x)]
    n = v.size
    m2, m3, m4 = (((v - v.mean()) ** k).mean() for k in (2, 3, 4))
    g1 = math.sqrt(n * (n - 1)) / (n - 2) * m3 / m2 ** 1.5
    g2 = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * m4 / m2 ** 2 - 3 * (n - 1))
    assert s["n"] == 8 and s["missing"] == 1
    assert s["mean"] == pytest.approx(v.mean()) and s["std"] == pytest.approx(v.std(ddof=1))
    assert (s["min"], s["max"]) == (2.0, 15.0)
    assert s["skewness"] == pytest.approx(g1, rel=1e-12)
    assert s["kurtosis"] == pytest.approx(g2, rel=1e-12)
    assert s["outlier"] is False


def test_it_flags_an_outlier_by_the_jrc_rule():
    skewed = np.array([1.0] * 12 + [1.2, 0.9, 1.1] + [40.0])
    s = statistics.describe(skewed)
    assert abs(s["skewness"]) > 2 and s["kurtosis"] > 3.5 and s["outlier"] is True
    flat = statistics.describe(np.full(5, 3.0))
    assert flat["skewness"] is None and flat["kurtosis"] is None and flat["outlier"] is False


# --- principal components ------------------------------------------------------------------

def test_it_gives_the_first_component_as_the_svd_of_the_standardised_data():
    rng = np.random.default_rng(5)
    common = rng.normal(size=(50, 1))
    items = np.hstack([common + rng.normal(scale=s, size=(50, 1)) for s in (0.3, 0.6, 1.2)])
    share, loadings = statistics.first_component(items)
    z = (items - items.mean(axis=0)) / items.std(axis=0, ddof=1)
    _u, singular, vt = np.linalg.svd(z, full_matrices=False)
    assert share == pytest.approx(singular[0] ** 2 / (singular ** 2).sum(), rel=1e-10)
    expected = np.abs(vt[0] * singular[0] / math.sqrt(49))
    np.testing.assert_allclose(np.abs(loadings), expected, rtol=1e-10)
    assert sum(loadings) > 0


def test_it_leaves_a_constant_item_out_of_the_components():
    items = np.column_stack([np.arange(6.0), np.full(6, 2.0), np.arange(6.0) ** 2])
    share, loadings = statistics.first_component(items)
    assert loadings[1] is None and share is not None and 0.5 < share <= 1.0
    assert statistics.first_component(items[:, [1]]) == (None, [None])


# --- Sobol' first-order indices ------------------------------------------------------------

def linear_indices(coefficients: list[float], groups: list[str] | None = None,
                   base: int = 4096) -> np.ndarray:
    names = [f"x{k}" for k in range(len(coefficients))]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    if groups:
        problem["groups"] = groups
    sample = statistics.sample_assumptions(problem, base, seed=7)
    outputs = sample @ np.array(coefficients)
    return statistics.first_order_indices(outputs, len(set(groups or names)))[:, 0]


def test_it_gives_the_analytic_first_order_indices_of_a_linear_model():
    # Y = 3 X1 + 1 X2 with independent uniform inputs: S_i = a_i^2 / (a_1^2 + a_2^2).
    s = linear_indices([3.0, 1.0])
    assert s == pytest.approx([0.9, 0.1], abs=0.02)


def test_it_gives_the_analytic_first_order_index_of_a_group():
    # Y = X1 + X2 + 2 X3, groups {X1, X2} and {X3}: variances 2 and 4 of 6.
    s = linear_indices([1.0, 1.0, 2.0], groups=["a", "a", "b"])
    assert s == pytest.approx([1 / 3, 2 / 3], abs=0.02)


def test_it_gives_zero_to_an_output_that_never_varies():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0]] * 2}
    sample = statistics.sample_assumptions(problem, 64, seed=1)
    assert statistics.first_order_indices(np.ones(len(sample)), 2).tolist() == [[0.0], [0.0]]


# --- uncertainty and sensitivity of a run --------------------------------------------------

def one_indicator_run() -> studio.RunData:
    """One dimension of one indicator: every normalisation and aggregation keeps its order,
    and weights cannot matter, so no assumption moves a rank."""
    spec = core.ModelSpec(elements=("E1",), dimensions=(core.DimensionSpec("D1", 100.0),),
                          indicators=(core.IndicatorSpec("I1", "D1", "E1", 1, "goalposts",
                                                         lower=0.0, upper=100.0),))
    values = np.array([[70.0], [20.0], [50.0], [90.0]])
    ranked = np.ones(4, dtype=bool)
    result = core.score(spec, values, ranked)
    return studio.RunData(spec=spec, run_id=1, region_codes=("A", "B", "C", "D"),
                          region_names=(("甲", "A"),) * 4, ranked=ranked,
                          values=result.indicator_values, scores=result.indicator_scores,
                          dimension_points=result.dimension_points, totals=result.totals,
                          ranks=result.total_ranks)


def test_it_finds_no_uncertainty_where_no_assumption_can_move_a_rank():
    uncertainty, sensitivity = statistics.uncertainty_and_sensitivity(
        one_indicator_run(), base_samples=64, seed=3)
    assert uncertainty == {code: {"rank": r, "median": float(r), "p05": float(r),
                                  "p95": float(r)}
                           for code, r in zip("ABCD", [2, 4, 3, 1], strict=True)}
    assert sensitivity == {"weights": 0.0, "normalisation": 0.0, "aggregation": 0.0}


def test_it_gives_rank_intervals_and_sensitivities_of_a_run():
    data = run_data(31, seed=2)
    uncertainty, sensitivity = statistics.uncertainty_and_sensitivity(data, base_samples=128,
                                                                      seed=9)
    assert set(uncertainty) == set(data.region_codes[:-1])  # the ranked units
    for code, u in uncertainty.items():
        assert 1 <= u["p05"] <= u["median"] <= u["p95"] <= 30
        assert u["rank"] == data.ranks[data.region_codes.index(code)]
    assert set(sensitivity) == set(statistics.ASSUMPTIONS)
    assert all(0.0 <= v <= 1.0 for v in sensitivity.values())
    assert sum(sensitivity.values()) > 0
    again = statistics.uncertainty_and_sensitivity(data, base_samples=128, seed=9)
    assert again == (uncertainty, sensitivity)


def test_it_ranks_the_monte_carlo_as_the_core_with_the_models_assumptions():
    # A sample row of factors 1, the model's normalisation and arithmetic aggregation is the
    # official ranking.
    data = run_data(31, seed=4)
    row = np.ones((1, 22 + 6 + 2))
    row[0, -2:] = [0.1, 0.2]
    ranks = statistics.monte_carlo_ranks(data, row)
    assert ranks[0].tolist() == data.ranks.tolist()


# --- the report ----------------------------------------------------------------------------

def test_it_reports_exactly_the_keys_of_the_issue_as_plain_json():
    data = run_data(31, seed=2)
    report = statistics.audit(data, base_samples=64, seed=1)
    assert tuple(report) == statistics.REPORT_KEYS
    codes = list(data.indicator_codes)
    assert list(report["indicators"]) == codes
    assert set(report["indicators"]["I11"]) == {"n", "missing", "mean", "std", "min", "max",
                                                "skewness", "kurtosis", "outlier"}
    assert set(report["correlations"]) == {"pearson", "spearman"}
    assert list(report["correlations"]["pearson"]) == [*codes, "D1", "D2", "D3", "D4", "D5",
                                                       "D6", "total"]
    assert set(report["cronbach_alpha"]) == {"D1", "D2", "D3", "D4", "D5", "D6", "total"}
    assert set(report["pca"]["D1"]) == {"first_share", "loadings"}
    assert list(report["pca"]["D1"]["loadings"]) == ["I11", "I12", "I13", "I14"]
    assert set(next(iter(report["uncertainty"].values()))) == {"rank", "median", "p05", "p95"}
    assert set(report["sensitivity"]) == {"weights", "normalisation", "aggregation"}
    assert json.loads(json.dumps(report, allow_nan=False)) == report
    # Over the ranked units only: the 31st unit (scored, not ranked) is left out.
    assert report["indicators"]["I11"]["n"] == 30
    ranked = data.ranked
    assert report["indicators"]["I11"]["mean"] == pytest.approx(
        data.values[ranked, 0].mean(), rel=1e-12)
    assert report["cronbach_alpha"]["D2"] == pytest.approx(
        numpy_alpha(data.scores[ranked][:, 4:7]), rel=1e-12)


def test_it_lists_the_weak_within_dimension_pairs():
    data = run_data(31, seed=2)
    report = statistics.audit(data, base_samples=64, seed=1)
    pearson = report["correlations"]["pearson"]
    pairs = statistics.weak_pairs(report, data.spec)
    for dimension, a, b, r in pairs:
        assert dimension == f"D{a[1]}" == f"D{b[1]}"
        assert r == pearson[a][b] and (r < 0 or abs(r) < 0.3)
    flagged = {(a, b) for _d, a, b, _r in pairs}
    assert all(pearson[a][b] is None or (pearson[a][b] >= 0.3)
               for a in ("I11", "I12", "I13", "I14") for b in ("I11", "I12", "I13", "I14")
               if a < b and (a, b) not in flagged)


def test_it_writes_the_report_as_a_workbook():
    data = run_data(31, seed=2)
    report = statistics.audit(data, base_samples=64, seed=1)
    content = statistics.audit_workbook(report, {"I11": "=HYPERLINK()"}, {})
    book = load_workbook(io.BytesIO(content))
    assert len(book.sheetnames) == 7
    first = book[book.sheetnames[0]]
    assert first.cell(row=2, column=1).value == "I11"
    assert first.cell(row=2, column=2).value == "'=HYPERLINK()"  # escaped, not a formula
    assert first.cell(row=2, column=3).value == 30


def test_it_draws_tukeys_boxes():
    box, outside = statistics.box_statistics(np.array([1, 2, 3, 4, 5, 6, 7, 8, 100, np.nan]))
    assert box[1:4] == [3.0, 5.0, 7.0]
    assert box[0] == 1.0 and box[4] == 8.0 and outside == [100.0]
    assert statistics.box_statistics(np.array([np.nan])) is None

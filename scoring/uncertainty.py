"""How much a unit's total rank depends on the dimension weights (Monte Carlo).

The model's weights (20/20/20/15/15/10) are a choice; a rank that changes when they move a
little deserves less weight in a headline than one that does not. Each replication multiplies
every dimension's points by a factor drawn uniformly in ``[1 - spread, 1 + spread]``,
renormalises the perturbed points to the model's total (100), rescales each unit's dimension
points accordingly (``D_j * w'_j / w_j``), totals and ranks them (standard competition ranking
over the ranked units, as :func:`scoring.core.competition_ranks`). The result is, per unit,
the median and the 5th and 95th percentile of its total rank over the replications.

Decisions:

* A NaN dimension (the unit has no value in it) contributes 0, as in the core's total; a unit
  with every dimension NaN has no total, is not ranked and gets NaN — like an unranked unit.
* Percentiles are type-1 quantiles (``method="inverted_cdf"``): each is a rank that actually
  occurred in some replication, so they display as whole numbers (the median is the lower
  median when the replication count is even).
* The totals are computed by :func:`scoring.core.weighted_totals`, the core's own total, so a
  spread of 0 reproduces the core's ranks exactly (ties included): median = p05 = p95 = rank.
* Reproducible: the factors come from ``np.random.default_rng(seed)``, drawn in one block of
  replications × dimensions before any chunking, so chunk sizes do not change the result.

Vectorised across replications: a chunk of replications is totalled and ranked as one 2-D
array (one argsort per chunk); chunks keep the working set small (and in cache).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scoring.core import competition_ranks, weighted_totals

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Upper bound on replications × units handled at once (keeps the working set in cache).
CHUNK_CELLS = 65_536


@dataclass(frozen=True)
class RankUncertainty:
    """Per unit, for the total rank; NaN for a unit that is not ranked or has no total."""

    median: FloatArray
    p05: FloatArray
    p95: FloatArray


def perturbed_scales(points: FloatArray, factors: FloatArray) -> FloatArray:
    """Per replication and dimension, ``w'_j / w_j`` for the perturbed, renormalised points.

    ``w'_j = w_j f_j * W / Σ_k w_k f_k`` with ``W = Σ_k w_k``, so ``w'_j / w_j = f_j * W /
    Σ_k w_k f_k``. Both sums run in the same order, so factors of exactly 1 give scales of
    exactly 1 (and a spread of 0 reproduces the core's totals bit for bit).
    """
    model_total = 0.0
    perturbed_total = np.zeros(factors.shape[0])
    for j in range(points.shape[0]):
        model_total = model_total + float(points[j]) * 1.0
        perturbed_total = perturbed_total + points[j] * factors[:, j]
    scales: FloatArray = factors * (model_total / perturbed_total)[:, None]
    return scales


def rank_uncertainty(dimension_points: FloatArray, points: FloatArray, ranked: BoolArray, *,
                     replications: int = 1000, spread: float = 0.2, seed: int
                     ) -> RankUncertainty:
    """Median and 5th/95th percentile total rank per unit under perturbed dimension weights.

    ``dimension_points`` is units × dimensions as :func:`scoring.core.score` returns it,
    ``points`` the dimensions' points in the model, ``ranked`` one flag per unit.
    """
    data = np.asarray(dimension_points, dtype=np.float64)
    weights = np.asarray(points, dtype=np.float64)
    flags = np.asarray(ranked).astype(bool)
    if data.ndim != 2:
        raise ValueError(f"dimension_points must be units × dimensions, not {data.shape}")
    units, dimensions = data.shape
    if weights.shape != (dimensions,):
        raise ValueError(f"points must have one value per dimension ({dimensions})")
    if not (np.all(np.isfinite(weights)) and np.all(weights > 0)):
        raise ValueError("points must be positive and finite")
    if flags.shape != (units,):
        raise ValueError(f"ranked must have one flag per unit ({units})")
    if isinstance(replications, bool) or int(replications) != replications or replications < 1:
        raise ValueError("replications must be a positive whole number")
    if not (math.isfinite(spread) and 0.0 <= spread < 1.0):
        raise ValueError("spread must be in [0, 1)")

    rng = np.random.default_rng(seed)
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=(int(replications), dimensions))
    scales = perturbed_scales(weights, factors)

    rankable = flags & ~np.all(np.isnan(data), axis=1)
    result = np.full((3, units), np.nan)
    if units and rankable.any():
        ranks = np.empty((int(replications), units), dtype=np.int32)
        step = max(1, CHUNK_CELLS // units)
        for start in range(0, int(replications), step):
            stop = min(start + step, int(replications))
            totals = weighted_totals(data, scales[start:stop])
            ranks[start:stop] = competition_ranks(totals, flags, axis=1)
        quantiles = np.quantile(ranks[:, rankable], [0.5, 0.05, 0.95], axis=0,
                                method="inverted_cdf")
        result[:, rankable] = quantiles
    for row in result:
        row.setflags(write=False)
    return RankUncertainty(median=result[0], p05=result[1], p95=result[2])

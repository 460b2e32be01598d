"""What the public "set your own weights" page shows: a published run's dimension points per
ranked region, at full precision, for the page's script to re-weight (``scoring.studio``
states the arithmetic), and the table with the model's weights for the first view."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from common.i18n import localized
from scoring import studio
from scoring.models import ScoringRun
from scoring.selectors import round_half_up

#: The sliders run from 0 to 5 in steps of 0.5; a dimension's default is its points / 5.
SLIDER_MAX = 5.0
SLIDER_STEP = 0.5
DEFAULT_DIVISOR = 5.0


@dataclass(frozen=True)
class WeightRow:
    code: str
    label: str
    rank: int | None  # under the weights
    total: float
    total_shown: Decimal | None
    official_rank: int | None
    official_shown: Decimal | None
    official_interval: str = "—"  # the official rank's 90 % interval, "3–5"

    @property
    def change(self) -> int | None:
        """Official rank - this rank: > 0 moved up."""
        if self.rank is None or self.official_rank is None:
            return None
        return self.official_rank - self.rank


def weights_data(run: ScoringRun) -> dict[str, Any]:
    """The page's data block: the dimensions (code, name, points, default weight, the
    slider's top) and every ranked region that has a total (code, name, dimension points in
    the model's order — ``None`` where missing — official rank and total as shown)."""
    dimensions = list(run.model_version.dimensions.all())
    results = (run.results.select_related("region").filter(region__ranked=True)
               .defer("indicators").order_by("rank", "region__code"))
    regions = []
    for r in results:
        points = [r.dimensions.get(d.code, {}).get("points") for d in dimensions]
        if r.total is None or all(p is None for p in points):
            continue  # no total, no rank: nothing to re-weight
        regions.append({
            "code": r.region.code, "label": localized(r.region, "short_name"),
            "points": points, "rank": r.rank, "shown": str(round_half_up(r.total)),
            "interval": ("—" if r.rank_p05 is None or r.rank_p95 is None
                         else f"{r.rank_p05:.0f}–{r.rank_p95:.0f}"),
        })
    total_points = sum(float(d.points) for d in dimensions)
    return {
        "dimensions": [{
            "code": d.code, "name": localized(d, "name"), "points": float(d.points),
            "default": float(d.points) / DEFAULT_DIVISOR,
            "max": max(SLIDER_MAX, float(d.points) / DEFAULT_DIVISOR),
            "share": round(float(d.points) / total_points * 100, 1),
        } for d in dimensions],
        "regions": regions,
    }


def default_rows(data: dict[str, Any]) -> list[WeightRow]:
    """The table under the model's weights (the page's first view, and without script):
    the server's arithmetic (``scoring.studio.public_totals``), which gives the official
    totals and ranks."""
    regions = data["regions"]
    if not regions:
        return []
    points = [d["points"] for d in data["dimensions"]]
    weights = [d["default"] for d in data["dimensions"]]
    matrix = np.array([[np.nan if p is None else p for p in r["points"]] for r in regions],
                      dtype=np.float64)
    totals = studio.public_totals(matrix, points, weights)
    ranks = studio.core.competition_ranks(totals, np.ones(len(regions), dtype=bool))
    rows = [WeightRow(code=r["code"], label=r["label"], rank=int(rank) or None,
                      total=float(total), total_shown=round_half_up(float(total)),
                      official_rank=r["rank"], official_shown=Decimal(r["shown"]),
                      official_interval=r["interval"])
            for r, total, rank in zip(regions, totals.tolist(), ranks.tolist(), strict=True)]
    rows.sort(key=lambda row: (row.rank or 0, row.official_rank or 0, row.code))
    return rows

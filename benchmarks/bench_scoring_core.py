"""Benchmark of the pure scoring core.

Run from the project root:

    .venv/bin/python benchmarks/bench_scoring_core.py [--units 3000] [--runs 30]

It builds a synthetic model of 60 indicators in 6 dimensions (ratio formulas and single
elements; goalposts, ordinal, minmax and target normalisations) over 3,000 units, times
``scoring.core.score`` (formula evaluation included), the plain reference implementation on
the same data (fewer runs: it is slow on purpose), and ``rank_uncertainty`` with 1,000
replications for 31 and 3,000 units, then prints a Markdown table with the machine and date.
Timings are wall-clock (``time.perf_counter``): best and median of the runs, plus the best CPU
time of the process (``time.process_time``), which other load on a shared machine disturbs less.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _common import cpu_model

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring import core
from scoring.uncertainty import rank_uncertainty
from tests.scoring.reference import score_reference

DIMENSION_POINTS = (20.0, 20.0, 20.0, 15.0, 15.0, 10.0)
PER_DIMENSION = 10


def synthetic_model() -> core.ModelSpec:
    """60 indicators, 10 per dimension: even slots are ratios of an element to one of three
    denominators, odd slots are an element as is; normalisations rotate through all kinds."""
    denominators = ("P01", "P02", "P03")
    elements = list(denominators)
    indicators = []
    for j in range(len(DIMENSION_POINTS)):
        for k in range(PER_DIMENSION):
            code = f"E{j + 1}{k:02d}"
            elements.append(code)
            kind = ("goalposts", "goalposts", "ordinal", "minmax", "target")[k % 5]
            formula = f"{code} / {denominators[k % 3]} * 100" if k % 2 == 0 else code
            if kind == "ordinal":
                formula = code
            indicators.append(core.IndicatorSpec(
                code=f"I{j + 1}{k:02d}", dimension=f"D{j + 1}", formula=formula,
                direction=-1 if k in (1, 8) else 1, normalisation=kind,
                lower=0.0, upper=100.0 if k % 2 == 0 else 50.0, max_level=3.0,
                target=80.0, weight=1.0 if k % 3 else 2.0,
            ))
    return core.ModelSpec(
        elements=tuple(elements),
        dimensions=tuple(core.DimensionSpec(f"D{j + 1}", p)
                         for j, p in enumerate(DIMENSION_POINTS)),
        indicators=tuple(indicators),
        tiers=(core.Tier(65.0, "leading"), core.Tier(50.0, "middle"), core.Tier(0.0, "rest")),
    )


def synthetic_values(spec: core.ModelSpec, units: int, seed: int = 2017) -> np.ndarray:
    """Positive denominators, numerators up to about the denominator, ordinal levels 0..3,
    and 2 % of the values missing."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 110.0, size=(units, len(spec.elements)))
    values[:, :3] = rng.uniform(100.0, 10_000.0, size=(units, 3))
    ordinal = [spec.elements.index(i.formula) for i in spec.indicators
               if i.normalisation == "ordinal"]
    values[:, ordinal] = rng.integers(0, 4, size=(units, len(ordinal)))
    values[:, 3:][rng.random((units, len(spec.elements) - 3)) < 0.02] = np.nan
    return values


def timed(function: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Best and median wall-clock seconds of ``runs`` calls (after one warm-up call), and the
    best CPU seconds of the process — which a busy shared machine disturbs less."""
    function()
    samples, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(samples), statistics.median(samples), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reference-runs", type=int, default=2)
    parser.add_argument("--replications", type=int, default=1000)
    args = parser.parse_args()

    load = os.getloadavg()
    spec = synthetic_model()
    model = core.compile_model(spec)
    values = synthetic_values(spec, args.units)
    ranked = np.ones(args.units, dtype=bool)
    ranked[-1] = False  # one scored-but-unranked unit, as in production

    fast = core.score(model, values, ranked)
    slow = score_reference(spec, values, ranked)
    same = all(
        np.array_equal(getattr(fast, name), getattr(slow, name), equal_nan=True)
        for name in ("indicator_scores", "dimension_points", "totals", "total_ranks")
    )

    rows: list[tuple[str, str, float, float, float]] = []
    best, median, cpu = timed(lambda: core.compile_model(spec), args.runs)
    rows.append(("compile_model", "60 indicators", best, median, cpu))
    best, median, cpu = timed(lambda: core.score(model, values, ranked), args.runs)
    rows.append(("score (vectorised core)", f"{args.units} × 60", best, median, cpu))
    core_best = best
    best, median, cpu = timed(lambda: score_reference(spec, values, ranked), args.reference_runs)
    rows.append(("score_reference (plain loops)", f"{args.units} × 60", best, median, cpu))
    reference_best = best
    for units in (31, args.units):
        points = fast.dimension_points[:units]
        flags = ranked[:units]

        def uncertainty(points: np.ndarray = points, flags: np.ndarray = flags) -> object:
            return rank_uncertainty(points, model.points, flags,
                                    replications=args.replications, seed=1)

        best, median, cpu = timed(uncertainty, max(3, args.runs // 5))
        rows.append(("rank_uncertainty", f"{units} units × {args.replications} reps",
                     best, median, cpu))

    print("# Scoring core benchmark\n")
    print(f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"- machine: {platform.platform()}; CPU: {cpu_model()}")
    print(f"- Python {platform.python_version()}, NumPy {np.__version__}; "
          f"load average before the run: {load[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"- model: {len(spec.indicators)} indicators in {len(spec.dimensions)} dimensions, "
          f"{len(spec.elements)} elements; {args.units} units, 2 % missing")
    print(f"- core and reference agree bit for bit: {same}\n")
    print("| what | size | best (ms) | median (ms) | best CPU (ms) |")
    print("|---|---|---:|---:|---:|")
    for what, size, best, median, cpu in rows:
        print(f"| {what} | {size} | {best * 1e3:.1f} | {median * 1e3:.1f} | {cpu * 1e3:.1f} |")
    print(f"\nSpeed-up of the core over the reference (best): {reference_best / core_best:,.0f}×")


if __name__ == "__main__":
    main()

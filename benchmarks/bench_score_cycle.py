"""Benchmark of scoring a whole cycle through the database: ``scoring.services.run_create``.

Run from the project root (PostgreSQL running; the database is dropped and created afresh):

    .venv/bin/python benchmarks/bench_score_cycle.py \
        [postgres://postgres@127.0.0.1:5432/ifdi_bench_score] [--units 3000] [--runs 3] \
        [--replications 1000] [--profile] [--append docs/benchmarks.md]

It builds a synthetic model version (60 elements, 60 indicators in 6 dimensions, each
indicator one element — a few of them ratios — goalposts 0..100), imported as a JSON document
through ``indicators.services.model_import``; 3,000 synthetic reporting units (``Region`` rows
``7xxxxx``, ranked); a cycle bound to the model; the approved data loaded with
``submissions.bulk.bulk_import(..., approve=True)`` from one bulk CSV of 180,000 rows (timed
once); then times ``run_create`` end to end — reading the approved values, scoring, rank
uncertainty with 1,000 replications, writing the run and its 3,000 results — best of 3, each a
new run of the cycle. The parts of a run are timed separately as well. ``--profile`` prints the
cProfile of one more run. The result is a Markdown section, printed, and appended to the file
given with ``--append``.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime
import io
import os
import platform
import pstats
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import cpu_model, memory_gib, recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ifdi_bench_score"
DIMENSION_POINTS = (20, 20, 20, 15, 15, 10)
PER_DIMENSION = 10
YEAR = 2030
TARGET_SECONDS = 5.0


# --- database and Django ---------------------------------------------------------------------


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-any-server")
    os.environ.setdefault("DATA_DIR", "/tmp/ifdi-bench-score")
    import django

    django.setup()


# --- synthetic data --------------------------------------------------------------------------


def model_document(year: int) -> dict[str, Any]:
    """60 elements X01..X60 and one indicator per element, 10 per dimension. The first
    indicator of each dimension after the first is a ratio of its element to X01 (a
    "population"), the others are an element as is; all goalposts 0..100, some lower is
    better."""
    elements, indicators = [], []
    for j in range(len(DIMENSION_POINTS)):
        for k in range(PER_DIMENSION):
            n = j * PER_DIMENSION + k + 1
            code = f"X{n:02d}"
            elements.append({
                "code": code, "name_zh": f"合成数据项{n:02d}", "name_en": f"Element {n:02d}",
                "unit": "", "kind": "number", "min": 0, "max": None,
                "aggregation": "sum" if k % 2 else "none",
            })
            ratio = k == 0 and j > 0
            indicators.append({
                "code": f"I{n:02d}", "dimension": f"D{j + 1}",
                "name_zh": f"合成指标{n:02d}", "name_en": f"Indicator {n:02d}",
                "formula": f"{code} / X01 * 100" if ratio else code,
                "unit": "%" if ratio else "分", "direction": "-" if k == 7 else "+",
                "normalisation": {"kind": "goalposts", "lower": 0, "upper": 100},
                "weight": 2 if k == 1 else 1,
            })
    return {
        "version": f"bench{year}", "year": year,
        "title_zh": "基准测试用合成指标体系", "title_en": "Synthetic benchmark model",
        "dimensions": [{"code": f"D{j + 1}", "name_zh": f"维度{j + 1}",
                        "name_en": f"Dimension {j + 1}", "points": p}
                       for j, p in enumerate(DIMENSION_POINTS)],
        "elements": elements, "indicators": indicators, "rules": [],
        "tiers": [{"code": "leading", "min_total": 65, "label_zh": "位于全国前列"}],
    }


def bulk_file(codes: list[str], element_codes: list[str], seed: int = 2017) -> bytes:
    """One row per value; X01 in 50..100 (a denominator), the others in 0..100."""
    import numpy as np

    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 100.0, size=(len(codes), len(element_codes)))
    values[:, 0] = rng.uniform(50.0, 100.0, size=len(codes))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["region_code", "element_code", "value", "note"])
    for i, region in enumerate(codes):
        for j, element in enumerate(element_codes):
            writer.writerow([region, element, f"{values[i, j]:.2f}", ""])
    return buffer.getvalue().encode("utf-8")


def create_units(units: int) -> list[str]:
    from indicators.models import Region

    regions = [Region(code=f"{700000 + i}", name_zh=f"合成单位{i:04d}",
                      short_name_zh=f"合成{i:04d}", name_en=f"Synthetic unit {i:04d}",
                      macro_region=Region.MacroRegion.EAST, ranked=True, order=100 + i)
               for i in range(units)]
    Region.objects.bulk_create(regions, batch_size=1000)
    return [r.code for r in regions]


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Timing:
    wall: list[float]  # seconds, wall clock (time.perf_counter)
    cpu: list[float]  # seconds of this process's CPU (time.process_time); the database's not


def timed(function: Callable[[], Any], runs: int) -> tuple[Timing, Any]:
    timing, result = Timing([], []), None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        timing.wall.append(time.perf_counter() - start)
        timing.cpu.append(time.process_time() - start_cpu)
    return timing, result


def database_name(connection: Any) -> str:
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)
        return f"PostgreSQL {major}.{minor}"
    return connection.vendor


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", nargs="?", default=DEFAULT_URL,
                        help=f"a database it may drop and create (default {DEFAULT_URL})")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="cProfile one more run")
    parser.add_argument("--append", type=Path, help="append the Markdown section to this file")
    return parser.parse_args()


@dataclass
class Setup:
    cycle: Any
    version: Any
    actor: Any
    codes: list[str]
    element_codes: list[str]
    load: Timing


def load_cycle(args: argparse.Namespace) -> Setup:
    """The model, the units, the cycle and its approved values (the bulk load timed once)."""
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.selectors import operator_user
    from indicators.model_io import parse_model_document
    from indicators.services import model_import
    from submissions.bulk import bulk_import
    from submissions.models import Cycle, Submission
    from submissions.services.cycles import cycle_create

    call_command("migrate", verbosity=0)
    actor = operator_user()
    version, _ = model_import(document=parse_model_document(model_document(YEAR)), actor=actor)
    codes = create_units(args.units)
    cycle = cycle_create(year=YEAR, model_version=version, opens_on=timezone.localdate(),
                         deadline=datetime.date(YEAR + 1, 3, 31), actor=actor)
    element_codes = list(version.elements.values_list("code", flat=True))
    content = bulk_file(codes, element_codes)
    load, result = timed(lambda: bulk_import(content=content, filename="bench.csv", year=YEAR,
                                             actor=actor, approve=True), 1)
    if not result.ok:
        raise SystemExit(f"the bulk load failed: {result.errors[:5]}")
    approved = Submission.objects.filter(cycle=cycle, state=Submission.State.APPROVED).count()
    assert approved == args.units, approved
    return Setup(Cycle.objects.get(pk=cycle.pk), version, actor, codes, element_codes, load)


def time_parts(args: argparse.Namespace, setup: Setup) -> dict[str, Timing]:
    """The parts of a run, each on its own."""
    import numpy as np

    from scoring import core, selectors
    from scoring.uncertainty import rank_uncertainty

    spec = selectors.model_spec(setup.version)
    read, inputs = timed(lambda: selectors.approved_inputs(setup.cycle,
                                                           tuple(setup.element_codes)),
                         args.runs)
    compiled = core.compile_model(spec)
    scoring, scored = timed(lambda: core.score(compiled, inputs.values, inputs.ranked),
                            args.runs)
    points = np.array([d.points for d in spec.dimensions])
    uncertainty, _ = timed(
        lambda: rank_uncertainty(scored.dimension_points, points, inputs.ranked,
                                 replications=args.replications, spread=0.2, seed=1),
        args.runs)
    return {"read": read, "score": scoring, "uncertainty": uncertainty}


def plain_result_hash(rows: list[dict[str, Any]], documents: list[dict[str, str]]) -> str:
    """The result hash without reusing the serialised documents: the whole list serialised
    again (what ``scoring.services.result_hash`` saves; the same digest)."""
    import hashlib

    from common.canonical import canonical_bytes

    return hashlib.sha256(canonical_bytes(
        [{k: v for k, v in row.items() if k != "region"} | {"region": row["region"].code}
         for row in rows])).hexdigest()


def time_runs(args: argparse.Namespace, setup: Setup) -> dict[str, Timing]:
    """``run_create`` end to end, in rounds: as it is, then with the plain result hash."""
    from scoring import services
    from scoring.models import UnitResult

    def create() -> Any:
        return services.run_create(cycle=setup.cycle, actor=setup.actor,
                                   replications=args.replications)

    whole, plain = Timing([], []), Timing([], [])
    pre_serialised = services.result_hash
    for _ in range(args.runs):
        for timing, hash_function in ((whole, pre_serialised), (plain, plain_result_hash)):
            services.result_hash = hash_function  # type: ignore[assignment]
            try:
                once, run = timed(create, 1)
            finally:
                services.result_hash = pre_serialised
            timing.wall += once.wall
            timing.cpu += once.cpu
            assert UnitResult.objects.filter(run=run).count() == args.units
    return {"whole": whole, "plain": plain}


def profile_run(args: argparse.Namespace, setup: Setup) -> str:
    from scoring.services import run_create

    profiler = cProfile.Profile()
    profiler.enable()
    run_create(cycle=setup.cycle, actor=setup.actor, replications=args.replications)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    return out.getvalue()


def report(args: argparse.Namespace, setup: Setup, timings: dict[str, Timing],
           loads: tuple[float, float], started: float) -> str:
    import numpy as np
    from django.conf import settings
    from django.db import connection

    best = min(timings["whole"].wall)
    command = " ".join(["benchmarks/bench_score_cycle.py",
                        *(shlex.quote(a) for a in sys.argv[1:] if a != "--append"
                          and not a.endswith("benchmarks.md"))])
    values = len(setup.codes) * len(setup.element_codes)
    lines = [
        "## Scoring a cycle",
        "",
        f"`.venv/bin/python {command}`"
        + ("" if args.database_url != DEFAULT_URL else f" (database {DEFAULT_URL})"),
        "",
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, {memory_gib()} RAM; "
        f"{platform.platform()}; load average {loads[0]:.1f} before the timed runs, "
        f"{loads[1]:.1f} after (other processes share the machine)",
        f"- Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{database_name(connection)} on the same machine; DEBUG={settings.DEBUG}",
        f"- data: a synthetic model of {len(setup.element_codes)} elements and 60 indicators "
        f"in {len(DIMENSION_POINTS)} dimensions; {args.units} ranked units; {values:,} "
        f"approved values; rank uncertainty with {args.replications} replications",
        f"- target: `run_create` under {TARGET_SECONDS:.0f} s (best wall clock) — "
        f"{'met' if best < TARGET_SECONDS else 'MISSED'}",
        "",
        "| what | best (s) | median (s) | CPU of this process, best (s) | runs |",
        "|---|---:|---:|---:|---:|",
    ]
    for what, timing in (
        (f"bulk load: `bulk_import(..., approve=True)`, {values:,} rows", setup.load),
        ("read: `selectors.approved_inputs`", timings["read"]),
        ("score: `core.score`", timings["score"]),
        (f"uncertainty: `rank_uncertainty`, {args.replications} replications",
         timings["uncertainty"]),
        ("**`run_create` end to end** (read + score + uncertainty + write)", timings["whole"]),
        ("`run_create`, the result hash serialising the rows again (`plain_result_hash`)",
         timings["plain"]),
    ):
        lines.append(f"| {what} | {min(timing.wall):.2f} | {statistics.median(timing.wall):.2f}"
                     f" | {min(timing.cpu):.2f} | {len(timing.wall)} |")
    lines += ["", f"Whole benchmark, setup included: {time.perf_counter() - started:.0f} s.",
              ""]
    return "\n".join(lines)


def main() -> None:
    args = arguments()
    started = time.perf_counter()
    recreate_database(args.database_url)
    setup_django(args.database_url)
    setup = load_cycle(args)
    load_before = os.getloadavg()[0]
    timings = time_parts(args, setup) | time_runs(args, setup)
    section = report(args, setup, timings, (load_before, os.getloadavg()[0]), started)
    print(section)
    if args.profile:
        print("```\n" + profile_run(args, setup) + "```")
    if args.append:
        with args.append.open("a", encoding="utf-8") as handle:
            handle.write(("\n" if args.append.exists() and args.append.stat().st_size else "")
                         + section)


if __name__ == "__main__":
    main()

"""Benchmark of the intake path: a county-level bulk file parsed, validated and stored.

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres, trust):

    .venv/bin/python benchmarks/bench_intake.py [--units 3000 --elements 60]

It drops and creates the database ``ifdi_bench_intake`` (``--database-url`` for another one),
migrates it, runs ``bootstrap``, imports a synthetic model version "BENCH60" (60 elements,
cross-element rules, 60 indicators in 6 dimensions) through ``model_import``, creates 3,000
synthetic reporting units and one cycle per measured run, and writes the bulk file
(region_code, element_code, value, note: 180,000 values) as UTF-8 CSV and as xlsx.

Then it measures, each ``bulk_import`` in a fresh subprocess (so that ``ru_maxrss`` is the peak
of that import alone, C extensions included):

* ``submissions.bulk.bulk_import`` of the CSV and of the xlsx, end to end (read, parse, rules,
  one transaction of COPY/batched inserts, commit), ``--runs`` times each, with ``approve``;
  every run stores a full new version per unit in a new cycle (a new year);
* a stock django-import-export ``ModelResource.import_data`` of a sample (``--stock-sample``,
  10 % of the units) of the same rows into ``submissions.Value``, with default settings and
  with ``use_bulk=True``;
* a raw COPY of the same rows into a scratch table without indexes, for reference.

It prints a Markdown table (and, unless ``--no-docs``, writes it as the section
"Intake (bulk load)" of docs/benchmarks.md, replacing that section if present). ``--profile
csv`` (or ``xlsx``) instead runs one import under cProfile and prints the top entries.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import cpu_model, memory_gib, os_name, recreate_database, write_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ifdi_bench_intake"
MODEL_CODE = "BENCH60"
FIRST_YEAR = 2030
STOCK_YEAR = 2090
REGION_CODE_BASE = 700000
DIMENSION_POINTS = (20, 20, 20, 15, 15, 10)
SECTION_TITLE = "## Intake (bulk load)"


# --- environment -------------------------------------------------------------------------------


def configure_environment(data_dir: str, database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "1"
    os.environ["DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = database_url


def django_setup() -> None:
    import django

    django.setup()


# --- the synthetic model and data -------------------------------------------------------------


def element_category(index: int) -> str:
    """E001 is the base population; the others rotate through count, amount and percent."""
    if index == 0:
        return "base"
    return ("count", "amount", "percent")[(index - 1) % 3]


def model_document(n_elements: int, year: int) -> dict[str, Any]:
    elements = []
    for i in range(n_elements):
        code = f"E{i + 1:03d}"
        category = element_category(i)
        if category == "base":
            element = {"name_zh": "常住人口", "name_en": "Resident population", "unit": "人",
                       "kind": "integer", "min": 0, "min_exclusive": True}
        elif category == "count":
            element = {"name_zh": f"计数项{i + 1}", "name_en": f"Count {i + 1}", "unit": "人",
                       "kind": "integer", "min": 0}
        elif category == "amount":
            element = {"name_zh": f"金额项{i + 1}", "name_en": f"Amount {i + 1}", "unit": "万元",
                       "kind": "number", "min": 0}
        else:
            element = {"name_zh": f"比率项{i + 1}", "name_en": f"Rate {i + 1}", "unit": "%",
                       "kind": "number", "min": 0, "max": 100}
        elements.append({"code": code, "aggregation": "sum" if category != "percent" else "none",
                         "yoy_threshold": 0.3, **element})
    indicators = []
    per_dimension = -(-n_elements // len(DIMENSION_POINTS))
    for j in range(n_elements):
        element_index = j + 1 if j + 1 < n_elements else None
        if element_index is None:
            formula, upper = "(E004 + E002 / E001 * 100) / 2", 100
            formula = formula if n_elements > 4 else "E001"
        else:
            code = f"E{element_index + 1:03d}"
            category = element_category(element_index)
            if category == "count":
                formula, upper = f"{code} / E001 * 100", 100
            elif category == "amount":
                formula, upper = f"{code} / E001 * 10000", 2000
            else:
                formula, upper = code, 100
        indicators.append({
            "code": f"I{j + 1:03d}", "dimension": f"D{min(j // per_dimension, 5) + 1}",
            "name_zh": f"指标{j + 1}", "name_en": f"Indicator {j + 1}", "formula": formula,
            "unit": "", "direction": "+", "weight": 1,
            "normalisation": {"kind": "goalposts", "lower": 0, "upper": upper},
        })
    counts = [f"E{i + 1:03d}" for i in range(1, n_elements) if element_category(i) == "count"]
    rules = [{"code": f"{c}_LE_E001", "expression": f"{c} <= E001", "severity": "error",
              "message_zh": f"{c} 不能大于常住人口（E001）",
              "message_en": f"{c} cannot exceed the resident population (E001)"}
             for c in counts[:5]]
    percents = [f"E{i + 1:03d}" for i in range(1, n_elements) if element_category(i) == "percent"]
    if len(percents) >= 2:
        rules.append({"code": "RATES_SUM", "expression": f"{percents[0]} + {percents[1]} <= 200",
                      "severity": "warning", "message_zh": "两项比率之和不应超过 200",
                      "message_en": "The two rates should not add up to more than 200"})
    return {
        "version": MODEL_CODE, "year": year, "title_zh": "基准测试模型（60 项）",
        "title_en": "Benchmark model (60 elements)",
        "dimensions": [{"code": f"D{j + 1}", "name_zh": f"维度{j + 1}",
                        "name_en": f"Dimension {j + 1}", "points": p}
                       for j, p in enumerate(DIMENSION_POINTS)],
        "elements": elements, "indicators": indicators, "rules": rules,
        "tiers": [{"code": "leading", "min_total": 65, "label_zh": "位于前列",
                   "label_en": "Leading"},
                  {"code": "rest", "min_total": 0, "label_zh": "其他", "label_en": "Others"}],
    }


def region_codes(units: int) -> list[str]:
    return [str(REGION_CODE_BASE + i + 1) for i in range(units)]


def unit_values(units: int, n_elements: int, seed: int = 2030) -> tuple[list[list[Any]],
                                                                      dict[tuple[int, int], str]]:
    """Per unit, per element: an int (counts, population) or a float (amounts, percents);
    plus the notes by (unit, element). 0.5 % of the units carry an outlying rate, half of
    them with a note explaining it; 1 % of the other values carry a note."""
    import numpy as np

    rng = np.random.default_rng(seed)
    population = np.round(rng.lognormal(np.log(400_000), 0.6, units)).astype(int) + 1000
    values: list[list[Any]] = []
    notes: dict[tuple[int, int], str] = {}
    for u in range(units):
        pop = int(population[u])
        row: list[Any] = []
        for i in range(n_elements):
            category = element_category(i)
            if category == "base":
                row.append(pop)
            elif category == "count":
                row.append(round(pop * float(np.clip(rng.normal(0.6, 0.05), 0.3, 0.95))))
            elif category == "amount":
                row.append(round(pop * float(rng.normal(0.8, 0.08)) / 10, 1))
            else:
                row.append(round(float(np.clip(rng.normal(60, 5), 0, 100)), 2))
        values.append(row)
    percent_columns = [i for i in range(n_elements) if element_category(i) == "percent"]
    if percent_columns:
        for k, u in enumerate(rng.choice(units, size=max(1, units // 200), replace=False)):
            i = int(rng.choice(percent_columns))
            values[int(u)][i] = round(float(rng.uniform(1, 5)), 2)
            if k % 2 == 0:
                notes[(int(u), i)] = "受统计口径调整影响，已核实"
    for u, i in zip(rng.integers(0, units, units * n_elements // 100),
                    rng.integers(0, n_elements, units * n_elements // 100), strict=True):
        notes.setdefault((int(u), int(i)), "含新设开发区数据")
    return values, notes


def value_text(value: Any, grouped: bool) -> str:
    """As a spreadsheet saves the cell to CSV: shortest form, thousands groups when the cell
    was formatted with them."""
    if isinstance(value, int):
        return f"{value:,}" if grouped else str(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text


def bulk_rows(units: int, n_elements: int) -> list[tuple[str, str, Any, str]]:
    values, notes = unit_values(units, n_elements)
    codes = region_codes(units)
    elements = [f"E{i + 1:03d}" for i in range(n_elements)]
    return [(codes[u], elements[i], values[u][i], notes.get((u, i), ""))
            for u in range(units) for i in range(n_elements)]


def csv_bytes(rows: list[tuple[str, str, Any, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("region_code", "element_code", "value", "note"))
    for n, (region, element, value, note) in enumerate(rows):
        # 2 % of the counts were formatted with thousands separators (Excel quotes them).
        writer.writerow((region, element, value_text(value, grouped=n % 50 == 7), note))
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[tuple[str, str, Any, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    sheet.append(("region_code", "element_code", "value", "note"))
    for region, element, value, note in rows:
        # Codes typed into a General cell are numbers; values are numbers; notes are text.
        sheet.append((int(region), element, value, note or None))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- setup in the parent ----------------------------------------------------------------------


def setup_database(args: argparse.Namespace, years: list[int]) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.selectors import operator_user
    from indicators.model_io import parse_model_document
    from indicators.models import Region
    from indicators.services import model_import
    from submissions.services.cycles import cycle_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("bootstrap", stdout=io.StringIO())
    actor = operator_user()
    with transaction.atomic():
        model, _ = model_import(document=parse_model_document(
            model_document(args.elements, FIRST_YEAR)), actor=actor)
    macro = [choice for choice, _label in Region.MacroRegion.choices]
    Region.objects.bulk_create([
        Region(code=code, name_zh=f"基准测试县{i + 1:05d}", short_name_zh=f"测试县{i + 1:05d}",
               name_en=f"Bench County {i + 1:05d}", macro_region=macro[i % len(macro)],
               order=1000 + i % 30000)
        for i, code in enumerate(region_codes(args.units))
    ], batch_size=1000)
    for year in [*years, STOCK_YEAR]:
        cycle_create(year=year, model_version=model, opens_on=timezone.localdate(),
                     deadline=datetime.date(year + 1, 3, 31), actor=actor)
    return {"model_id": model.pk, "seconds": time.perf_counter() - started}


# --- one import in a child process ------------------------------------------------------------


def _phase_timers() -> dict[str, float]:
    """Wrap the stages of bulk_import (those that exist) to time them; a few thousand calls."""
    from django.db import transaction

    from submissions import bulk, rules

    totals: dict[str, float] = {}

    def wrap(owner: Any, name: str, label: str) -> None:
        function = getattr(owner, name, None)
        if function is None:
            return

        totals.setdefault(label, 0.0)  # the report lists the stages in this order

        def timed(*a: Any, **k: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                totals[label] = totals.get(label, 0.0) + time.perf_counter() - start

        setattr(owner, name, timed)

    from submissions import value_writer

    wrap(bulk, "read_table", "read_table (readers)")
    wrap(bulk, "_group_rows", "group rows by region")
    wrap(bulk, "_load", "load: versions made, rows parsed and checked, values COPYed meanwhile")
    wrap(bulk, "approved_values_by_region", "  read last cycle's approved values")
    wrap(bulk, "current_values_by_region", "  read the cycle's other values (outlier peers)")
    wrap(bulk, "_submissions_locked", "  submissions created and locked")
    wrap(bulk, "_versions_create", "  versions created")
    wrap(rules, "parse_rows", "  parse_rows (values.parse_value inside)")
    wrap(rules, "check_cells", "  rules: check_cells (in the loop)")
    wrap(rules, "check_year_over_year", "  rules: year over year (in the loop)")
    wrap(bulk, "_check_outliers", "  rules: outliers (after the loop)")
    wrap(value_writer._CopyWriter, "close", "  waiting for the COPY thread to finish")
    wrap(bulk, "_store_units", "store: warnings, states, audit")
    wrap(bulk, "issues_insert_many", "  issues insert")
    wrap(bulk, "_bulk_transitions", "  transitions and audit entries made")
    wrap(bulk, "_submissions_update", "  submissions updated")
    wrap(bulk, "log_actions", "  audit log written")
    wrap(bulk, "file_write", "file bytes written")

    class TimedAtomic:
        """``transaction`` as bulk.py sees it, timing the commit (the exit of atomic())."""

        def __getattr__(self, name: str) -> Any:
            return getattr(transaction, name)

        @contextlib.contextmanager
        def atomic(self, *a: Any, **k: Any) -> Any:
            block = transaction.atomic(*a, **k)
            block.__enter__()
            try:
                yield
            except BaseException:
                if not block.__exit__(*sys.exc_info()):
                    raise
            else:
                start = time.perf_counter()
                block.__exit__(None, None, None)
                totals["commit"] = totals.get("commit", 0.0) + time.perf_counter() - start

    totals["commit"] = 0.0
    bulk.transaction = TimedAtomic()  # type: ignore[assignment]
    return totals


def child_import(path: str, year: int, profile: bool) -> dict[str, Any]:
    import gc
    import resource

    django_setup()
    from django.db import connection

    import readers  # noqa: F401  (imported by a running server already)
    from accounts.selectors import operator_user
    from submissions.bulk import bulk_import
    from submissions.models import Value

    phases = {} if profile else _phase_timers()
    actor = operator_user()
    content = Path(path).read_bytes()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    gc.collect()
    load = os.getloadavg()[0]
    server_cpu_start = _process_cpu(backend)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = bulk_import(content=content, filename=Path(path).name, year=year, actor=actor,
                         approve=True)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    server_cpu = _process_cpu(backend) - server_cpu_start
    if profiler is not None:
        profiler.disable()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if not result.ok:
        raise SystemExit(f"bulk_import refused the file: {result.errors[:5]}")
    stored = Value.objects.filter(version__submission__cycle__year=year).count()
    out = {"load": load, "seconds": seconds, "cpu": cpu, "server_cpu": server_cpu,
           "peak_kb": peak, "before_kb": rss_before, "rows": result.rows,
           "versions": len(result.versions), "warnings": len(result.warnings),
           "stored": stored, "phases": phases}
    if profiler is not None:
        import pstats

        for order in ("cumulative", "tottime"):
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).sort_stats(order).print_stats(35)
            out[f"profile_{order}"] = stream.getvalue()
    return out


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process on this machine (the PostgreSQL backend serving
    the import), from /proc; NaN where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def run_child(path: Path, year: int, *, profile: bool = False) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child-import", str(path), "--year", str(year)]
        + (["--child-profile"] if profile else []),
        capture_output=True, text=True, env=os.environ.copy(), cwd=ROOT,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"the import of {path.name} for {year} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- stock django-import-export and raw COPY --------------------------------------------------


def stock_imports(rows: list[tuple[str, str, Any, str]], sample_units: int, n_elements: int
                  ) -> dict[str, dict[str, float]]:
    import tablib
    from import_export import resources

    from accounts.selectors import operator_user
    from indicators.models import DataElement
    from submissions.models import Submission, Value, Version

    class ValueResource(resources.ModelResource):
        class Meta:
            model = Value
            # "id" is the default import id field; the file has no id column, so every row
            # is a new record (the library looks the column up and finds none).
            fields = ("id", "version", "element", "value", "raw", "note")

    class BulkValueResource(resources.ModelResource):
        class Meta:
            model = Value
            # "id" is the default import id field; the file has no id column, so every row
            # is a new record (the library looks the column up and finds none).
            fields = ("id", "version", "element", "value", "raw", "note")
            use_bulk = True

    actor = operator_user()
    elements = dict(DataElement.objects.filter(version__code=MODEL_CODE)
                    .values_list("code", "pk"))
    sample_codes = region_codes(sample_units)
    submissions = {s.region.code: s for s in Submission.objects.filter(
        cycle__year=STOCK_YEAR, region__code__in=sample_codes).select_related("region")}
    sample = rows[: sample_units * n_elements]
    results = {}
    resource_classes: tuple[tuple[str, type[resources.ModelResource]], ...] = (
        ("default", ValueResource), ("use_bulk", BulkValueResource))
    for number, (label, resource_class) in enumerate(resource_classes, 1):
        versions = Version.objects.bulk_create([
            Version(submission=submissions[code], number=number, source=Version.Source.BULK,
                    created_by=actor) for code in sample_codes])
        by_region = {v.submission.region.code: v.pk for v in versions}
        dataset = tablib.Dataset(headers=["version", "element", "value", "raw", "note"])
        for region, element, value, note in sample:
            text = value_text(value, grouped=False)
            dataset.append((by_region[region], elements[element], text, text, note))
        start = time.perf_counter()
        outcome = resource_class().import_data(dataset, dry_run=False)
        seconds = time.perf_counter() - start
        if outcome.has_errors() or outcome.has_validation_errors():
            first = (outcome.base_errors[:1] or [e for r in outcome.rows for e in r.errors][:1]
                     or outcome.invalid_rows[:1])
            raise SystemExit(f"the stock import ({label}) reported errors: {first!r} "
                             f"{getattr(first[0], 'traceback', '') if first else ''}")
        stored = Value.objects.filter(version__in=versions).count()
        if stored != len(sample):
            raise SystemExit(f"the stock import ({label}) stored {stored} of {len(sample)} rows")
        results[label] = {"rows": len(sample), "seconds": seconds}
    return results


def raw_copy(rows: list[tuple[str, str, Any, str]], n_elements: int, year: int
             ) -> dict[str, dict[str, float]]:
    """The same rows, as the tuples a loader writes (the version and element ids of the
    values stored for ``year``), COPYed in one transaction into a scratch table without
    indexes or constraints (the reference of the issue), and into one with the columns,
    indexes and deferred foreign key of ``submissions_value`` (what any load into that
    table pays on the server: index maintenance, and at COMMIT one trigger query per row for
    the foreign key)."""
    from decimal import Decimal

    from django.db import connection, transaction

    from indicators.models import DataElement
    from submissions.models import Version

    elements = dict(DataElement.objects.filter(version__code=MODEL_CODE)
                    .values_list("code", "pk"))
    versions = dict(Version.objects.filter(submission__cycle__year=year)
                    .values_list("submission__region__code", "pk"))
    tuples = []
    for n, (region, element, value, note) in enumerate(rows):
        text = value_text(value, grouped=False)
        tuples.append((versions[region], elements[element], Decimal(text), text, note, "",
                       n + 2, "C"))
    columns = 'version_id, element_id, value, raw, note, sheet, "row", "column"'
    tables = {
        "plain": "CREATE TABLE bench_copy (version_id bigint, element_id bigint, "
                 'value numeric(22, 6), raw varchar(200), note text, sheet varchar(100), '
                 '"row" integer, "column" varchar(5))',
        "like_value": "CREATE TABLE bench_copy (LIKE submissions_value INCLUDING ALL); "
                      "ALTER TABLE bench_copy ADD FOREIGN KEY (version_id) REFERENCES "
                      "submissions_version (id) DEFERRABLE INITIALLY DEFERRED",
    }
    results = {}
    for label, ddl in tables.items():
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy")
            for statement in ddl.split("; "):
                cursor.execute(statement)
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        server_start = _process_cpu(backend)
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor, cursor.copy(
                f"COPY bench_copy ({columns}) FROM STDIN") as copy:
            for row in tuples:
                copy.write_row(row)
        seconds = time.perf_counter() - start
        server_cpu = _process_cpu(backend) - server_start
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM bench_copy")
            assert cursor.fetchone()[0] == len(rows)
            cursor.execute("DROP TABLE bench_copy")
        results[label] = {"rows": len(rows), "seconds": seconds, "server_cpu": server_cpu}
    return results


# --- report -----------------------------------------------------------------------------------


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def command_line(args: argparse.Namespace) -> str:
    extra = "".join(f" --{name.replace('_', '-')} {getattr(args, name)}"
                    for name, default in (("runs", 3), ("stock_sample", 0.1))
                    if getattr(args, name) != default)
    return (f".venv/bin/python benchmarks/bench_intake.py --units {args.units} "
            f"--elements {args.elements}{extra}")


def report(args: argparse.Namespace, results: dict[str, Any], sizes: dict[str, int]) -> str:
    def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return min(runs, key=lambda r: r["seconds"])

    values = args.units * args.elements
    csv_runs, xlsx_runs = results["csv"], results["xlsx"]
    loads = [r["load"] for r in (*csv_runs, *xlsx_runs)]
    lines = [
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, {memory_gib()} RAM; {os_name()}; "
        f"Python {platform.python_version()}, PostgreSQL {results['postgres']} on the same "
        "machine (127.0.0.1)",
        f"- load average (1 min) when the imports started: {min(loads):.1f} to {max(loads):.1f}"
        " (other jobs shared the machine; wall-clock figures depend on it, CPU seconds much less)",
        f"- command: `{command_line(args)}`",
        f"- data: {args.units:,} units × {args.elements} elements = {values:,} values; CSV "
        f"{sizes['csv'] / 2**20:.1f} MB (UTF-8; 2 % of the counts written with thousands "
        f"separators, 1 % of the rows with a note), xlsx {sizes['xlsx'] / 2**20:.1f} MB "
        "(numeric cells); every run loads the file into a new cycle with approve=True and "
        "checks the year-over-year change against the approved values of a previous cycle "
        f"(loaded once before the runs, untimed); {best(csv_runs)['warnings']} warnings "
        "(outliers) stored per run",
        "- each `bulk_import` is timed end to end (file bytes in memory → committed: read, "
        "parse, rules, one transaction) in its own subprocess; peak = `ru_maxrss` of that "
        f"process, {best(csv_runs)['before_kb'] / 1024:.0f} MB of it Django and the app "
        "before the import; CPU = this process, server CPU = its PostgreSQL backend",
        "",
        "| what | rows (values) | best s | median s | rows/s (best) | peak RSS MB "
        "| CPU s | server CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, runs in (("`bulk_import` CSV", csv_runs), ("`bulk_import` xlsx", xlsx_runs)):
        b = best(runs)
        median = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak_kb"] for r in runs) / 1024
        lines.append(f"| {label} ({len(runs)} runs) | {values:,} | {b['seconds']:.2f} | "
                     f"{median:.2f} | **{values / b['seconds']:,.0f}** | {peak:.0f} | "
                     f"{b['cpu']:.2f} | {b['server_cpu']:.2f} |")
    stock = results.get("stock")
    if stock:
        for label, key in (("stock `ModelResource.import_data`, default", "default"),
                           ("stock `ModelResource.import_data`, `use_bulk=True`", "use_bulk")):
            r = stock[key]
            lines.append(f"| {label}, {args.stock_sample:.0%} sample | {r['rows']:,} | "
                         f"{r['seconds']:.2f} | | {r['rows'] / r['seconds']:,.0f} | | | |")
    copies = results.get("copy")
    if copies:
        for label, key in (("raw COPY, same rows, table without indexes", "plain"),
                           ("raw COPY, same rows, table like `submissions_value` (its 2 "
                            "indexes, its deferred foreign key)", "like_value")):
            r = copies[key]
            lines.append(f"| {label} | {r['rows']:,} | {r['seconds']:.2f} | | "
                         f"{r['rows'] / r['seconds']:,.0f} | | | {r['server_cpu']:.2f} |")
    if stock:
        ours = values / best(csv_runs)["seconds"]
        ours_xlsx = values / best(xlsx_runs)["seconds"]
        default_rate = stock["default"]["rows"] / stock["default"]["seconds"]
        bulk_rate = stock["use_bulk"]["rows"] / stock["use_bulk"]["seconds"]
        lines += [
            "",
            f"**Ratio ours/stock** (best runs): CSV {ours / default_rate:,.0f}× the default "
            f"`import_data` and {ours / bulk_rate:,.0f}× `use_bulk`; xlsx "
            f"{ours_xlsx / default_rate:,.0f}× and {ours_xlsx / bulk_rate:,.0f}×.",
        ]
    lines += ["", *targets(values, csv_runs, xlsx_runs, stock, copies)]
    lines += [
        "",
        "Stages of the best runs (wall seconds; an indented stage is part of the one above it; "
        "the values are COPYed by a second thread while `_load` parses and checks, so the "
        "COPY has no stage of its own: what remains of it when the checks are done is the "
        "wait for the COPY thread to finish):",
        "",
        "| stage | CSV | xlsx |",
        "|---|---:|---:|",
    ]
    b_csv, b_xlsx = best(csv_runs), best(xlsx_runs)
    for name in b_csv["phases"]:
        label = name.replace("  ", "&nbsp;&nbsp;&nbsp;")
        lines.append(f"| {label} | {b_csv['phases'][name]:.2f} | "
                     f"{b_xlsx['phases'].get(name, 0.0):.2f} |")
    lines.append(f"| **total** | {b_csv['seconds']:.2f} | {b_xlsx['seconds']:.2f} |")
    return "\n".join(lines)


def targets(values: int, csv_runs: list[dict[str, Any]], xlsx_runs: list[dict[str, Any]],
            stock: dict[str, Any] | None, copies: dict[str, Any] | None) -> list[str]:
    """The issue's targets, each met or missed, and where the time of the best CSV run went."""
    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    b_csv = min(csv_runs, key=lambda r: r["seconds"])
    b_xlsx = min(xlsx_runs, key=lambda r: r["seconds"])
    csv_rate, xlsx_rate = values / b_csv["seconds"], values / b_xlsx["seconds"]
    peak = max(r["peak_kb"] for r in (*csv_runs, *xlsx_runs)) / 1024
    lines = [
        "Targets of the issue, on this run: CSV ≥ 50,000 values/s "
        f"{verdict(csv_rate >= 50_000)} ({csv_rate:,.0f}); xlsx ≥ 30,000 values/s "
        f"{verdict(xlsx_rate >= 30_000)} ({xlsx_rate:,.0f}); peak memory < 300 MB "
        f"{verdict(peak < 300)} ({peak:.0f} MB)"
    ]
    if stock:
        default = stock["default"]["rows"] / stock["default"]["seconds"]
        bulk = stock["use_bulk"]["rows"] / stock["use_bulk"]["seconds"]
        lines[0] += (f"; ≥ 50× the stock import {verdict(csv_rate / default >= 50)} against "
                     f"the default ({csv_rate / default:,.0f}×) and "
                     f"{verdict(csv_rate / bulk >= 50)} against `use_bulk` "
                     f"({csv_rate / bulk:,.0f}×)")
    lines[0] += "."
    median_csv = values / statistics.median(r["seconds"] for r in csv_runs)
    median_xlsx = values / statistics.median(r["seconds"] for r in xlsx_runs)
    slowest_csv = values / max(r["seconds"] for r in csv_runs)
    lines[0] += (f" The median run: CSV {median_csv:,.0f} values/s, xlsx {median_xlsx:,.0f} "
                 f"values/s; the slowest CSV run {slowest_csv:,.0f} values/s (the spread is "
                 "the machine's: the CPU seconds of the same work vary as much).")
    phases, total = b_csv["phases"], b_csv["seconds"]
    load = phases.get(
        "load: versions made, rows parsed and checked, values COPYed meanwhile", 0.0)
    text = (f"In the best CSV run the readers took "
            f"{phases.get('read_table (readers)', 0.0) / total:.0%} of the time, the load "
            f"(versions, parsing and checks, with the values COPYed meanwhile) "
            f"{load / total:.0%}"
            f" — of it the wait for the COPY thread to finish "
            f"{phases.get('  waiting for the COPY thread to finish', 0.0) / total:.0%} —, the "
            f"store "
            f"after the checks {phases.get('store: warnings, states, audit', 0.0) / total:.0%}"
            f", the commit {phases.get('commit', 0.0) / total:.0%}.")
    if copies:
        floor = copies["like_value"]
        text += (f" A bare COPY of the same rows into a table shaped like `submissions_value` "
                 f"alone takes {floor['seconds']:.2f} s here "
                 f"({floor['rows'] / floor['seconds']:,.0f} rows/s, "
                 f"{floor['server_cpu']:.2f} s of server CPU), against "
                 f"{copies['plain']['seconds']:.2f} s without its indexes and foreign keys.")
    lines += ["", text]
    return lines


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--elements", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3, help="bulk_import runs per format")
    parser.add_argument("--stock-sample", type=float, default=0.1)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--profile", choices=("csv", "xlsx"))
    parser.add_argument("--no-stock", action="store_true",
                        help="skip the stock django-import-export and raw COPY measurements")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_import:
        print(json.dumps(child_import(args.child_import, args.year, args.child_profile)))
        return

    if args.elements < 6:
        parser.error("--elements must be at least 6")
    started = time.perf_counter()
    data_dir = tempfile.mkdtemp(prefix="ifdi-bench-intake-")
    configure_environment(data_dir, args.database_url)
    recreate_database(args.database_url)
    django_setup()
    if args.keep:
        print(f"data folder (kept): {data_dir}", file=sys.stderr)
    runs = 1 if args.profile else args.runs
    # The first year is the previous cycle of every measured run: loaded once, untimed, so
    # that each measured load checks the year-over-year change (as a real cycle does, with
    # 180,000 approved values of the year before to read).
    years = list(range(FIRST_YEAR, FIRST_YEAR + 2 * runs + 1))
    try:
        setup = setup_database(args, years)
        print(f"setup (migrate, bootstrap, model, {args.units:,} regions, cycles): "
              f"{setup['seconds']:.1f} s", file=sys.stderr)
        rows = bulk_rows(args.units, args.elements)
        files = {kind: Path(data_dir) / f"bench-bulk.{kind}" for kind in ("csv", "xlsx")}
        t = time.perf_counter()
        files["csv"].write_bytes(csv_bytes(rows))
        files["xlsx"].write_bytes(xlsx_bytes(rows))
        print(f"files written: {time.perf_counter() - t:.1f} s", file=sys.stderr)
        sizes = {k: p.stat().st_size for k, p in files.items()}
        t = time.perf_counter()
        run_child(files["csv"], years[0])
        print(f"previous cycle loaded (untimed): {time.perf_counter() - t:.1f} s",
              file=sys.stderr)

        if args.profile:
            out = run_child(files[args.profile], years[1], profile=True)
            print(f"{args.profile}: {out['seconds']:.2f} s, "
                  f"{out['rows'] / out['seconds']:,.0f} values/s\n")
            print(out["profile_cumulative"])
            print(out["profile_tottime"])
            return

        results: dict[str, Any] = {"csv": [], "xlsx": []}
        year_iter = iter(years[1:])
        for _ in range(runs):
            for kind in ("csv", "xlsx"):
                out = run_child(files[kind], next(year_iter))
                assert out["stored"] == args.units * args.elements, out
                results[kind].append(out)
                print(f"{kind}: {out['seconds']:.2f} s, "
                      f"{out['rows'] / out['seconds']:,.0f} values/s, "
                      f"peak {out['peak_kb'] / 1024:.0f} MB, CPU {out['cpu']:.2f} s, "
                      f"server CPU {out['server_cpu']:.2f} s, load {out['load']:.1f}",
                      file=sys.stderr)
        if not args.no_stock:
            sample_units = max(1, round(args.units * args.stock_sample))
            results["stock"] = stock_imports(rows, sample_units, args.elements)
            for label, s in results["stock"].items():
                print(f"stock {label}: {s['rows'] / s['seconds']:,.0f} rows/s",
                      file=sys.stderr)
            results["copy"] = raw_copy(rows, args.elements, years[0])
        results["postgres"] = postgres_version()
        text = report(args, results, sizes)
        print(text)
        if not args.no_docs and not args.no_stock:
            written = write_section(ROOT / "docs" / "benchmarks.md", f"{SECTION_TITLE}\n\n{text}")
            print(f"\n(written to {written.relative_to(ROOT)})")
        print(f"total {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(args.database_url, create=False)
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

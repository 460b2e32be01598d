"""Benchmark of the intake path against the best a user would write instead.

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres, trust; ``psql``):

    .venv/bin/python benchmarks/bench_intake.py [--units 3000 --elements 60 --runs 5]

It drops and creates the database ``ifdi_bench_intake`` (``--database-url`` for another one),
migrates it, runs ``bootstrap``, imports a synthetic model version "BENCH60" (60 elements,
cross-element rules, 60 indicators in 6 dimensions) through ``model_import``, creates 3,000
synthetic reporting units and one cycle per measured run, and writes the bulk file
(region_code, element_code, value, note: 180,000 values) as UTF-8 CSV and as xlsx. A first
cycle is loaded untimed: every measured load checks the year-over-year change against it.

Then, ``--runs`` rounds, each side once per round, interleaved so that every side sees the
same load of this shared machine, all with ``DEBUG`` off:

* ``submissions.bulk.bulk_import`` of the CSV and of the xlsx, end to end (bytes in memory →
  read, parse, rules, one transaction, commit), each in a fresh subprocess (so that
  ``ru_maxrss`` is the peak of that import alone), with ``approve``, into a new cycle;
* COPY of the same 180,000 rows by ``psql`` (``\\copy ... FROM file CSV``, the rows already in
  the value table's columns, ids resolved) into a new table with the columns, primary key,
  unique index, check constraint and deferred foreign key of ``submissions_value``;
* a tuned django-import-export ``ModelResource.import_data`` (``use_bulk``, ``batch_size``,
  ``skip_diff``, ``force_init_instance``, foreign keys resolved from prefetched dicts) of a
  sample (``--stock-sample``, 10 % of the units) of the same CSV into ``submissions.Value``,
  the CSV parsed by tablib inside the timing.

It prints a Markdown report of the medians side by side (and, unless ``--no-docs``, writes it
as the section "Intake (bulk load)" of docs/benchmarks.md, replacing that section).
``--profile csv`` (or ``xlsx``) instead runs one import under py-spy (cProfile when py-spy is
missing) and prints where its time went.
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
    """Settings as in production where they matter here: ``DEBUG`` off (no query log)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-any-server")
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



# --- the comparators: COPY by psql, tuned django-import-export --------------------------------

COPY_TABLE = "bench_value_copy"
COPY_COLUMNS = 'version_id, element_id, value, raw, note, sheet, "row", "column"'


def copy_file(rows: list[tuple[str, str, Any, str]], year: int, path: Path) -> None:
    """The rows as a user feeding ``psql`` would have them ready: in the value table's
    columns, the version and element ids resolved (those of the values stored for ``year``),
    as CSV."""
    from indicators.models import DataElement
    from submissions.models import Version

    elements = dict(DataElement.objects.filter(version__code=MODEL_CODE)
                    .values_list("code", "pk"))
    versions = dict(Version.objects.filter(submission__cycle__year=year)
                    .values_list("submission__region__code", "pk"))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        for n, (region, element, value, note) in enumerate(rows):
            text = value_text(value, grouped=False)
            writer.writerow((versions[region], elements[element], text, text, note, "", n + 2,
                             "C"))


def psql_copy(database_url: str, path: Path, expected: int) -> dict[str, float]:
    """One ``\\copy`` by psql into a new table shaped like ``submissions_value``: its columns,
    primary key (an identity), unique (version, element) index, check constraint and its
    foreign key to the version, deferred to the COMMIT as on the real table. Timed: the
    psql process, from start to exit (connection, COPY, COMMIT)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        cursor.execute(f"CREATE TABLE {COPY_TABLE} (LIKE submissions_value INCLUDING ALL)")
        cursor.execute(f"ALTER TABLE {COPY_TABLE} ADD FOREIGN KEY (version_id) REFERENCES "
                       "submissions_version (id) DEFERRABLE INITIALLY DEFERRED")
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database_url, "-c",
               f"\\copy {COPY_TABLE} ({COPY_COLUMNS}) FROM '{path}' WITH (FORMAT csv, NULL '\\N')"]
    load = os.getloadavg()[0]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {COPY_TABLE}")
        stored = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {COPY_TABLE}")
    if stored != expected:
        raise SystemExit(f"psql COPY stored {stored} of {expected} rows")
    return {"rows": expected, "seconds": seconds, "load": load}


def stock_versions(sample_units: int, rounds: int) -> list[dict[str, int]]:
    """For each round, one new version per sampled unit (in the cycle ``STOCK_YEAR``), by
    region code: what the user's import attaches the values to, made before (untimed)."""
    from accounts.selectors import operator_user
    from submissions.models import Submission, Version

    actor = operator_user()
    codes = region_codes(sample_units)
    submissions = {s.region.code: s for s in Submission.objects.filter(
        cycle__year=STOCK_YEAR, region__code__in=codes).select_related("region")}
    per_round = []
    for number in range(1, rounds + 1):
        versions = Version.objects.bulk_create([
            Version(submission=submissions[code], number=number, source=Version.Source.BULK,
                    created_by=actor) for code in codes])
        per_round.append({v.submission.region.code: v.pk for v in versions})
    return per_round


def tuned_resource(versions: dict[str, int], elements: dict[str, int]) -> Any:
    """The best django-import-export resource for this file a user would write: bulk inserts
    in batches, no diff, no lookup of existing rows, foreign keys from dicts read once."""
    from decimal import Decimal

    from import_export import fields, resources, widgets

    from submissions.models import Value

    class Lookup(widgets.Widget):
        """An id from a dict read once, instead of a query per row."""

        def __init__(self, ids: dict[str, int]) -> None:
            super().__init__()
            self.ids = ids

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int:
            return self.ids[value]

    class GroupedDecimal(widgets.DecimalWidget):
        """The file's numbers, some with thousands separators as the spreadsheet wrote them."""

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
            return None if self.is_empty(value) else Decimal(str(value).replace(",", ""))

    class ValueResource(resources.ModelResource):
        version_id = fields.Field(attribute="version_id", column_name="region_code",
                                  widget=Lookup(versions))
        element_id = fields.Field(attribute="element_id", column_name="element_code",
                                  widget=Lookup(elements))
        value = fields.Field(attribute="value", column_name="value", widget=GroupedDecimal())
        raw = fields.Field(attribute="raw", column_name="value")
        note = fields.Field(attribute="note", column_name="note")

        class Meta:
            model = Value
            fields = ("version_id", "element_id", "value", "raw", "note")
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True
            report_skipped = False
            use_transactions = True

    return ValueResource()


def stock_import(content: bytes, versions: dict[str, int]) -> dict[str, float]:
    """The tuned resource's ``import_data`` of the sample CSV, tablib's parsing included (the
    intake's time includes reading its file too)."""
    import tablib

    from indicators.models import DataElement
    from submissions.models import Value

    elements = dict(DataElement.objects.filter(version__code=MODEL_CODE)
                    .values_list("code", "pk"))
    resource = tuned_resource(versions, elements)
    load = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    dataset = tablib.Dataset().load(content.decode("utf-8"), format="csv")
    outcome = resource.import_data(dataset, dry_run=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    if outcome.has_errors() or outcome.has_validation_errors():
        first = (outcome.base_errors[:1] or [e for r in outcome.rows for e in r.errors][:1]
                 or outcome.invalid_rows[:1])
        raise SystemExit(f"the django-import-export import reported errors: {first!r}")
    stored = Value.objects.filter(version_id__in=list(versions.values())).count()
    if stored != len(dataset):
        raise SystemExit(f"the django-import-export import stored {stored} of {len(dataset)}")
    return {"rows": len(dataset), "seconds": seconds, "load": load, "cpu": cpu}


# --- the rounds ---------------------------------------------------------------------------------

SIDES = ("csv", "copy", "xlsx", "stock")


def measure(args: argparse.Namespace, inputs: dict[str, Any], years: list[int]
            ) -> dict[str, list[dict[str, Any]]]:
    """``--runs`` rounds, each side once a round; the order alternates between rounds, so
    that neither the intake nor the COPY always follows the same side."""
    results: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    year_iter = iter(years[1:])
    values = args.units * args.elements
    for number in range(args.runs):
        order = SIDES if number % 2 == 0 else ("copy", "csv", "stock", "xlsx")
        for side in order:
            if side in ("csv", "xlsx"):
                out = run_child(inputs["files"][side], next(year_iter))
                assert out["stored"] == values, out
            elif side == "copy":
                out = psql_copy(args.database_url, inputs["copy_file"], values)
            else:
                out = stock_import(inputs["stock_csv"], inputs["stock_versions"][number])
            out["round"] = number + 1
            results[side].append(out)
            print(f"round {number + 1} {side}: {out['seconds']:.2f} s, "
                  f"{out['rows'] / out['seconds']:,.0f} rows/s, load {out['load']:.1f}",
                  file=sys.stderr)
    return results


def prepare(args: argparse.Namespace, data_dir: str, years: list[int]) -> dict[str, Any]:
    """The files of every side, and the previous cycle loaded (untimed)."""
    rows = bulk_rows(args.units, args.elements)
    files = {kind: Path(data_dir) / f"bench-bulk.{kind}" for kind in ("csv", "xlsx")}
    files["csv"].write_bytes(csv_bytes(rows))
    files["xlsx"].write_bytes(xlsx_bytes(rows))
    t = time.perf_counter()
    run_child(files["csv"], years[0])
    print(f"previous cycle loaded (untimed): {time.perf_counter() - t:.1f} s", file=sys.stderr)
    copy_path = Path(data_dir) / "bench-copy.csv"
    copy_file(rows, years[0], copy_path)
    sample_units = max(1, round(args.units * args.stock_sample))
    return {
        "files": files, "copy_file": copy_path,
        "sizes": {k: p.stat().st_size for k, p in files.items()},
        "stock_csv": csv_bytes(rows[: sample_units * args.elements]),
        "stock_versions": stock_versions(sample_units, args.runs),
    }


# --- profile ------------------------------------------------------------------------------------


def profile_import(path: Path, year: int) -> str:
    """One import under py-spy, summed by stage: samples of the thread holding the GIL only
    (``--gil``), i.e. the Python work of either thread, not its waits for the server;
    cProfile's two listings when py-spy is not installed."""
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if py_spy is None:
        out = run_child(path, year, profile=True)
        return out["profile_cumulative"] + "\n" + out["profile_tottime"]
    with tempfile.NamedTemporaryFile(suffix=".txt") as raw:
        completed = subprocess.run(
            [py_spy, "record", "--gil", "--rate", "250", "--threads", "--format", "raw", "--output",
             raw.name, "--", sys.executable, __file__, "--child-import", str(path), "--year",
             str(year)], capture_output=True, text=True, env=os.environ.copy(), cwd=ROOT)
        if completed.returncode != 0:
            raise SystemExit(completed.stdout + completed.stderr)
        # py-spy's own lines (py-spy> ...) come after the child's JSON
        out = json.loads(next(line for line in reversed(completed.stdout.splitlines())
                              if line.startswith("{")))
        stacks = Path(raw.name).read_text().splitlines()
    return (f"{out['seconds']:.2f} s wall (under py-spy), CPU {out['cpu']:.2f} s, server CPU "
            f"{out['server_cpu']:.2f} s\n\n" + summarise_stacks(stacks, rate=250))


_NOISE = ("timed", "_GeneratorContextManager", "contextmanager", "inner", "__exit__",
          "__enter__")


def _frames(stack: str) -> tuple[str, list[str]]:
    thread, *frames = stack.split(";")
    names = [frame.split(" (", 1)[0] for frame in frames]
    return thread, [n for n in names if not n.startswith(_NOISE) and "timed" not in n]


def summarise_stacks(lines: list[str], *, rate: int) -> str:
    """Seconds of Python work of the import by stage (the functions ``bulk_import``,
    ``_load`` and ``_store_units`` call), the COPY thread's own, and the functions with the
    most samples of their own."""
    from collections import Counter

    stages: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        thread, names = _frames(stack)
        leaf = stack.rsplit(";", 1)[-1]
        if "bulk-values" in thread:
            stages["COPY thread (rows formatted for psycopg, sent)"] += count
            own["[COPY thread] " + leaf] += count
            continue
        if "bulk_import" not in names:
            continue
        below = names[names.index("bulk_import") + 1:]
        if below[:1] in (["_load"], ["_store_units"]) and len(below) > 1:
            stages[f"{below[0]} → {below[1]}"] += count
        else:
            stages[below[0] if below else "bulk_import (own)"] += count
        own[leaf] += count
    total = sum(stages.values())
    text = [f"Samples holding the GIL: {total / rate:.2f} s (main thread and COPY thread)",
            "", "| stage | s | share |", "|---|---:|---:|"]
    text += [f"| {name} | {n / rate:.2f} | {n / total:.0%} |"
             for name, n in stages.most_common() if n / total >= 0.005]
    text += ["", "| function (own samples) | s |", "|---|---:|"]
    text += [f"| {name.replace('|', '/')} | {n / rate:.2f} |" for name, n in own.most_common(15)]
    return "\n".join(text)


# --- report -------------------------------------------------------------------------------------


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def command_line(args: argparse.Namespace) -> str:
    extra = "".join(f" --{name.replace('_', '-')} {getattr(args, name)}"
                    for name, default in (("stock_sample", 0.1),)
                    if getattr(args, name) != default)
    return (f".venv/bin/python benchmarks/bench_intake.py --units {args.units} "
            f"--elements {args.elements} --runs {args.runs}{extra}")


LABELS = {
    "csv": "`bulk_import` CSV (read, parse, check, store, commit)",
    "xlsx": "`bulk_import` xlsx (same)",
    "copy": "COPY by `psql`, same rows, table like `submissions_value`",
    "stock": "django-import-export, tuned `import_data`, on the first {sample} of the units",
}


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def report(args: argparse.Namespace, results: dict[str, Any], inputs: dict[str, Any]) -> str:
    values = args.units * args.elements
    loads = [r["load"] for side in SIDES for r in results[side]]
    sizes = inputs["sizes"]
    lines = [
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, {memory_gib()} RAM; {os_name()}; "
        f"Python {platform.python_version()}, PostgreSQL {results['postgres']} on the same "
        "machine (127.0.0.1); `DEBUG` off on every side",
        f"- load average (1 min) at the start of the measured runs: median "
        f"{statistics.median(loads):.1f}, {min(loads):.1f} to {max(loads):.1f} (the machine is "
        "shared with other work; wall-clock figures depend on it)",
        f"- command: `{command_line(args)}`",
        f"- data: {args.units:,} units × {args.elements} elements = {values:,} values; CSV "
        f"{sizes['csv'] / 2**20:.1f} MB (UTF-8; 2 % of the counts with thousands separators, "
        f"1 % of the rows with a note), xlsx {sizes['xlsx'] / 2**20:.1f} MB; every intake run "
        "loads the file into a new cycle with approve=True and checks the year-over-year "
        "change against the approved values of a previous cycle (as many); "
        f"{results['csv'][0]['warnings']} warnings (outliers) stored per run",
        f"- {args.runs} rounds, each side once a round, the order alternating "
        "(csv, copy, xlsx, stock / copy, csv, stock, xlsx); medians of the rounds",
        "",
        "| side | rows | median s | rows/s (median) | fastest – slowest s | load at start "
        "(median) | peak RSS MB | CPU s (median) | server CPU s (median) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for side in SIDES:
        runs = results[side]
        median = _median(runs, "seconds")
        rows = runs[0]["rows"]
        if side in ("csv", "xlsx"):
            extra = (f"{max(r['peak_kb'] for r in runs) / 1024:.0f} | "
                     f"{_median(runs, 'cpu'):.2f} | {_median(runs, 'server_cpu'):.2f}")
        else:
            extra = f" | {_median(runs, 'cpu'):.2f} | " if side == "stock" else " | | "
        label = LABELS[side].format(sample=f"{args.stock_sample:.0%}")
        lines.append(f"| {label} | {rows:,} | {median:.2f} | {rows / median:,.0f} | "
                     f"{min(r['seconds'] for r in runs):.2f} – "
                     f"{max(r['seconds'] for r in runs):.2f} | {_median(runs, 'load'):.1f} | "
                     f"{extra} |")
    lines += ["", *ratios(results), "", *rounds_table(results), "", *stages_table(results)]
    return "\n".join(lines)


def _rate(runs: list[dict[str, Any]]) -> float:
    return float(runs[0]["rows"] / _median(runs, "seconds"))


def ratios(results: dict[str, Any]) -> list[str]:
    csv_rate, xlsx_rate = _rate(results["csv"]), _rate(results["xlsx"])
    copy_rate, stock_rate = _rate(results["copy"]), _rate(results["stock"])
    verdict = "met" if csv_rate / copy_rate >= 0.7 else "**missed**"
    return [
        "Ratios of the medians (rows a second): the CSV intake is "
        f"**{csv_rate / copy_rate:.2f} ×** the same-table COPY (target ≥ 0.7: {verdict}), the "
        f"xlsx intake {xlsx_rate / copy_rate:.2f} ×; the CSV intake is "
        f"**{csv_rate / stock_rate:,.0f} ×** the tuned django-import-export, the xlsx intake "
        f"{xlsx_rate / stock_rate:,.0f} × (its rate measured on the sample: its time per row "
        "does not depend on the file's length).",
    ]


def rounds_table(results: dict[str, Any]) -> list[str]:
    lines = ["Each round (seconds, and the load average at the start of the run):", "",
             "| round | CSV intake | COPY | xlsx intake | django-import-export |",
             "|---:|---:|---:|---:|---:|"]
    for number, runs in enumerate(zip(*(results[side] for side in SIDES), strict=True), 1):
        cells = " | ".join(f"{r['seconds']:.2f} ({r['load']:.1f})" for r in runs)
        lines.append(f"| {number} | {cells} |")
    return lines


def stages_table(results: dict[str, Any]) -> list[str]:
    def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]

    csv_run, xlsx_run = median_run(results["csv"]), median_run(results["xlsx"])
    lines = [
        "Stages of the median intake runs (wall seconds; an indented stage is part of the one "
        "above it; the values are COPYed by a second thread while `_load` parses and checks, "
        "so the COPY has no stage of its own: what remains of it when the checks are done is "
        "the wait for the COPY thread to finish):", "",
        "| stage | CSV | xlsx |", "|---|---:|---:|",
    ]
    for name in csv_run["phases"]:
        label = name.replace("  ", "&nbsp;&nbsp;&nbsp;")
        lines.append(f"| {label} | {csv_run['phases'][name]:.2f} | "
                     f"{xlsx_run['phases'].get(name, 0.0):.2f} |")
    lines.append(f"| **total** | {csv_run['seconds']:.2f} | {xlsx_run['seconds']:.2f} |")
    return lines


# --- main ---------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--elements", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5, help="rounds (each side once a round)")
    parser.add_argument("--stock-sample", type=float, default=0.1)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--profile", choices=("csv", "xlsx"))
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.elements < 6:
        parser.error("--elements must be at least 6")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def run(args: argparse.Namespace, data_dir: str) -> None:
    runs = 1 if args.profile else args.runs
    # The first year is the previous cycle of every measured run: loaded once, untimed.
    years = list(range(FIRST_YEAR, FIRST_YEAR + 2 * runs + 1))
    setup = setup_database(args, years)
    print(f"setup (migrate, bootstrap, model, {args.units:,} regions, cycles): "
          f"{setup['seconds']:.1f} s", file=sys.stderr)
    if args.profile:
        rows = bulk_rows(args.units, args.elements)
        path = Path(data_dir) / f"bench-bulk.{args.profile}"
        path.write_bytes(csv_bytes(rows) if args.profile == "csv" else xlsx_bytes(rows))
        if args.profile == "csv":
            run_child(path, years[0])
        else:
            previous = Path(data_dir) / "bench-bulk.csv"
            previous.write_bytes(csv_bytes(rows))
            run_child(previous, years[0])
        print(profile_import(path, years[1]))
        return
    inputs = prepare(args, data_dir, years)
    results: dict[str, Any] = measure(args, inputs, years)
    results["postgres"] = postgres_version()
    text = report(args, results, inputs)
    print(text)
    if not args.no_docs:
        written = write_section(ROOT / "docs" / "benchmarks.md", f"{SECTION_TITLE}\n\n{text}")
        print(f"\n(written to {written.relative_to(ROOT)})")


def main() -> None:
    args = arguments()
    if args.child_import:
        print(json.dumps(child_import(args.child_import, args.year, args.child_profile)))
        return
    started = time.perf_counter()
    data_dir = tempfile.mkdtemp(prefix="ifdi-bench-intake-")
    configure_environment(data_dir, args.database_url)
    recreate_database(args.database_url)
    django_setup()
    if args.keep:
        print(f"data folder (kept): {data_dir}", file=sys.stderr)
    try:
        run(args, data_dir)
        print(f"total {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(args.database_url, create=False)
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

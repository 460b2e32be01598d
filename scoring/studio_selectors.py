"""Reads of the index studio: the run a cycle's scenarios are measured against, a run's stored
results as the arrays ``scoring.studio`` and ``scoring.statistics`` compute from, and the
saved scenarios."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict

import numpy as np
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from common.i18n import localized
from indicators.models import Region
from scoring import core, selectors, statistics
from scoring.models import Scenario, ScoringRun
from scoring.studio import RunData
from submissions.models import Cycle

#: Runs kept as arrays in this process (a run never changes, so a kept copy never goes stale;
#: the key holds the result hash, so a reused id of a rolled-back run is not mistaken).
KEPT_RUNS = 8
_kept: OrderedDict[tuple[int, str], RunData] = OrderedDict()
_lock = threading.Lock()


def official_run(cycle: Cycle) -> ScoringRun | None:
    """The run a scenario of the cycle is compared with: its latest publication, or, before
    the first one, its latest run."""
    return (selectors.latest_published_run(cycle)
            or ScoringRun.objects.filter(cycle=cycle).order_by("-number").first())


def run_data(run: ScoringRun) -> RunData:
    """The run's results as arrays: one query for the results, a few for the model."""
    key = (run.pk, run.result_hash)
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
            return kept
    data = _load(run)
    with _lock:
        _kept[key] = data
        while len(_kept) > KEPT_RUNS:
            _kept.popitem(last=False)
    return data


def forget_runs() -> None:
    """Drop the arrays kept in this process (tests whose database is rolled back)."""
    with _lock:
        _kept.clear()


def _load(run: ScoringRun) -> RunData:
    spec = selectors.model_spec(run.model_version)
    indicators = [i.code for i in spec.indicators]
    dimensions = [d.code for d in spec.dimensions]
    results = list(run.results.select_related("region").order_by("region__order",
                                                                 "region__code"))
    n = len(results)

    def matrix(rows: list[list[float | None]], width: int) -> core.FloatArray:
        array = np.array(rows, dtype=np.float64) if rows else np.zeros((0, width))
        return array.reshape(n, width)

    values = matrix([[r.indicators.get(c, {}).get("value") for c in indicators]
                     for r in results], len(indicators))
    scores = matrix([[r.indicators.get(c, {}).get("score") for c in indicators]
                     for r in results], len(indicators))
    points = matrix([[r.dimensions.get(c, {}).get("points") for c in dimensions]
                     for r in results], len(dimensions))
    return RunData(
        spec=spec, run_id=run.pk,
        region_codes=tuple(r.region.code for r in results),
        region_names=tuple((r.region.short_name_zh, r.region.name_en) for r in results),
        ranked=np.array([r.region.ranked for r in results], dtype=bool),
        values=values, scores=scores, dimension_points=points,
        totals=np.array([np.nan if r.total is None else r.total for r in results],
                        dtype=np.float64),
        ranks=np.array([r.rank or core.UNRANKED for r in results], dtype=np.int64),
    )


def scenarios(cycle: Cycle) -> QuerySet[Scenario]:
    return (Scenario.objects.filter(cycle=cycle)
            .select_related("created_by", "base_run").order_by("-created_at", "-pk"))


# --------------------------------------------------------------------------------------------
# The statistical audit of a run

#: Bumped when the audit's computation changes, so that no older report is served from cache.
AUDIT_VERSION = 1
AUDIT_CACHE_SECONDS = 7 * 24 * 3600
logger = logging.getLogger(__name__)


def audit_seed(run: ScoringRun) -> int:
    """The Monte Carlo's seed: the run's own (from its inputs), so a report is reproducible."""
    return int(run.seed) % 2**32


def audit_report(run: ScoringRun) -> statistics.Report:
    """The run's audit (``scoring.statistics.audit``), computed once per run and kept in the
    shared cache: a run never changes, and the Monte Carlo takes a while for large runs."""
    def build() -> statistics.Report:
        return statistics.audit(run_data(run), seed=audit_seed(run))

    key = f"scoring:audit:{run.pk}:{run.result_hash}:{AUDIT_VERSION}"
    try:
        report = cache.get(key)
    except Exception:
        logger.warning("cache unreachable: the audit of run %s is computed without it", run.pk)
        return build()
    if report is None:
        report = build()
        try:
            cache.set(key, report, AUDIT_CACHE_SECONDS)
        except Exception:
            logger.warning("cache unreachable: the audit of run %s is not kept", run.pk)
    return dict(report)


def audit_json(report: statistics.Report) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")


def audit_labels(run: ScoringRun) -> tuple[dict[str, str], dict[str, str]]:
    """Names of the run's indicators and dimensions (with "total"), and of its regions, in
    the active language: the labels of the audit's workbook and page."""
    version = run.model_version
    names = {d.code: localized(d, "name") for d in version.dimensions.all()}
    names.update({i.code: localized(i, "name") for i in version.indicators.all()})
    names[statistics.TOTAL] = str(_("总分"))
    regions = {r.code: localized(r, "short_name")
               for r in Region.objects.filter(pk__in=run.results.values("region_id"))}
    return names, regions

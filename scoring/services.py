"""Writes of the scoring app: scoring runs and their publication."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import log_action
from indicators.models import Region
from scoring import core, selectors
from scoring.models import ScoringRun, UnitResult
from scoring.uncertainty import rank_uncertainty
from submissions.models import Cycle
from submissions.selectors import regions_without_approval, values_of_versions

NOTHING_APPROVED = _("{year} 年度还没有审核通过的填报，无法测算")
ALREADY_PUBLISHED = _("测算 #{number} 已经发布，不能再次发布；如需更正，请重新测算后作为修订版发布")
NOTE_REQUIRED = _("修订版发布必须填写说明")
INCOMPLETE = _("以下参与排名的地区还没有审核通过的填报：{regions}")
NO_RUN = _("{year} 年度还没有测算结果")


class ScoringError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _float(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def input_hash(*, model_sha256: str, inputs: selectors.ApprovedInputs, replications: int,
               spread: float) -> str:
    """SHA-256 of everything the results depend on: the model, every value, the parameters.
    Values are hashed by their shortest repr, so equal inputs give equal hashes everywhere."""
    payload = {
        "model": model_sha256,
        "elements": list(inputs.elements),
        "units": [
            {"region": region.code, "ranked": bool(ranked),
             "values": [None if math.isnan(v) else repr(v) for v in row]}
            for region, ranked, row in zip(inputs.regions, inputs.ranked.tolist(),
                                           np.asarray(inputs.values, dtype=np.float64).tolist(),
                                           strict=True)
        ],
        "replications": replications,
        "spread": repr(float(spread)),
    }
    return hashlib.sha256(_canonical(payload)).hexdigest()


@dataclass(frozen=True)
class Computed:
    input_hash: str
    result_hash: str
    seed: int
    rows: list[dict[str, Any]]


def compute(*, cycle: Cycle, inputs: selectors.ApprovedInputs, replications: int, spread: float,
            previous: ScoringRun | None) -> Computed:
    """Everything a run stores, from its inputs: the one computation behind creating a run
    and verifying it later."""
    version = cycle.model_version
    spec = selectors.model_spec(version)
    digest = input_hash(model_sha256=version.source_sha256, inputs=inputs,
                        replications=replications, spread=spread)
    # The seed comes from the inputs: the same inputs give the same uncertainty intervals.
    seed = int(digest[:15], 16)
    result = core.score(core.compile_model(spec), inputs.values, inputs.ranked)
    points = np.array([d.points for d in spec.dimensions])
    uncertainty = rank_uncertainty(result.dimension_points, points, inputs.ranked,
                                   replications=replications, spread=spread, seed=seed)
    previous_ranks = (dict(previous.results.order_by().values_list("region_id", "rank"))
                      if previous else {})
    rows = _unit_rows(spec, inputs, result, uncertainty, previous_ranks)
    result_digest = hashlib.sha256(_canonical([
        {k: v for k, v in row.items() if k != "region"} | {"region": row["region"].code}
        for row in rows
    ])).hexdigest()
    return Computed(digest, result_digest, seed, rows)


def run_create(*, cycle: Cycle, actor: Any, replications: int | None = None,
               spread: float | None = None) -> ScoringRun:
    """Score the cycle's approved data and store the result as a new immutable run."""
    spec_elements = tuple(cycle.model_version.elements.values_list("code", flat=True))
    inputs = selectors.approved_inputs(cycle, spec_elements)
    if not inputs.regions:
        raise ScoringError(str(NOTHING_APPROVED).format(year=cycle.year))
    replications = replications or settings.UNCERTAINTY_REPLICATIONS
    spread = settings.UNCERTAINTY_SPREAD if spread is None else spread
    previous = selectors.previous_published_run(cycle)
    computed = compute(cycle=cycle, inputs=inputs, replications=replications, spread=spread,
                       previous=previous)
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        number = (ScoringRun.objects.filter(cycle=locked).count()) + 1
        run = ScoringRun.objects.create(
            cycle=locked, number=number, model_version=cycle.model_version,
            inputs={"versions": {r.code: v for r, v in zip(inputs.regions, inputs.versions,
                                                            strict=True)}},
            input_hash=computed.input_hash, result_hash=computed.result_hash,
            seed=computed.seed, replications=replications, spread=spread, created_by=actor,
            previous_run=previous,
        )
        results_insert([UnitResult(run=run, **row) for row in computed.rows])
        if locked.state in (Cycle.State.OPEN, Cycle.State.CLOSED):
            locked.state = Cycle.State.SCORED
            locked.save(update_fields=["state"])
        log_action(actor=actor, action="scoring.run", obj=run, cycle_year=cycle.year,
                   data={"run": number, "input_hash": computed.input_hash,
                         "result_hash": computed.result_hash, "units": len(computed.rows)})
    return run


@dataclass(frozen=True)
class Verification:
    identical: bool
    input_hash: str
    result_hash: str
    differences: list[str]


def run_verify(*, run: ScoringRun) -> Verification:
    """Recompute a stored run from the versions it read; changes nothing."""
    versions = run.inputs.get("versions", {})
    regions = {r.code: r for r in Region.objects.filter(code__in=list(versions))}
    ordered = [regions[code] for code in versions if code in regions]
    elements = tuple(run.model_version.elements.values_list("code", flat=True))
    values_by_version = values_of_versions([versions[r.code] for r in ordered])
    matrix = np.full((len(ordered), len(elements)), np.nan)
    column = {code: j for j, code in enumerate(elements)}
    for i, region in enumerate(ordered):
        for code, value in values_by_version[versions[region.code]].items():
            if code in column:
                matrix[i, column[code]] = value
    inputs = selectors.ApprovedInputs(
        regions=ordered, versions=[versions[r.code] for r in ordered], values=matrix,
        ranked=np.array([r.ranked for r in ordered], dtype=bool), elements=elements)
    computed = compute(cycle=run.cycle, inputs=inputs, replications=run.replications,
                       spread=run.spread, previous=run.previous_run)
    differences = []
    if computed.input_hash != run.input_hash:
        differences.append("input_hash")
    if computed.result_hash != run.result_hash:
        differences.append("result_hash")
    return Verification(not differences, computed.input_hash, computed.result_hash,
                        differences)


def _unit_rows(spec: core.ModelSpec, inputs: selectors.ApprovedInputs, result: core.ScoreResult,
               uncertainty: Any, previous_ranks: dict[int, int | None]) -> list[dict[str, Any]]:
    # Plain Python numbers first (tolist): the same values as indexing the arrays cell by
    # cell, without a NumPy scalar per cell — 3,000 units × 60 indicators add up.
    dimension_points = result.dimension_points.tolist()
    dimension_ranks = result.dimension_ranks.tolist()
    dimension_incomplete = result.dimension_incomplete.tolist()
    indicator_values = result.indicator_values.tolist()
    indicator_scores = result.indicator_scores.tolist()
    totals = result.totals.tolist()
    total_ranks = result.total_ranks.tolist()
    median, p05, p95 = (np.asarray(a, dtype=np.float64).tolist()
                        for a in (uncertainty.median, uncertainty.p05, uncertainty.p95))
    dimension_codes = [d.code for d in spec.dimensions]
    indicator_codes = [ind.code for ind in spec.indicators]
    rows = []
    for i, region in enumerate(inputs.regions):
        ranked = bool(inputs.ranked[i])
        dimensions = {
            code: {
                "points": _float(dimension_points[i][j]),
                "rank": (int(dimension_ranks[i][j]) or None) if ranked else None,
                "incomplete": bool(dimension_incomplete[i][j]),
            }
            for j, code in enumerate(dimension_codes)
        }
        values, scores = indicator_values[i], indicator_scores[i]
        indicators = {
            code: {"value": _float(values[k]), "score": _float(scores[k])}
            for k, code in enumerate(indicator_codes)
        }
        rows.append({
            "region": region,
            "version_id_read": inputs.versions[i],
            "total": _float(totals[i]),
            "rank": (int(total_ranks[i]) or None) if ranked else None,
            "tier": result.tiers[i] or "",
            "incomplete": any(dimension_incomplete[i]),
            "dimensions": dimensions,
            "indicators": indicators,
            "rank_median": _float(median[i]) if ranked else None,
            "rank_p05": _float(p05[i]) if ranked else None,
            "rank_p95": _float(p95[i]) if ranked else None,
            "previous_rank": previous_ranks.get(region.pk) if ranked else None,
        })
    return rows


def results_insert(results: list[UnitResult]) -> None:
    """Insert a new run's results; on PostgreSQL through COPY. ``bulk_create`` sends each
    column as one array, and psycopg escapes the JSON text of 3,000 units' dimensions and
    indicators for the array in Python — most of a run's time; COPY takes the same values
    (prepared by the fields, as ``bulk_create`` prepares them) as they are."""
    if connection.vendor != "postgresql":
        UnitResult.objects.bulk_create(results, batch_size=1000)
        return
    fields = [f for f in UnitResult._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (f"COPY {quote(UnitResult._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN")
    with connection.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
        for result in results:
            copy.write_row([f.get_db_prep_save(getattr(result, f.attname), connection)
                            for f in fields])


def run_publish(*, run: ScoringRun, actor: Any, note: str = "",
                allow_incomplete: bool = False) -> ScoringRun:
    """Make a run's rankings public. A later publication in the same cycle is a revision of
    the earlier one and needs a note; the earlier one stays visible."""
    with transaction.atomic():
        locked_cycle = Cycle.objects.select_for_update().get(pk=run.cycle_id)
        run = ScoringRun.objects.select_for_update().get(pk=run.pk)
        if run.is_published:
            raise ScoringError(str(ALREADY_PUBLISHED).format(number=run.number))
        missing = regions_without_approval(locked_cycle, ranked_only=True)
        if missing and not allow_incomplete:
            raise ScoringError(str(INCOMPLETE).format(
                regions="、".join(r.short_name_zh for r in missing)))
        revision_of = selectors.latest_published_run(locked_cycle)
        if revision_of is not None and not note.strip():
            raise ScoringError(str(NOTE_REQUIRED))
        run.published_at = timezone.now()
        run.published_by = actor
        run.publication_number = (revision_of.publication_number or 0) + 1 if revision_of else 1
        run.revision_of = revision_of
        run.note = note.strip()
        run.save(update_fields=["published_at", "published_by", "publication_number",
                                "revision_of", "note"])
        locked_cycle.state = Cycle.State.PUBLISHED
        locked_cycle.save(update_fields=["state"])
        log_action(actor=actor, action="scoring.publish", obj=run, cycle_year=locked_cycle.year,
                   data={"run": run.number, "publication": run.publication_number,
                         "revision_of": revision_of.number if revision_of else None,
                         "note": run.note, "incomplete": [r.code for r in missing]})
    return run

"""Writes of the scoring app: scoring runs and their publication."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from audit.services import log_action
from common.canonical import canonical_bytes, canonical_json
from common.db import copy_available, copy_rows
from common.errors import ApplicationError
from indicators.models import Region
from scoring import core, selectors
from scoring.models import ScoringRun, UnitResult
from scoring.uncertainty import rank_uncertainty
from submissions.models import Cycle
from submissions.selectors import values_of_versions

NOTHING_APPROVED = _("{year} 年度还没有审核通过的填报，无法测算")
ALREADY_PUBLISHED = _("测算 #{number} 已经发布，不能再次发布；如需更正，请重新测算后作为修订版发布")
NOTE_REQUIRED = _("修订版发布必须填写说明")
PUBLICATION_CHANGED = _("确认之后 {year} 年度已有另一次发布，请重新查看发布内容后再确认")
NOTE_TOO_LONG = _("发布说明最多 {limit} 个字")
NOTE_MAX_LENGTH = 2000
INCOMPLETE = _("本次测算不含以下参与排名的地区：{regions}；部分发布须明确选择“允许不完整”")


#: The parts of a result row that are large JSON documents, serialised once (``documents``).
DOCUMENTS = ("dimensions", "indicators")


def _result_documents(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The canonical JSON of each row's large parts: stored as they are (COPY) and hashed."""
    return [{key: canonical_json(row[key]) for key in DOCUMENTS} for row in rows]


def result_hash(rows: list[dict[str, Any]], documents: list[dict[str, str]]) -> str:
    """SHA-256 of ``canonical_bytes`` of the rows (the region as its code), assembled row by row
    from the documents already serialised instead of serialising them a second time — the
    same bytes (sorted keys, compact separators), at a fraction of the cost.

    A speed trick kept because a figure asks for it: docs/benchmarks.md, "Scoring a cycle",
    the line "`run_create`, the result hash serialising the rows again" against the line
    "**`run_create` end to end**" (more than 10 % more CPU without it; the figures under
    "Speed tricks")."""
    digest = hashlib.sha256(b"[")
    names: dict[str, str] = {}
    for n, (row, docs) in enumerate(zip(rows, documents, strict=True)):
        fields = {k: v for k, v in row.items() if k != "region"} | {"region": row["region"].code}
        parts = []
        for key in sorted(fields):
            if key not in names:
                names[key] = canonical_json(key) + ":"
            parts.append(names[key] + (docs[key] if key in docs else _scalar(fields[key])))
        digest.update(("," if n else "").encode() + ("{" + ",".join(parts) + "}").encode())
    digest.update(b"]")
    return digest.hexdigest()


def _scalar(value: Any) -> str:
    """``canonical_json`` of a value, with the common scalars spelled out as ``json`` spells
    them (``float.__repr__``, ``int.__repr__``) — cheaper than an encoder call per cell."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is float and value - value == 0:  # finite; NaN and inf as json spells them
        return float.__repr__(value)
    if type(value) is int:
        return int.__repr__(value)
    return canonical_json(value)


def input_hash(*, model_sha256: str, inputs: selectors.ApprovedInputs, replications: int,
               spread: float) -> str:
    """SHA-256 of everything the results depend on: the model, every value, the parameters.
    Values are hashed by their shortest repr, so equal inputs give equal hashes everywhere."""
    values = np.asarray(inputs.values, dtype=np.float64)
    missing = np.isnan(values).any(axis=1) if values.size else np.zeros(len(values), dtype=bool)
    gaps = [bool(g) for g in np.asarray(missing).ravel()]
    payload = {
        "model": model_sha256,
        "elements": list(inputs.elements),
        "units": [
            {"region": region.code, "ranked": bool(ranked),
             "values": ([None if v != v else repr(v) for v in row] if gap
                        else list(map(repr, row)))}
            for region, ranked, row, gap in zip(inputs.regions, inputs.ranked.tolist(),
                                                values.tolist(), gaps, strict=True)
        ],
        "replications": replications,
        "spread": repr(float(spread)),
    }
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()


@dataclass(frozen=True)
class Computed:
    input_hash: str
    result_hash: str
    seed: int
    rows: list[dict[str, Any]]
    documents: list[dict[str, str]]  # per row, the canonical JSON of DOCUMENTS


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
    documents = _result_documents(rows)
    result_digest = result_hash(rows, documents)
    return Computed(digest, result_digest, seed, rows, documents)


def run_create(*, cycle: Cycle, actor: Any, replications: int | None = None,
               spread: float | None = None) -> ScoringRun:
    """Score the cycle's approved data and store the result as a new immutable run."""
    spec_elements = tuple(cycle.model_version.elements.values_list("code", flat=True))
    inputs = selectors.approved_inputs(cycle, spec_elements)
    if not inputs.regions:
        raise ApplicationError("NOTHING_APPROVED", NOTHING_APPROVED, params={"year": cycle.year})
    replications = replications or settings.UNCERTAINTY_REPLICATIONS
    spread = settings.UNCERTAINTY_SPREAD if spread is None else spread
    previous = selectors.previous_published_run(cycle)
    computed = compute(cycle=cycle, inputs=inputs, replications=replications, spread=spread,
                       previous=previous)
    with transaction.atomic():
        # FOR NO KEY UPDATE on PostgreSQL: runs of a cycle are numbered one at a time, and
        # rows that only reference the cycle (files, submissions) are not held up.
        locked = Cycle.objects.select_for_update(no_key=True).get(pk=cycle.pk)
        number = (ScoringRun.objects.filter(cycle=locked).count()) + 1
        run = ScoringRun.objects.create(
            cycle=locked, number=number, model_version=cycle.model_version,
            inputs={"versions": {r.code: v for r, v in zip(inputs.regions, inputs.versions,
                                                            strict=True)}},
            input_hash=computed.input_hash, result_hash=computed.result_hash,
            seed=computed.seed, replications=replications, spread=spread, created_by=actor,
            previous_run=previous,
        )
        results_insert(run, computed)
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


def _plain(array: Any) -> list[Any]:
    """An array as (nested) Python lists, NaN as None: the same numbers as reading the
    array cell by cell, without a NumPy scalar and a function call per cell."""
    def row(values: list[Any]) -> list[Any]:
        return [None if v != v else v for v in values]

    data = np.asarray(array)
    if data.ndim == 1:
        return row(data.tolist())
    return [row(r) for r in data.tolist()]


def _unit_rows(spec: core.ModelSpec, inputs: selectors.ApprovedInputs, result: core.ScoreResult,
               uncertainty: Any, previous_ranks: dict[int, int | None]) -> list[dict[str, Any]]:
    dimension_points = _plain(np.asarray(result.dimension_points, dtype=np.float64))
    dimension_ranks = result.dimension_ranks.tolist()
    dimension_incomplete = result.dimension_incomplete.tolist()
    indicator_values = _plain(np.asarray(result.indicator_values, dtype=np.float64))
    indicator_scores = _plain(np.asarray(result.indicator_scores, dtype=np.float64))
    totals = _plain(np.asarray(result.totals, dtype=np.float64))
    total_ranks = result.total_ranks.tolist()
    median, p05, p95 = (_plain(np.asarray(a, dtype=np.float64))
                        for a in (uncertainty.median, uncertainty.p05, uncertainty.p95))
    dimension_codes = [d.code for d in spec.dimensions]
    indicator_codes = [ind.code for ind in spec.indicators]
    rows = []
    for i, region in enumerate(inputs.regions):
        ranked = bool(inputs.ranked[i])
        dimensions = {
            code: {"points": points, "rank": (int(rank) or None) if ranked else None,
                   "incomplete": bool(incomplete)}
            for code, points, rank, incomplete in zip(
                dimension_codes, dimension_points[i], dimension_ranks[i],
                dimension_incomplete[i], strict=True)
        }
        indicators = {
            code: {"value": value, "score": score}
            for code, value, score in zip(indicator_codes, indicator_values[i],
                                          indicator_scores[i], strict=True)
        }
        rows.append({
            "region": region,
            "version_id_read": inputs.versions[i],
            "total": totals[i],
            "rank": (int(total_ranks[i]) or None) if ranked else None,
            "tier": result.tiers[i] or "",
            "incomplete": any(dimension_incomplete[i]),
            "dimensions": dimensions,
            "indicators": indicators,
            "rank_median": median[i] if ranked else None,
            "rank_p05": p05[i] if ranked else None,
            "rank_p95": p95[i] if ranked else None,
            "previous_rank": previous_ranks.get(region.pk) if ranked else None,
        })
    return rows


def results_insert(run: ScoringRun, computed: Computed) -> None:
    """Insert a new run's results; on PostgreSQL through COPY (``common.db.copy_rows``), each
    value as the field prepares it for ``bulk_create``, and the JSON documents as already
    serialised for the result hash."""
    if not copy_available():
        UnitResult.objects.bulk_create([UnitResult(run=run, **row) for row in computed.rows],
                                       batch_size=1000)
        return
    fields = [f for f in UnitResult._meta.concrete_fields if not f.primary_key]
    database = connections[DEFAULT_DB_ALIAS]  # not the proxy: read per value (common.db)

    def value(field: Any, row: dict[str, Any], docs: dict[str, str]) -> Any:
        if field.name in docs:
            return docs[field.name]
        if field.name == "run":
            return run.pk
        if field.name == "region":
            return row["region"].pk
        raw = row[field.name] if field.name in row else field.get_default()
        return field.get_db_prep_save(raw, database)

    copy_rows(UnitResult, [str(f.column) for f in fields],
              ([value(f, row, docs) for f in fields]
               for row, docs in zip(computed.rows, computed.documents, strict=True)))


def run_publish(*, run: ScoringRun, actor: Any, note: str = "",
                allow_incomplete: bool = False, revises: int | None = None) -> ScoringRun:
    """Make a run's rankings public. A later publication in the same cycle is a revision of
    the earlier one and needs a note; the earlier one stays visible.

    A run without a result for every ranked region is published only with
    ``allow_incomplete`` (the web's checkbox, the command's ``--allow-incomplete``), and is
    then a partial publication wherever it is shown (``selectors.run_coverage``).

    ``revises``: the id of the publication the caller was shown this one would revise (0: the
    year's first); when another was published since, it is refused (``PUBLICATION_CHANGED``)
    so that nobody confirms one thing and gets another."""
    with transaction.atomic():
        locked_cycle = Cycle.objects.select_for_update().get(pk=run.cycle_id)
        run = ScoringRun.objects.select_for_update().get(pk=run.pk)
        if run.is_published:
            raise ApplicationError("ALREADY_PUBLISHED", ALREADY_PUBLISHED,
                                   params={"number": run.number})
        # What the run covers decides, not what the cycle holds now: a run scored on 2 regions
        # stays a run of 2 regions however many are approved since.
        missing = selectors.regions_not_covered(run)
        if missing and not allow_incomplete:
            separator = pgettext("enumeration separator", "、")
            raise ApplicationError("INCOMPLETE", INCOMPLETE, params={
                "regions": separator.join(r.short_name for r in missing)})
        revision_of = selectors.latest_published_run(locked_cycle)
        if revises is not None and revises != (revision_of.pk if revision_of else 0):
            raise ApplicationError("PUBLICATION_CHANGED", PUBLICATION_CHANGED,
                                   params={"year": locked_cycle.year})
        if len(note.strip()) > NOTE_MAX_LENGTH:
            raise ApplicationError("NOTE_TOO_LONG", NOTE_TOO_LONG, field="note",
                                   params={"limit": NOTE_MAX_LENGTH})
        if revision_of is not None and not note.strip():
            raise ApplicationError("NOTE_REQUIRED", NOTE_REQUIRED, field="note")
        run.published_at = timezone.now()
        run.published_by = actor
        run.publication_number = (revision_of.publication_number or 0) + 1 if revision_of else 1
        run.revision_of = revision_of
        run.note = note.strip()
        run.save(update_fields=["published_at", "published_by", "publication_number",
                                "revision_of", "note"])
        coverage = selectors.run_coverage(run)
        locked_cycle.state = Cycle.State.PUBLISHED
        locked_cycle.save(update_fields=["state"])
        log_action(actor=actor, action="scoring.publish", obj=run, cycle_year=locked_cycle.year,
                   data={"run": run.number, "publication": run.publication_number,
                         "revision_of": revision_of.number if revision_of else None,
                         "note": run.note, "incomplete": [r.code for r in missing],
                         "partial": coverage.partial, "covered": coverage.covered,
                         "of": coverage.of})
    return run

"""`score --cycle YEAR`: a new immutable run from the approved data, its id printed; the same
inputs give the same hash and the same results, rank uncertainty included (product.md,
"Scoring and publication", "Command line")."""

from __future__ import annotations

import hashlib
import io
import json
import math
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections

from audit.models import AuditEntry
from scoring import selectors
from scoring.models import ScoringRun, UnitResult
from scoring.services import _scalar, compute, run_verify
from submissions.models import Cycle
from tests.scoring.conftest import CORPS, empty_cycle, scaled_rows, score
from tests.submissions.helpers import bulk_rows

RESULT_FIELDS = ["region__code", "version_id_read", "total", "rank", "tier", "incomplete",
                 "dimensions", "indicators", "rank_median", "rank_p05", "rank_p95",
                 "previous_rank"]


def _results(run: ScoringRun) -> list[dict[str, object]]:
    return list(UnitResult.objects.filter(run=run).order_by("region__code")
                .values(*RESULT_FIELDS))


def test_it_creates_a_run_and_prints_its_id(load, all_codes):
    load(all_codes)
    out = io.StringIO()
    call_command("score", "--cycle", "2017", stdout=out)
    run = ScoringRun.objects.get()
    assert out.getvalue() == f"{run.pk}\n"
    assert run.number == 1 and run.created_by.username == "operator"
    assert run.model_version.code == "2017" and not run.is_published
    assert run.replications == settings.UNCERTAINTY_REPLICATIONS
    assert run.spread == settings.UNCERTAINTY_SPREAD
    assert Cycle.objects.get(year=2017).state == Cycle.State.SCORED
    assert AuditEntry.objects.filter(action="scoring.run").count() == 1


def test_it_gives_the_same_hash_and_results_for_the_same_inputs(load, all_codes):
    load(all_codes)
    first, second = score(), score()
    assert first.pk != second.pk and (first.number, second.number) == (1, 2)
    assert first.input_hash == second.input_hash
    assert first.result_hash == second.result_hash
    assert first.seed == second.seed and first.inputs == second.inputs
    assert _results(first) == _results(second)
    assert len(_results(first)) == 32


def test_it_gives_the_same_hash_for_the_same_values_in_another_cycle(load, all_codes):
    """The hash covers the model, the values and the parameters — not the cycle's year."""
    load(all_codes, year=2017)
    first = score(2017)
    empty_cycle(2018, first.created_by)
    load(all_codes, year=2018)
    second = score(2018)
    assert second.inputs != first.inputs  # other versions were read…
    assert second.input_hash == first.input_hash  # …holding the same values
    assert second.seed == first.seed

    def without_versions(run):
        return [{k: v for k, v in row.items() if k != "version_id_read"} for row in _results(run)]

    assert without_versions(second) == without_versions(first)


def test_it_gives_another_hash_when_a_value_changes(load, all_codes):
    load(all_codes, year=2017)
    first = score(2017)
    empty_cycle(2018, first.created_by)
    rows = bulk_rows(all_codes)
    index = next(i for i, row in enumerate(rows) if row[:2] == ("110000", "E201"))
    code, element, value, note = rows[index]
    rows[index] = (code, element, Decimal(str(value)) - Decimal("0.01"), note)
    load(rows=rows, year=2018)
    second = score(2018)
    assert second.input_hash != first.input_hash
    assert second.result_hash != first.result_hash
    changed = UnitResult.objects.get(run=second, region__code="110000")
    before = UnitResult.objects.get(run=first, region__code="110000")
    assert changed.dimensions["D2"]["points"] < before.dimensions["D2"]["points"]
    assert changed.dimensions["D1"] == before.dimensions["D1"]


def test_it_gives_another_hash_when_a_region_is_added(load, all_codes):
    load(all_codes[:-2], year=2017)
    first = score(2017)
    empty_cycle(2018, first.created_by)
    load(all_codes, year=2018)
    assert score(2018).input_hash != first.input_hash


def test_it_ignores_unapproved_versions(load, all_codes):
    load(all_codes)
    first = score()
    # a validated but unapproved draft in another cycle does not count there either
    empty_cycle(2018, first.created_by)
    load(rows=scaled_rows(all_codes, lambda code: 0.9), year=2018, approve=False)
    with pytest.raises(CommandError, match="2018 年度还没有审核通过的填报"):
        call_command("score", "--cycle", "2018")
    assert score().input_hash == first.input_hash


def test_it_exits_non_zero_with_a_clear_message_without_approved_data(bootstrapped, capsys,
                                                                      administrator,
                                                                      monkeypatch):
    empty_cycle(2017, administrator)
    # As from a shell, but in this process: the command's closing of the connections at the
    # end would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "score", "--cycle", "2017"])
    assert exit_info.value.code != 0
    assert "2017 年度还没有审核通过的填报，无法测算" in capsys.readouterr().err
    assert not ScoringRun.objects.exists()
    with pytest.raises(CommandError, match="还没有审核通过的填报"):
        call_command("score", "--cycle", "2017")


def test_it_stores_exactly_what_it_computed(load, all_codes):
    """What is written (COPY on PostgreSQL, bulk_create elsewhere) reads back bit for bit,
    and the run verifies identical from the versions it read."""
    load(all_codes)
    run = score()
    inputs = selectors.approved_inputs(run.cycle, tuple(
        run.model_version.elements.values_list("code", flat=True)))
    computed = compute(cycle=run.cycle, inputs=inputs, replications=run.replications,
                       spread=run.spread, previous=None)
    assert computed.input_hash == run.input_hash and computed.result_hash == run.result_hash
    stored = {r["region__code"]: r for r in _results(run)}
    assert len(stored) == len(computed.rows) == 32
    for row in computed.rows:
        expected = {k: v for k, v in row.items() if k != "region"}
        assert {k: v for k, v in stored[row["region"].code].items()
                if k != "region__code"} == expected, row["region"].code
    corps = stored[CORPS]
    assert corps["rank"] is None and corps["rank_median"] is None
    assert corps["dimensions"]["D1"]["rank"] is None
    verification = run_verify(run=run)
    assert verification.identical and verification.differences == []


def test_it_hashes_the_results_as_their_canonical_json(load, all_codes):
    """The result hash is assembled from pre-serialised parts; it must be the SHA-256 of the
    canonical JSON of the whole result list, as a reader would compute it."""
    load(all_codes)
    run = score()
    inputs = selectors.approved_inputs(run.cycle, tuple(
        run.model_version.elements.values_list("code", flat=True)))
    computed = compute(cycle=run.cycle, inputs=inputs, replications=run.replications,
                       spread=run.spread, previous=None)
    plain = json.dumps(
        [{k: v for k, v in row.items() if k != "region"} | {"region": row["region"].code}
         for row in computed.rows],
        sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert hashlib.sha256(plain).hexdigest() == computed.result_hash == run.result_hash
    assert plain.count(b"null") > 0  # the corps' ranks: None values are part of it


@pytest.mark.parametrize("value", [None, True, False, 0, -3, 2**70, 0.1, -0.0, 5.0, 1e16,
                                   1e-320, 82.97485564487104, math.nan, math.inf, "leading",
                                   "中文\"", [1.5, None], {"b": 1, "a": 2}])
def test_it_spells_each_cell_of_the_result_hash_as_json_does(value):
    assert _scalar(value) == json.dumps(value, sort_keys=True, ensure_ascii=False,
                                        separators=(",", ":"))


def test_it_refuses_an_unknown_cycle(bootstrapped):
    with pytest.raises(CommandError, match="no cycle 2031"):
        call_command("score", "--cycle", "2031")
    assert not ScoringRun.objects.exists()


def test_it_refuses_an_unknown_user(load, all_codes):
    load(all_codes)
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("score", "--cycle", "2017", "--user", "nobody")
    assert not ScoringRun.objects.exists()


def test_it_stores_rank_uncertainty_for_each_ranked_unit(load, all_codes):
    load(all_codes)
    run = score()
    results = list(UnitResult.objects.filter(run=run).select_related("region"))
    for result in results:
        if result.region.code == CORPS:
            assert (result.rank_p05, result.rank_median, result.rank_p95) == (None, None, None)
            continue
        assert 1 <= result.rank_p05 <= result.rank_median <= result.rank_p95 <= 31
        for value in (result.rank_p05, result.rank_median, result.rank_p95):
            assert value == int(value)  # a rank that occurred in some replication
    # 北京 leads clearly: its rank barely moves when the weights move by ±20 %
    beijing = next(r for r in results if r.region.code == "110000")
    assert beijing.rank_median <= 2 and beijing.rank_p95 <= 3
    # somebody's rank does move
    assert any(r.rank_p05 < r.rank_p95 for r in results if r.rank is not None)


def test_it_draws_the_uncertainty_from_a_seed_taken_from_the_inputs(load, all_codes):
    load(all_codes)
    first, second = score(), score()
    assert first.seed == second.seed == int(first.input_hash[:15], 16)
    fields = ("region__code", "rank_median", "rank_p05", "rank_p95")
    assert (list(UnitResult.objects.filter(run=first).order_by("region__code").values(*fields))
            == list(UnitResult.objects.filter(run=second).order_by("region__code")
                    .values(*fields)))

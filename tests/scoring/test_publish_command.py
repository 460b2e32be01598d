"""`publish --cycle YEAR [--run ID] [--note TEXT]`: publication makes a run public and never
changes afterwards; a correction is a new run published as a revision with a note, and both
stay visible; rank changes are measured against the previous cycle's publication (product.md,
"Scoring and publication")."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from indicators.models import Region
from public.selectors import published_runs
from scoring.models import ScoringRun, UnitResult
from scoring.selectors import latest_published_run
from submissions.models import Cycle
from tests.scoring.conftest import CORPS, empty_cycle, publish, scaled_rows, score


def test_it_refuses_a_cycle_with_ranked_regions_not_approved(load, all_codes):
    missing = ["540000", "630000"]  # 西藏, 青海
    load([c for c in all_codes if c not in missing])
    run = score()
    with pytest.raises(CommandError) as refused:
        publish()
    message = str(refused.value)
    assert "本次测算不含以下参与排名的地区" in message
    assert "西藏" in message and "青海" in message and "北京" not in message
    run.refresh_from_db()
    assert not run.is_published and run.publication_number is None
    assert Cycle.objects.get(year=2017).state == Cycle.State.SCORED

    # The flag is the deliberate choice: nothing is asked, no --yes.
    out = publish(2017, "--allow-incomplete")
    assert "first publication" in out and "partial publication: 29/31 regions" in out
    run.refresh_from_db()
    assert run.is_published and run.publication_number == 1
    entry = AuditEntry.objects.get(action="scoring.publish")
    assert entry.data["incomplete"] == missing
    assert (entry.data["partial"], entry.data["covered"], entry.data["of"]) == (True, 29, 31)


def test_what_the_run_covers_decides_not_what_the_cycle_holds_now(load, all_codes):
    """A run scored on 29 regions stays a run of 29 after the other two are approved: it is
    refused without the flag, as a partial publication."""
    missing = ["540000", "630000"]
    load([c for c in all_codes if c not in missing])
    run = score()
    load(missing, late="西藏、青海补报")  # every region approved now, the run unchanged
    with pytest.raises(CommandError) as refused:
        publish(2017, "--run", str(run.pk))
    assert "西藏" in str(refused.value)
    run.refresh_from_db()
    assert not run.is_published


def test_it_does_not_wait_for_the_unranked_corps(load, provinces):
    load(provinces)  # every province, not the corps
    run = score()
    assert not UnitResult.objects.filter(run=run, region__code=CORPS).exists()
    publish()
    run.refresh_from_db()
    assert run.is_published


def test_it_publishes_the_first_run_as_publication_1(load, all_codes):
    load(all_codes)
    run = score()
    out = publish()
    run.refresh_from_db()
    assert out == f"published run {run.pk} of cycle 2017 (first publication)\n"
    assert run.publication_number == 1 and run.revision_of is None and run.note == ""
    assert run.published_by.username == "operator" and run.published_at is not None
    assert Cycle.objects.get(year=2017).state == Cycle.State.PUBLISHED
    assert latest_published_run(run.cycle) == run


def test_it_publishes_the_named_run(load, all_codes):
    load(all_codes)
    first, _second = score(), score()
    publish(2017, "--run", str(first.pk))
    assert latest_published_run(first.cycle) == first
    assert not ScoringRun.objects.get(pk=_second.pk).is_published


def test_it_refuses_an_unknown_run_or_cycle(load, all_codes):
    with pytest.raises(CommandError, match="no cycle 2017"):
        publish()
    load(all_codes)
    with pytest.raises(CommandError, match="no scoring run"):
        publish()  # a cycle without a run
    run = score()
    with pytest.raises(CommandError, match="no scoring run"):
        publish(2017, "--run", str(run.pk + 1000))


def test_it_refuses_to_publish_a_published_run_again(load, all_codes):
    load(all_codes)
    run = score()
    publish()
    run.refresh_from_db()
    stamp = run.published_at
    for args in ((), ("--run", str(run.pk)), ("--run", str(run.pk), "--note", "再发一次")):
        with pytest.raises(CommandError, match="已经发布，不能再次发布"):
            publish(2017, *args)
    run.refresh_from_db()
    assert run.published_at == stamp and run.note == "" and run.publication_number == 1
    assert AuditEntry.objects.filter(action="scoring.publish").count() == 1


def test_it_publishes_a_correction_as_a_revision_with_a_note(load, all_codes):
    load(all_codes)
    first = score()
    publish()
    second = score()
    with pytest.raises(CommandError, match="修订版发布必须填写说明"):
        publish()
    with pytest.raises(CommandError, match="修订版发布必须填写说明"):
        publish(2017, "--note", "   ")
    second.refresh_from_db()
    assert not second.is_published

    out = publish(2017, "--note", "更正北京的网民数量")
    assert out == f"published run {second.pk} of cycle 2017 (revision of run {first.pk})\n"
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.revision_of == first and second.publication_number == 2
    assert second.note == "更正北京的网民数量"
    # both stay published and listed; the latest is the one shown by default
    assert first.is_published and first.publication_number == 1 and first.note == ""
    assert list(published_runs()) == [second, first]
    assert latest_published_run(first.cycle) == second

    third = score()
    publish(2017, "--note", "再次更正")
    third.refresh_from_db()
    assert third.revision_of == second and third.publication_number == 3


@pytest.fixture
def two_cycles(load, all_codes, administrator):
    """2016 (bound to the 2017 model: there is no 2016 model) with lower, reshuffled values,
    scored and published; then 2017 with the demo values."""
    empty_cycle(2016, administrator)
    order = {code: i for i, code in enumerate(all_codes)}
    # 2016 is a worse year for everybody, and the later a region in the list, the better it did
    load(rows=scaled_rows(all_codes, lambda code: 0.70 + 0.008 * order[code]), year=2016)
    previous = score(2016)
    publish(2016)
    previous.refresh_from_db()
    load(all_codes, year=2017)
    return previous, score(2017)


def test_it_stores_the_rank_change_against_the_previous_cycle(two_cycles):
    previous, run = two_cycles
    assert run.previous_run == previous
    before = {r.region.code: r.rank for r in previous.results.select_related("region")}
    results = list(run.results.select_related("region"))
    assert len(results) == 32
    for result in results:
        if result.region.code == CORPS:
            assert result.previous_rank is None and result.rank_change is None
            continue
        assert result.previous_rank == before[result.region.code]
        assert result.rank_change == result.previous_rank - result.rank
    assert any(r.rank_change for r in results if r.rank is not None)  # the ranking moved
    assert sum(r.rank_change > 0 for r in results if r.rank_change) > 0
    assert sum(r.rank_change < 0 for r in results if r.rank_change) > 0


def test_it_keeps_measuring_against_the_latest_publication_of_the_previous_cycle(
        two_cycles, load, all_codes):
    previous, _run = two_cycles
    revision = score(2016)
    publish(2016, "--note", "2016 更正")
    revision.refresh_from_db()
    assert revision.revision_of == previous
    assert score(2017).previous_run == revision


def test_it_has_no_previous_ranks_without_an_earlier_publication(load, all_codes,
                                                                 administrator):
    empty_cycle(2016, administrator)
    load(rows=scaled_rows(all_codes, lambda code: 0.9), year=2016)
    score(2016)  # scored, never published
    load(all_codes, year=2017)
    run = score(2017)
    assert run.previous_run is None
    assert not run.results.exclude(previous_rank=None).exists()


def test_it_ranks_exactly_the_ranked_regions(load, all_codes):
    """The ranking covers exactly the ranked regions with approved data."""
    load(all_codes)
    run = score()
    publish()
    ranked = set(Region.objects.filter(ranked=True).values_list("code", flat=True))
    assert set(run.results.exclude(rank=None).values_list("region__code", flat=True)) == ranked


def test_it_records_the_user_given(load, all_codes, administrator):
    load(all_codes)
    run = score()
    call_command("publish", "--cycle", "2017", "--user", administrator.username)
    run.refresh_from_db()
    assert run.published_by == administrator
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("publish", "--cycle", "2017", "--user", "nobody")


def test_a_stale_confirmation_is_refused_by_the_service(load, all_codes, administrator):
    """``revises``: what the caller was shown would be revised; another publication since
    then is refused, under the cycle's lock (the web's confirmation page sends it)."""
    from common.errors import ApplicationError
    from scoring.services import run_publish

    load(all_codes)
    first, second = score(), score()
    run_publish(run=first, actor=administrator, revises=0)
    with pytest.raises(ApplicationError) as refused:
        run_publish(run=second, actor=administrator, note="修订", revises=0)
    assert refused.value.code == "PUBLICATION_CHANGED"
    second.refresh_from_db()
    assert not second.is_published
    run_publish(run=second, actor=administrator, note="修订", revises=first.pk)
    second.refresh_from_db()
    assert second.is_published and second.revision_of_id == first.pk

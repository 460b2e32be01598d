"""A scoring run never changes once written, except to be published once; its results never
change at all — checked below the view layer, where a careless script or shell would write.

Vendor split: the ORM guards (``ScoringRun.save``/``delete``, ``UnitResult.save``/``delete``)
are checked on every database. A raw ``QuerySet.update()``/``delete()`` goes past them; on
PostgreSQL the trigger of ``scoring/migrations/0002_immutable_runs_trigger.py`` refuses it in the
database, and the tests check that there. SQLite has no such trigger: on SQLite the same tests
check the ORM guards only (this is not a skip — those assertions run on both)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from indicators.models import Region
from scoring.models import ImmutableRunError, ScoringRun, UnitResult
from scoring.services import run_publish
from tests.scoring.conftest import score

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def run(load, all_codes) -> ScoringRun:
    load(all_codes)
    return score()


@pytest.fixture
def published(run, administrator) -> ScoringRun:
    return run_publish(run=run, actor=administrator)


# Each field of a run, with a different value of the right type.
CHANGES = {
    "number": 99, "inputs": {"versions": {}}, "input_hash": "0" * 64, "result_hash": "1" * 64,
    "seed": 1, "replications": 10, "spread": 0.5, "note": "改一下",
    "publication_number": 7,
}


@pytest.mark.parametrize("field", [*CHANGES, "published_at", "published_by", "revision_of",
                                   "created_by", "model_version", "previous_run", "cycle"])
def test_it_refuses_any_change_of_a_published_run(published, field, administrator):
    run = ScoringRun.objects.get(pk=published.pk)
    if field in CHANGES:
        setattr(run, field, CHANGES[field])
    elif field == "published_at":
        run.published_at = None
    elif field in ("published_by", "created_by"):
        setattr(run, field, administrator)
    elif field in ("revision_of", "previous_run"):
        setattr(run, field, run)
    elif field == "model_version":
        run.model_version_id = run.model_version_id
    else:
        run.cycle_id = run.cycle_id
    with pytest.raises(ImmutableRunError, match="published"):
        run.save()
    with pytest.raises(ImmutableRunError, match="published"):
        run.save(update_fields=[field])
    stored = ScoringRun.objects.get(pk=published.pk)
    assert stored.published_at == published.published_at and stored.note == published.note
    assert stored.input_hash == published.input_hash and stored.number == published.number


def test_it_refuses_saving_a_published_run_unchanged(published):
    with pytest.raises(ImmutableRunError):
        published.save()
    with pytest.raises(ImmutableRunError):
        ScoringRun.objects.get(pk=published.pk).save(update_fields=["note"])


def test_it_refuses_changing_an_unpublished_run_except_to_publish_it(run):
    run.input_hash = "0" * 64
    with pytest.raises(ImmutableRunError, match="only publication"):
        run.save()
    with pytest.raises(ImmutableRunError, match="only publication"):
        run.save(update_fields=["input_hash", "published_at"])
    assert ScoringRun.objects.get(pk=run.pk).input_hash != "0" * 64


def test_it_never_deletes_a_run(run, published):
    with pytest.raises(ImmutableRunError):
        published.delete()
    assert ScoringRun.objects.filter(pk=run.pk).exists()


def test_it_refuses_changing_or_deleting_a_result(published):
    result = UnitResult.objects.filter(run=published).first()
    total = result.total
    result.total = 100.0
    with pytest.raises(ImmutableRunError):
        result.save()
    with pytest.raises(ImmutableRunError):
        result.save(update_fields=["total"])
    with pytest.raises(ImmutableRunError):
        result.delete()
    assert UnitResult.objects.get(pk=result.pk).total == total


def test_it_refuses_adding_a_result_to_a_published_run(published):
    region = Region.objects.create(code="990000", name_zh="测试地区", short_name_zh="测试",
                                   name_en="Test region", macro_region="west")
    with pytest.raises(ImmutableRunError):
        UnitResult.objects.create(run=published, region=region, total=99.0, rank=1)
    with pytest.raises(ImmutableRunError):
        UnitResult(run_id=published.pk, region=region, total=99.0).save()
    assert UnitResult.objects.filter(run=published).count() == 32


def test_it_refuses_changing_a_result_of_an_unpublished_run(run):
    result = UnitResult.objects.filter(run=run).first()
    result.rank = 1
    with pytest.raises(ImmutableRunError):
        result.save()
    with pytest.raises(ImmutableRunError):
        result.delete()
    # and a new result cannot be slipped into a stored run under an existing region
    with pytest.raises(DatabaseError), transaction.atomic():
        UnitResult.objects.create(run=run, region=result.region, total=1.0)


def test_it_refuses_a_raw_update_of_a_published_run(published):
    """PostgreSQL: the trigger refuses ``QuerySet.update()`` on a published run. SQLite: no
    trigger; only the ORM guards hold there (checked above and again here)."""
    if ON_POSTGRESQL:
        for change in ({"note": "悄悄改"}, {"published_at": None}, {"input_hash": "0" * 64},
                       {"publication_number": 9}):
            with pytest.raises(DatabaseError, match="published scoring run cannot change"), \
                    transaction.atomic():
                ScoringRun.objects.filter(pk=published.pk).update(**change)
        # (QuerySet.delete() stops earlier, at the results' PROTECT foreign key; raw SQL
        # meets the trigger before the foreign key is checked)
        with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute("DELETE FROM scoring_scoringrun WHERE id = %s", [published.pk])
        stored = ScoringRun.objects.get(pk=published.pk)
        assert stored.note == "" and stored.published_at == published.published_at
        assert stored.publication_number == 1
    else:
        published.note = "悄悄改"
        with pytest.raises(ImmutableRunError):
            published.save(update_fields=["note"])
        assert ScoringRun.objects.get(pk=published.pk).note == ""


def test_it_refuses_a_raw_update_of_results(published, run):
    """PostgreSQL: the trigger refuses ``QuerySet.update()`` and ``delete()`` on result rows,
    published or not. SQLite: the ORM guards only."""
    if ON_POSTGRESQL:
        with pytest.raises(DatabaseError, match="scoring results are immutable: UPDATE"), \
                transaction.atomic():
            UnitResult.objects.filter(run=published).update(total=0)
        with pytest.raises(DatabaseError, match="scoring results are immutable: DELETE"), \
                transaction.atomic():
            UnitResult.objects.filter(run=published, region__code="110000").delete()
        assert not UnitResult.objects.filter(run=published, total=0).exists()
        assert UnitResult.objects.filter(run=published).count() == 32
    else:
        for result in UnitResult.objects.filter(run=published)[:3]:
            result.total = 0
            with pytest.raises(ImmutableRunError):
                result.save()
        assert not UnitResult.objects.filter(run=published, total=0).exists()


def test_it_refuses_a_raw_update_of_an_unpublished_runs_hashes(run):
    """PostgreSQL: before publication the trigger lets the publication fields change and
    refuses the hashes and inputs. SQLite: the ORM guard only."""
    if ON_POSTGRESQL:
        for change in ({"input_hash": "0" * 64}, {"result_hash": "0" * 64},
                       {"inputs": {"versions": {}}}):
            with pytest.raises(DatabaseError, match="only publication"), transaction.atomic():
                ScoringRun.objects.filter(pk=run.pk).update(**change)
    run.result_hash = "0" * 64
    with pytest.raises(ImmutableRunError):
        run.save(update_fields=["result_hash"])
    assert ScoringRun.objects.get(pk=run.pk).result_hash != "0" * 64


def test_it_still_publishes_through_the_guards(run, administrator):
    """Publication is the one write the guards and the trigger let through."""
    published = run_publish(run=run, actor=administrator)
    stored = ScoringRun.objects.get(pk=run.pk)
    assert stored.is_published and stored.publication_number == 1
    assert published.published_by == administrator

"""common.db.bulk_insert: many new rows at once (COPY on PostgreSQL), as bulk_create would
store them."""

from __future__ import annotations

import pytest

from common import db
from submissions.models import Version


@pytest.mark.parametrize("copy_from_rows", [1, 10_000])  # COPY on PostgreSQL; bulk_create
def test_it_stores_the_objects_with_their_keys_and_defaults(bj_submission, officer_bj,
                                                            monkeypatch, copy_from_rows):
    monkeypatch.setattr(db, "COPY_FROM_ROWS", copy_from_rows)
    versions = [Version(submission=bj_submission, number=n, source=Version.Source.BULK,
                        created_by=officer_bj, diff=[{"code": "P01", "to": f"{n}\t\"x\\"}])
                for n in range(1, 6)]
    stored = db.bulk_insert(versions)
    assert [v.pk for v in stored] == [v.pk for v in versions]
    assert all(v.pk is not None and not v._state.adding for v in versions)
    assert len({v.pk for v in versions}) == 5
    for version in versions:
        again = Version.objects.get(pk=version.pk)
        assert again.number == version.number and again.diff == version.diff
        assert again.created_at is not None and again.created_at == version.created_at
        assert again.validation == Version.Validation.PENDING  # the field's default
    # the sequence moved past the ids taken: the next insert gets a new one
    later = Version.objects.create(submission=bj_submission, number=6, source="bulk",
                                   created_by=officer_bj)
    assert later.pk not in {v.pk for v in versions}


@pytest.mark.django_db
def test_it_takes_an_empty_list():
    assert list(db.bulk_insert([])) == []

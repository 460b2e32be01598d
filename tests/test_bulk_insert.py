"""common.db.bulk_insert: many new rows at once (COPY on PostgreSQL), as bulk_create would
store them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from common import db
from submissions.models import Value, Version


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


# --- common.db.copy_rows: the one COPY writer (bulk_insert, scoring results, bulk values) ---

POSTGRESQL = connection.vendor == "postgresql"
VALUE_COLUMNS = ("version_id", "element_id", "value", "raw", "note", "sheet", "row", "column")


def _version(submission, officer, number: int = 1) -> Version:
    return Version.objects.create(submission=submission, number=number,
                                  source=Version.Source.BULK, created_by=officer)


@pytest.mark.django_db
def test_it_offers_copy_on_postgresql_only():
    assert db.copy_available() is POSTGRESQL


@pytest.mark.skipif(not POSTGRESQL, reason="COPY exists on PostgreSQL only; elsewhere "
                                           "bulk_insert is bulk_create, tested above")
def test_it_copies_rows_as_given_with_text_escaped(bj_submission, officer_bj):
    version = _version(bj_submission, officer_bj)
    elements = list(bj_submission.cycle.model_version.elements.order_by("order")[:3])
    awkward = "tab\there, line\nbreak, back\\slash, \\N, 中文"
    rows = [(version.pk, elements[0].pk, Decimal("1.5"), "1.5", awkward, "数据", 2, "C"),
            (version.pk, elements[1].pk, None, "", "", "", None, ""),
            (version.pk, elements[2].pk, Decimal("-0.000001"), "-1e-6", "\\", "s", 0, "AB")]
    with transaction.atomic():
        assert db.copy_rows(Value, VALUE_COLUMNS, iter(rows)) == 3
    stored = {v.element_id: v for v in Value.objects.filter(version=version)}
    first, second, third = (stored[e.pk] for e in elements)
    assert (first.value, first.raw, first.note, first.sheet, first.row, first.column) == (
        Decimal("1.5"), "1.5", awkward, "数据", 2, "C")
    assert (second.value, second.row, second.note) == (None, None, "")
    assert (third.value, third.note, third.column) == (Decimal("-0.000001"), "\\", "AB")


@pytest.mark.skipif(not POSTGRESQL, reason="COPY exists on PostgreSQL only")
def test_it_copies_through_a_cursor_of_the_same_connection_and_checks_constraints(
        bj_submission, officer_bj):
    version = _version(bj_submission, officer_bj)
    element = bj_submission.cycle.model_version.elements.first()
    row = (version.pk, element.pk, Decimal(1), "1", "", "", 1, "C")
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:  # as the bulk load's writer thread
            assert db.copy_rows(Value, VALUE_COLUMNS, [row], cursor=cursor) == 1
    assert Value.objects.filter(version=version).count() == 1
    # the unique (version, element) index holds for COPY as for INSERT: nothing is written
    with pytest.raises(IntegrityError), transaction.atomic():
        db.copy_rows(Value, VALUE_COLUMNS, [row, row])
    assert Value.objects.filter(version=version).count() == 1


@pytest.mark.django_db
def test_it_writes_nothing_for_no_rows(bj_submission):
    if POSTGRESQL:
        with transaction.atomic():
            assert db.copy_rows(Value, VALUE_COLUMNS, []) == 0
    assert not Value.objects.exists()

"""``log_action`` appends hash-chained entries; ``verify_audit`` finds an entry changed or removed.

On PostgreSQL a trigger refuses UPDATE and DELETE on the log, so there the tests assert the
refusal instead of the detection.
"""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry, AuditHead
from audit.selectors import audit_verify_chain
from audit.services import GENESIS_HASH, canonical_content, chain_hash, log_action
from tests.factories import UserFactory

POSTGRESQL = connection.vendor == "postgresql"


def _log(n: int, actor=None) -> list[AuditEntry]:
    entries = []
    for i in range(1, n + 1):
        with transaction.atomic():
            entries.append(log_action(
                actor=actor, action="test.step", object_type="test", object_id=str(i),
                region_code="110000", cycle_year=2017, data={"step": i, "名称": "北京", "x": 0.1},
            ))
    return entries


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_log_outside_a_transaction():
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside the transaction"):
        log_action(actor=None, action="test.outside")
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_it_logs_inside_a_transaction_when_not_in_a_test_transaction():
    with transaction.atomic():
        entry = log_action(actor=None, action="test.inside")
    assert AuditEntry.objects.get().pk == entry.pk
    assert entry.sequence == 1


def test_it_chains_the_entries(db):
    entries = _log(4)
    stored = list(AuditEntry.objects.order_by("sequence"))
    assert [e.sequence for e in stored] == [1, 2, 3, 4]
    assert stored[0].previous_hash == GENESIS_HASH
    for prior, entry in itertools.pairwise(stored):
        assert entry.previous_hash == prior.entry_hash
    assert len({e.entry_hash for e in stored}) == 4
    assert [e.entry_hash for e in stored] == [e.entry_hash for e in entries]
    head = AuditHead.objects.get()
    assert (head.sequence, head.entry_hash) == (4, stored[-1].entry_hash)


def test_it_records_who_did_what_to_which_object(db):
    user = UserFactory(username="officer-x")
    with transaction.atomic():
        entry = log_action(actor=user, action="submission.submit", obj=user, data={"n": 1})
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor_id == user.pk
    assert stored.actor_name == "officer-x"
    assert stored.object_type == "accounts.user"
    assert stored.object_id == str(user.pk)
    assert stored.data == {"n": 1}
    with transaction.atomic():
        system = log_action(actor=None, action="system.job")
    assert (system.actor_id, system.actor_name) == (None, "system")


def test_it_hashes_the_entry_content_onto_the_previous_hash(db):
    first, second = _log(2)
    stored = AuditEntry.objects.get(sequence=2)
    content = canonical_content(
        sequence=2, created_at=stored.created_at, actor_id=None, actor_name="system",
        action="test.step", object_type="test", object_id="2", region_code="110000",
        cycle_year=2017, data={"step": 2, "名称": "北京", "x": 0.1},
    )
    assert second.entry_hash == chain_hash(first.entry_hash, content)
    assert second.entry_hash != chain_hash(GENESIS_HASH, content)


def test_it_verifies_an_intact_log(db, capsys):
    _log(5)
    report = audit_verify_chain()
    assert (report.checked, report.broken_at) == (5, None)
    call_command("verify_audit")
    assert "audit log intact: 5 entries verified" in capsys.readouterr().out


def test_it_verifies_an_empty_log(db, capsys):
    call_command("verify_audit")
    assert "0 entries verified" in capsys.readouterr().out


def test_it_verifies_the_log_written_by_bootstrap(bootstrapped, capsys):
    assert AuditEntry.objects.exists()
    call_command("verify_audit")
    assert "audit log intact" in capsys.readouterr().out


@pytest.mark.parametrize(
    "change",
    [
        {"data": {"step": 3, "名称": "上海", "x": 0.1}},
        {"action": "test.other"},
        {"region_code": "310000"},
        {"actor_name": "someone"},
    ],
    ids=["data", "action", "region", "actor name"],
)
def test_it_detects_an_entry_changed_afterwards(db, change):
    _log(5)
    if POSTGRESQL:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(sequence=3).update(**change)
        call_command("verify_audit")  # still intact: the trigger refused the change
        return
    assert AuditEntry.objects.filter(sequence=3).update(**change) == 1
    with pytest.raises(CommandError, match=r"broken at entry #3: content does not match"):
        call_command("verify_audit")


def test_it_detects_a_relinked_entry(db):
    _log(3)
    if POSTGRESQL:
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(sequence=2).update(previous_hash=GENESIS_HASH)
        return
    AuditEntry.objects.filter(sequence=2).update(previous_hash=GENESIS_HASH)
    with pytest.raises(CommandError, match=r"broken at entry #2: link to the previous entry"):
        call_command("verify_audit")


def test_it_detects_an_entry_deleted_afterwards(db):
    _log(5)
    if POSTGRESQL:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw_delete(2)
        assert AuditEntry.objects.count() == 5
        call_command("verify_audit")
        return
    _raw_delete(2)
    with pytest.raises(CommandError, match=r"broken at entry #2: entry #2 is missing"):
        call_command("verify_audit")


def test_it_detects_the_newest_entry_deleted_afterwards(db):
    _log(5)
    if POSTGRESQL:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw_delete(5)
        return
    _raw_delete(5)
    # The walk alone cannot see entries cut off the end; the head row can.
    with pytest.raises(CommandError, match=r"#5"):
        call_command("verify_audit")


def _raw_delete(sequence: int) -> None:
    """Tampering below the product: the ORM refuses deletes (DeletionRefused)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence = %s", [sequence])


def test_it_has_no_delete_path_in_the_orm(db):
    from common.models import DeletionRefused

    _log(2)
    with pytest.raises(DeletionRefused):
        AuditEntry.objects.filter(sequence=1).delete()
    with pytest.raises(DeletionRefused):
        AuditEntry.objects.get(sequence=2).delete()
    assert AuditEntry.objects.count() == 2


def test_it_has_the_append_only_trigger_on_postgresql(db):
    """PostgreSQL refuses UPDATE and DELETE in the database itself; SQLite, the one-machine
    embedded default, has only the ORM's guard (tested above): a vendor split, not a gap."""
    if not POSTGRESQL:
        assert connection.vendor == "sqlite"
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditentry'::regclass "
            "AND NOT tgisinternal"
        )
        assert ("audit_append_only",) in cursor.fetchall()

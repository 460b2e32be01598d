"""The chain's hash function: SHA-256 or SM3 (AUDIT_HASH), recorded on each entry; both verify,
a log that changes algorithm verifies, and a tampered entry is found whatever its function.

On PostgreSQL the append-only trigger is switched off for the tampering (for the test's own
session, inside its transaction): the attacker here owns the database."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit import hashing
from audit.models import AuditEntry
from audit.selectors import audit_verify_chain
from audit.services import canonical_content, chain_hash, log_action

pytestmark = pytest.mark.django_db

# GB/T 32905-2016, Appendix A, example 1: SM3("abc").
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def _log(n: int) -> list[AuditEntry]:
    entries = []
    for i in range(n):
        with transaction.atomic():
            entries.append(log_action(actor=None, action="test.step", object_id=str(i),
                                      data={"i": i, "名称": "北京"}))
    return entries


def _tamper(sequence: int, **change: object) -> None:
    """Change an entry as its database's owner could: on PostgreSQL with the session's
    ordinary triggers off (``session_replication_role``), the append-only one included."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        AuditEntry.objects.filter(sequence=sequence).update(**change)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_it_computes_sm3_by_the_standard_both_ways(monkeypatch):
    assert hashing.hexdigest("sm3", b"abc") == SM3_ABC
    assert hashing._sm3_gmssl(b"abc") == SM3_ABC  # the fallback where OpenSSL has no SM3
    if hashing.openssl_has_sm3():
        assert hashing._sm3_openssl(b"abc") == SM3_ABC
    monkeypatch.setattr(hashing, "openssl_has_sm3", lambda: False)
    assert hashing.sm3_function() is hashing._sm3_gmssl
    assert hashing.hexdigest("sha256", b"abc") == hashlib.sha256(b"abc").hexdigest()
    with pytest.raises(ValueError, match="md5"):
        hashing.hexdigest("md5", b"abc")


@pytest.mark.parametrize("algorithm", ["sha256", "sm3"])
def test_it_records_and_verifies_the_chosen_hash(settings, algorithm, capsys):
    settings.AUDIT_HASH = algorithm
    entries = _log(4)
    assert {e.hash_algorithm for e in AuditEntry.objects.all()} == {algorithm}
    second = entries[1]
    content = canonical_content(
        sequence=second.sequence, created_at=second.created_at, actor_id=None,
        actor_name="system", action="test.step", object_type="", object_id="1",
        region_code="", cycle_year=None, data={"i": 1, "名称": "北京"})
    assert second.entry_hash == hashing.hexdigest(
        algorithm, f"{entries[0].entry_hash}\n{content}".encode())
    report = audit_verify_chain()
    assert (report.checked, report.broken_at, report.algorithms) == (4, None, {algorithm: 4})
    call_command("verify_audit")
    assert f"hashes: {algorithm} 4" in capsys.readouterr().out


def test_a_log_that_changes_algorithm_still_verifies(settings):
    settings.AUDIT_HASH = "sha256"
    _log(2)
    settings.AUDIT_HASH = "sm3"
    _log(2)
    settings.AUDIT_HASH = "sha256"
    _log(1)
    report = audit_verify_chain()
    assert report.broken_at is None and report.algorithms == {"sha256": 3, "sm3": 2}


@pytest.mark.parametrize("algorithm", ["sha256", "sm3"])
@pytest.mark.parametrize("change", [{"data": {"i": 2, "名称": "上海"}}, {"action": "test.other"},
                                    {"hash_algorithm": "other"}],
                         ids=["data", "action", "algorithm"])
def test_it_finds_a_tampered_entry_in_either_chain(settings, algorithm, change):
    settings.AUDIT_HASH = algorithm
    _log(4)
    _tamper(3, **change)
    report = audit_verify_chain()
    assert report.broken_at == 3 and report.checked == 2
    with pytest.raises(CommandError, match="broken at entry #3"):
        call_command("verify_audit")


def test_it_finds_an_entry_whose_algorithm_was_switched(settings):
    """Claiming another function for an entry does not make its hash fit."""
    settings.AUDIT_HASH = "sm3"
    _log(3)
    _tamper(2, hash_algorithm="sha256")
    assert audit_verify_chain().broken_at == 2


def test_it_refuses_an_unknown_setting(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_choice

    monkeypatch.setenv("AUDIT_HASH", "md5")
    with pytest.raises(ImproperlyConfigured, match="AUDIT_HASH"):
        env_choice("AUDIT_HASH", ("sha256", "sm3"), "sha256")
    monkeypatch.setenv("AUDIT_HASH", "SM3")
    assert env_choice("AUDIT_HASH", ("sha256", "sm3"), "sha256") == "sm3"


def test_chain_hash_defaults_to_sha256():
    assert chain_hash("0" * 64, "x") == hashlib.sha256(("0" * 64 + "\nx").encode()).hexdigest()

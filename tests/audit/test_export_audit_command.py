"""``export_audit``: the log (or a period of it) as an archive with its hash chain, which
``verify_audit --archive`` checks without the database; ``verify_audit`` reports the oldest
entry's age (the log is kept: nothing deletes it)."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from audit.archive import verify_archive
from audit.models import AuditEntry
from audit.services import log_action

pytestmark = pytest.mark.django_db


def _log(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            log_action(actor=None, action="test.step", object_id=str(i), data={"i": i})


def test_it_writes_an_archive_that_verifies_on_its_own(tmp_path, capsys, settings):
    settings.AUDIT_HASH = "sm3"
    _log(3)
    out = tmp_path / "audit.jsonl"
    call_command("export_audit", "-o", str(out))
    said = capsys.readouterr().out
    assert "3 entries written" in said and "SHA-256 of the file" in said
    lines = out.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["count"] == 3 and header["first_sequence"] == 1
    entry = json.loads(lines[2])
    assert {"previous_hash", "entry_hash", "hash_algorithm"} <= set(entry)
    assert entry["hash_algorithm"] == "sm3"
    call_command("verify_audit", "--archive", str(out))
    assert "intact: 3 entries verified" in capsys.readouterr().out


def test_it_finds_a_changed_line_in_an_archive(tmp_path):
    _log(3)
    out = tmp_path / "audit.jsonl"
    call_command("export_audit", "-o", str(out))
    original = out.read_text(encoding="utf-8").splitlines()
    lines = list(original)
    changed = json.loads(lines[2])
    changed["data"] = {"i": 99}
    lines[2] = json.dumps(changed, ensure_ascii=False)
    assert verify_archive(lines).broken_at == 2
    assert verify_archive(original).broken_at is None
    lines = original
    dropped = [lines[0], lines[1], lines[3]]
    assert verify_archive(dropped).broken_at == 2  # entry #2 is missing
    cut = lines[:3]
    assert verify_archive(cut).broken_at == 3  # the last entry is missing


def test_it_exports_a_period_that_joins_the_chain(tmp_path, capsys):
    with mock.patch("audit.services.timezone.now",
                    return_value=timezone.now() - timedelta(days=3)):
        _log(1)
    _log(1)
    out = tmp_path / "today.jsonl"
    call_command("export_audit", "-o", str(out),
                 "--since", timezone.localdate().isoformat())
    header = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert header["first_sequence"] == 2 and header["count"] == 1
    assert header["chain_start"] == AuditEntry.objects.get(sequence=1).entry_hash


def test_it_never_overwrites_an_archive(tmp_path):
    out = tmp_path / "audit.jsonl"
    out.write_text("kept")
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("export_audit", "-o", str(out))
    assert out.read_text() == "kept"


def test_it_refuses_a_bad_date_and_a_missing_archive(tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_audit", "-o", str(tmp_path / "x.jsonl"), "--since", "yesterday")
    with pytest.raises(CommandError, match="no such archive"):
        call_command("verify_audit", "--archive", str(tmp_path / "none.jsonl"))


def test_verify_reports_the_oldest_entry_and_its_age(capsys):
    _log(2)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "oldest entry" in out and "(0 days old)" in out

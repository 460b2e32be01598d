"""Backup and restore, the procedure of docs/operations.md: ``pg_dump`` (custom format) of the
database and an archive of ``DATA_DIR/files``; ``pg_restore`` into a new, empty database and the
files into a new ``DATA_DIR``. The restored platform must pass ``verify_audit``, hold the same
rows, keep the audit log's guard trigger, serve the same published ranking and find every
uploaded file with its recorded SHA-256.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.conftest import Stack, connect, database_url, manage

pytestmark = pytest.mark.integration

TABLES = [
    "accounts_user", "audit_auditentry", "audit_audithead", "indicators_region",
    "indicators_dataelement", "submissions_cycle", "submissions_submission",
    "submissions_version", "submissions_value", "submissions_validationissue",
    "submissions_transition", "submissions_uploadedfile", "scoring_scoringrun",
    "scoring_unitresult",
]


# Run in the restored platform: verify_audit, migrate --check (exits 1 on a missing migration),
# the files against their records, export_rankings.
RESTORED_CHECKS = """
import hashlib
from django.core.files.storage import default_storage
from django.core.management import call_command
from submissions.models import UploadedFile
call_command("verify_audit")
call_command("migrate", check_unapplied=True, verbosity=0)
bad = [f.pk for f in UploadedFile.objects.all()
       if hashlib.sha256(default_storage.open(f.file.name).read()).hexdigest() != f.sha256]
print("files: all present" if not bad else f"files: wrong or missing {{bad}}")
call_command("export_rankings", cycle=2017, format="json", output={export!r})
"""


def table_counts(url: str) -> dict[str, int]:
    with connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def run(*args: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"{args[0]} exited {result.returncode}:\n{result.stderr}"


def test_a_restored_backup_is_the_same_platform(
        stack: Stack, databases: Callable[..., str], tmp_path: Path) -> None:
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (PostgreSQL client tools)")
    manage(stack.env, "seed_demo", timeout=180)
    original = table_counts(stack.url)
    assert original["scoring_scoringrun"] >= 2 and original["submissions_version"] >= 64
    assert original["submissions_uploadedfile"] >= 2

    # Backup.
    started = time.monotonic()
    dump = tmp_path / "ifdi.dump"
    run("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={stack.url}")
    with tarfile.open(tmp_path / "files.tar.gz", "w:gz") as archive:
        archive.add(stack.data_dir / "files", arcname="files")
    backup_seconds = time.monotonic() - started

    # Restore into a new database and a new DATA_DIR.
    started = time.monotonic()
    restored = databases()
    restored_url = database_url(restored)
    run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_url}", str(dump))
    restored_dir = tmp_path / "restored-data"
    restored_dir.mkdir()
    with tarfile.open(tmp_path / "files.tar.gz") as archive:
        archive.extractall(restored_dir, filter="data")
    restore_seconds = time.monotonic() - started
    env = {**stack.env, "DATABASE_URL": restored_url, "DATA_DIR": str(restored_dir)}

    # The same rows; the audit chain intact, down to its last entry; the schema this release
    # expects; every uploaded file back with the bytes its record names; the same published
    # ranking. One shell per side (a process start costs seconds).
    assert table_counts(restored_url) == original
    restored_checks = manage(env, "shell", "-c", RESTORED_CHECKS.format(
        export=str(restored_dir / "ranking-2017.json"))).stdout
    assert f"audit log intact: {original['audit_auditentry']} entries verified" in restored_checks
    assert "files: all present" in restored_checks, restored_checks
    manage(stack.env, "export_rankings", "--cycle", "2017", "--format", "json", "-o",
           str(tmp_path / "ranking-2017.json"))
    assert ((tmp_path / "ranking-2017.json").read_bytes()
            == (restored_dir / "ranking-2017.json").read_bytes())

    # The guard trigger came back with the data, and verify_audit does look at the rows: an
    # entry changed behind the trigger's back breaks the chain.
    import psycopg

    with connect(restored_url) as conn:
        with pytest.raises(psycopg.Error):
            conn.execute("UPDATE audit_auditentry SET actor_name = 'x' WHERE sequence = 1")
        conn.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        conn.execute("UPDATE audit_auditentry SET actor_name = 'someone else' "
                     "WHERE sequence = 2")
    tampered = manage(env, "verify_audit", check=False)
    assert tampered.returncode != 0
    assert "broken at entry #2" in tampered.stderr

    print(f"\n[backup-restore] {original['audit_auditentry']} audit entries, "
          f"{original['submissions_version']} versions, {original['submissions_value']} values, "
          f"{original['scoring_scoringrun']} scoring runs, "
          f"{original['submissions_uploadedfile']} files; dump "
          f"{dump.stat().st_size / 1024:.0f} KiB; backup {backup_seconds:.1f} s, restore "
          f"{restore_seconds:.1f} s")

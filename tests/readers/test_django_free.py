"""The readers are a library of their own: no Django, nothing of the platform's apps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "audit", "common", "config", "demo", "indicators", "national", "public",
        "scoring", "submissions")

# Blocked modules make any import of them fail (None in sys.modules), so a reader that reached
# for one, even lazily while reading a file, fails here. Each format is read once so that the
# imports done on first use (xlrd) run too.
SCRIPT = f"""
import sys
for name in ("django", "import_export", *{APPS!r}):
    sys.modules[name] = None
import readers
from pathlib import Path
files = Path({str(ROOT / "tests" / "fixtures" / "files")!r})
for name in ("template.xlsx", "template.xls", "template.ods", "template_gb18030.csv"):
    table = readers.read_table((files / name).read_bytes(), name, fields=readers.TEMPLATE_FIELDS)
    assert len(table.rows) == 7, (name, table.rows)
try:
    readers.read_table(b"%PDF-1.7", "x.pdf", fields=readers.TEMPLATE_FIELDS)
except readers.FileRejected as rejection:
    assert rejection.rule_code == "FILE_NOT_SPREADSHEET"
print("ok")
"""


def test_it_reads_every_format_without_django_or_the_apps() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"

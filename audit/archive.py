"""The audit log as an archive: JSON Lines, a header line then one line per entry with every
field the chain needs (the content, ``previous_hash``, ``entry_hash``, ``hash_algorithm``), so
that an archived stretch of the log is verified on its own, without the database
(``verify_audit --archive FILE``). Writing one reads the log and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEntry, AuditHead
from audit.selectors import ENTRY_FIELDS, ChainReport, ChainWalk, walk

FORMAT = "ifdi-audit-archive/1"


def archive_entries(*, since: datetime | None = None, until: datetime | None = None,
                    ) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("sequence")
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if until is not None:
        entries = entries.filter(created_at__lt=until)
    return entries


def _entry_line(entry: AuditEntry) -> str:
    row = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    row["created_at"] = entry.created_at.isoformat()
    return json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)


def archive_lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    """The header, then every entry (streamed: a log of millions of entries fits no memory)."""
    first = entries.first()
    last = entries.last()
    head = AuditHead.objects.filter(id=1).first()
    header = {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "count": entries.count(),
        "first_sequence": first.sequence if first else None,
        "last_sequence": last.sequence if last else None,
        # The previous hash of the first entry: where this stretch joins the whole chain.
        "chain_start": first.previous_hash if first else None,
        "head_sequence": head.sequence if head else 0,
        "head_hash": head.entry_hash if head else None,
    }
    yield json.dumps(header, ensure_ascii=False, sort_keys=True) + "\n"
    for entry in entries.iterator(chunk_size=2000):
        yield _entry_line(entry) + "\n"


def _parsed(row: dict[str, Any]) -> SimpleNamespace:
    row = dict(row)
    row["created_at"] = datetime.fromisoformat(row["created_at"])
    return SimpleNamespace(**row)


def verify_archive(lines: Iterable[str]) -> ChainReport:
    """Check an archive's chain: each entry against its own hash function and the one before;
    the first against the header's ``chain_start``."""
    rows = iter(lines)
    header = json.loads(next(rows))
    if header.get("format") != FORMAT:
        return ChainReport(0, 0, f"not an audit archive ({header.get('format')!r})")
    start = ChainWalk(previous=header["chain_start"] or "0" * 64,
                      expected_sequence=header["first_sequence"] or 1)
    chain, report = walk((_parsed(json.loads(line)) for line in rows if line.strip()),
                         start=start)
    if report.broken_at is None and chain.checked != header["count"]:
        return chain.report((chain.expected_sequence,
                             f"{header['count'] - chain.checked} entries missing at the end"))
    return report

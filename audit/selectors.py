from __future__ import annotations

from dataclasses import dataclass

from audit.models import AuditEntry, AuditHead
from audit.services import GENESIS_HASH, canonical_content, chain_hash


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None  # sequence of the first entry that does not verify
    reason: str


def audit_verify_chain() -> ChainReport:
    """Walk the log in order; name the first entry whose content or link does not verify."""
    previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:
            return ChainReport(checked, expected_sequence, f"entry #{expected_sequence} is missing")
        if entry.previous_hash != previous:
            return ChainReport(checked, entry.sequence, "link to the previous entry does not match")
        content = canonical_content(
            sequence=entry.sequence,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            actor_name=entry.actor_name,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            region_code=entry.region_code,
            cycle_year=entry.cycle_year,
            data=entry.data,
        )
        if chain_hash(previous, content) != entry.entry_hash:
            return ChainReport(checked, entry.sequence, "content does not match its hash")
        previous = entry.entry_hash
        expected_sequence += 1
        checked += 1
    # The head row records the last entry written: entries removed from the end of the log
    # leave the walk above intact, but not the head.
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.sequence != checked or head.entry_hash != previous):
        return ChainReport(checked, checked + 1,
                           f"entries #{checked + 1}..#{head.sequence} are missing"
                           if head.sequence > checked else "the log's head does not match")
    return ChainReport(checked, None, "")

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from audit.hashing import ALGORITHMS
from audit.models import AuditEntry, AuditHead
from audit.services import GENESIS_HASH, canonical_content, chain_hash


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None  # sequence of the first entry that does not verify
    reason: str
    oldest: datetime | None = None  # the first entry's time: how far back the log goes
    algorithms: dict[str, int] = field(default_factory=dict)  # entries per hash function


ENTRY_FIELDS = ("sequence", "created_at", "actor_id", "actor_name", "action", "object_type",
                "object_id", "region_code", "cycle_year", "data", "previous_hash",
                "entry_hash", "hash_algorithm")


def _content(entry: Any) -> str:
    return canonical_content(
        sequence=entry.sequence, created_at=entry.created_at, actor_id=entry.actor_id,
        actor_name=entry.actor_name, action=entry.action, object_type=entry.object_type,
        object_id=entry.object_id, region_code=entry.region_code, cycle_year=entry.cycle_year,
        data=entry.data,
    )


@dataclass
class ChainWalk:
    """Checks entries one after another, each by its own hash function."""

    previous: str = GENESIS_HASH
    expected_sequence: int = 1
    checked: int = 0
    oldest: datetime | None = None
    algorithms: Counter[str] = field(default_factory=Counter)

    def step(self, entry: Any) -> tuple[int, str] | None:
        """None when ``entry`` verifies; else (sequence, reason)."""
        if entry.sequence != self.expected_sequence:
            return self.expected_sequence, f"entry #{self.expected_sequence} is missing"
        if entry.previous_hash != self.previous:
            return entry.sequence, "link to the previous entry does not match"
        if entry.hash_algorithm not in ALGORITHMS:
            return entry.sequence, f"unknown hash algorithm {entry.hash_algorithm!r}"
        if chain_hash(self.previous, _content(entry), entry.hash_algorithm) != entry.entry_hash:
            return entry.sequence, "content does not match its hash"
        if self.oldest is None:
            self.oldest = entry.created_at
        self.algorithms[entry.hash_algorithm] += 1
        self.previous = entry.entry_hash
        self.expected_sequence += 1
        self.checked += 1
        return None

    def report(self, broken: tuple[int, str] | None = None) -> ChainReport:
        at, reason = broken if broken else (None, "")
        return ChainReport(self.checked, at, reason, self.oldest, dict(self.algorithms))


def walk(entries: Iterable[Any], *, start: ChainWalk | None = None) -> tuple[ChainWalk,
                                                                            ChainReport]:
    chain = start or ChainWalk()
    for entry in entries:
        broken = chain.step(entry)
        if broken:
            return chain, chain.report(broken)
    return chain, chain.report()


def audit_verify_chain() -> ChainReport:
    """Walk the log in order; name the first entry whose content or link does not verify."""
    chain, report = walk(AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000))
    if report.broken_at is not None:
        return report
    # The head row records the last entry written: entries removed from the end of the log
    # leave the walk above intact, but not the head.
    head = AuditHead.objects.filter(id=1).first()
    checked, previous = chain.checked, chain.previous
    if head is not None and (head.sequence != checked or head.entry_hash != previous):
        return chain.report((checked + 1, f"entries #{checked + 1}..#{head.sequence} are missing"
                             if head.sequence > checked else "the log's head does not match"))
    return report

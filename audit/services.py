"""Writing to the audit log. Callers pass what happened; this module knows no domain."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit.hashing import SHA256, current_algorithm, hexdigest
from audit.models import AuditEntry, AuditHead
from common.canonical import canonical_json
from common.db import bulk_insert

GENESIS_HASH = "0" * 64


def canonical_content(
    *,
    sequence: int,
    created_at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    region_code: str,
    cycle_year: int | None,
    data: Any,
) -> str:
    return canonical_json(
        {
            "sequence": sequence,
            "created_at": created_at.isoformat(),
            "actor_id": actor_id,
            "actor_name": actor_name,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "region_code": region_code,
            "cycle_year": cycle_year,
            "data": data,
        }
    )


def chain_hash(previous_hash: str, content: str, algorithm: str = SHA256) -> str:
    return hexdigest(algorithm, f"{previous_hash}\n{content}".encode())


def _jsonable(data: dict[str, Any]) -> Any:
    # Round-trip through JSON so that what is hashed is exactly what the JSONField stores.
    return json.loads(canonical_json(data))


@dataclass(frozen=True)
class Action:
    """One entry to append, for ``log_actions``."""

    action: str
    object_type: str = ""
    object_id: str = ""
    region_code: str = ""
    cycle_year: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def log_action(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    region_code: str = "",
    cycle_year: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the transaction of the change it records."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    entry = Action(action=action, object_type=object_type, object_id=str(object_id),
                   region_code=region_code, cycle_year=cycle_year, data=data or {})
    return log_actions(actor=actor, actions=[entry])[0]


def log_actions(*, actor: Any, actions: list[Action]) -> list[AuditEntry]:
    """Append several entries in one insert (a bulk load's one entry per region)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_action must be called inside the transaction of the change")
    # The head row's lock orders concurrent writers, so that the chain never forks.
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_name = getattr(actor, "username", "") if actor is not None else "system"
    created_at = timezone.now()
    algorithm = current_algorithm()
    entries = []
    previous, sequence = head.entry_hash, head.sequence
    for item in actions:
        sequence += 1
        payload = _jsonable(item.data)
        content = canonical_content(
            sequence=sequence, created_at=created_at, actor_id=actor_id,
            actor_name=actor_name, action=item.action, object_type=item.object_type,
            object_id=item.object_id, region_code=item.region_code,
            cycle_year=item.cycle_year, data=payload,
        )
        entry_hash = chain_hash(previous, content, algorithm)
        entries.append(AuditEntry(
            sequence=sequence, created_at=created_at, actor_id=actor_id, actor_name=actor_name,
            action=item.action, object_type=item.object_type, object_id=item.object_id,
            region_code=item.region_code, cycle_year=item.cycle_year, data=payload,
            previous_hash=previous, entry_hash=entry_hash, hash_algorithm=algorithm,
        ))
        previous = entry_hash
    bulk_insert(entries)
    head.sequence, head.entry_hash = sequence, previous
    head.save(update_fields=["sequence", "entry_hash"])
    return entries

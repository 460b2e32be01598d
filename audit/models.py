"""The append-only, hash-chained audit log.

Each entry carries the hash (SHA-256, or SM3: ``hash_algorithm``, audit/hashing.py) of its own
canonical content joined to the previous entry's hash, so that an entry changed or removed
afterwards breaks the chain (``verify_audit``). On PostgreSQL a trigger refuses UPDATE and
DELETE on the table (see the migrations); nothing in the platform deletes an entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import NoDeleteModel


class AuditEntry(NoDeleteModel):
    sequence = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    region_code = models.CharField(max_length=6, blank=True, db_index=True)
    cycle_year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # The function of this entry's hash: "sha256" or "sm3" (the setting AUDIT_HASH when written).
    hash_algorithm = models.CharField(max_length=10, default="sha256")

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """One row: the last sequence number and hash. Writers lock it, which orders the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.sequence}"

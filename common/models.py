"""Records that are never deleted: submissions, versions, files, runs, log entries."""

from __future__ import annotations

from typing import Any

from django.db import models


class DeletionRefused(Exception):
    """This product has no delete path for this record."""


class NoDeleteQuerySet(models.QuerySet):
    def delete(self) -> Any:
        raise DeletionRefused(f"{self.model._meta.label} records are never deleted")


class NoDeleteModel(models.Model):
    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise DeletionRefused(f"{self._meta.label} records are never deleted")

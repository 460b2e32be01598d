"""A publication changes what the public pages show: their whole-page cache starts over."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from public import page_cache
from scoring.models import ScoringRun


@receiver(post_save, sender=ScoringRun, dispatch_uid="public.run_saved")
def run_saved(sender: type[ScoringRun], instance: ScoringRun, **kwargs: Any) -> None:
    if instance.published_at is None:
        return
    # This process at once (it may read the publication before the commit, in the same
    # transaction), every process once the publication is committed.
    page_cache.clear()
    transaction.on_commit(page_cache.publication_changed)

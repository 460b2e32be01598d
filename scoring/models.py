"""Immutable scoring runs and their results.

A run is written once, in one transaction, and never changes afterwards; publishing is the
only later write, and it only sets the publication fields of a run that is not yet published.
The guard below refuses any other write from the ORM; on PostgreSQL a trigger refuses it in
the database as well (see the migration).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import ModelVersion, Region
from submissions.models import Cycle


class ImmutableRunError(Exception):
    """A published scoring run, or any run's results, cannot change."""


class ScoringRun(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="runs")
    number = models.PositiveIntegerField(_("序号"))
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="+")
    # {"versions": {region_code: version_id}, ...}: what was read, for provenance and verify.
    inputs = models.JSONField(default=dict)
    input_hash = models.CharField(max_length=64)
    result_hash = models.CharField(max_length=64)
    seed = models.BigIntegerField()
    replications = models.PositiveIntegerField()
    spread = models.FloatField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    publication_number = models.PositiveIntegerField(null=True, blank=True)
    revision_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    note = models.TextField(_("说明"), blank=True)
    previous_run = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The previous cycle's published run that rank changes are measured against.",
    )

    class Meta:
        ordering = ["cycle", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="uniq_run_number")
        ]
        verbose_name = _("测算")
        verbose_name_plural = _("测算")

    def __str__(self) -> str:
        return f"{self.cycle.year} #{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = ScoringRun.objects.filter(pk=self.pk).values("published_at").first()
            if stored is None or stored["published_at"] is not None:
                raise ImmutableRunError("a published scoring run cannot change")
            allowed = {"published_at", "published_by", "publication_number", "revision_of",
                       "note"}
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= allowed:
                raise ImmutableRunError("only publication may change a scoring run")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRunError("scoring runs are never deleted")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class UnitResult(models.Model):
    """One reporting unit's result in one run, at full precision.

    ``dimensions`` maps a dimension code to ``{"points", "rank", "incomplete"}``;
    ``indicators`` maps an indicator code to ``{"value", "score"}`` (floats, ``None`` where
    missing). JSON keeps the floats' full precision and one row per unit keeps a 3,000-unit
    run to 3,000 rows.
    """

    run = models.ForeignKey(ScoringRun, on_delete=models.PROTECT, related_name="results")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    version_id_read = models.BigIntegerField(null=True)
    total = models.FloatField(null=True)
    rank = models.PositiveIntegerField(null=True)
    tier = models.CharField(max_length=20, blank=True)
    incomplete = models.BooleanField(default=False)
    dimensions = models.JSONField(default=dict)
    indicators = models.JSONField(default=dict)
    rank_median = models.FloatField(null=True)
    rank_p05 = models.FloatField(null=True)
    rank_p95 = models.FloatField(null=True)
    previous_rank = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["run", "rank", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "region"], name="uniq_unit_result")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.total}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRunError("scoring results cannot change")
        # A new row must not slip into a published run either (the run writes its own rows
        # with bulk_create before it can be published).
        if ScoringRun.objects.filter(pk=self.run_id, published_at__isnull=False).exists():
            raise ImmutableRunError("a published scoring run cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRunError("scoring results are never deleted")

    @property
    def rank_change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


class Scenario(models.Model):
    """An administrator's what-if (``scoring.studio``): other weights, goalposts, directions,
    normalisations or aggregation for a cycle, saved with a name and a note.

    A scenario is a simulation, never a ranking of record: nothing publishes it (it has no
    publication fields, and ``run_publish`` takes a ``ScoringRun`` only), and every page and
    file that shows one carries the watermark 模拟. It stores its parameters, not its results:
    they are recomputed from ``base_run``, which never changes.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="scenarios")
    base_run = models.ForeignKey(ScoringRun, on_delete=models.PROTECT, related_name="scenarios")
    name = models.CharField(_("名称"), max_length=100)
    note = models.TextField(_("说明"), blank=True)
    parameters = models.JSONField(default=dict)
    # Kendall's τ against the base run when it was saved, for the list of scenarios.
    kendall_tau = models.FloatField(null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "name"], name="uniq_scenario_name")
        ]
        verbose_name = _("模拟方案")
        verbose_name_plural = _("模拟方案")

    def __str__(self) -> str:
        return f"{self.cycle.year} {self.name}"

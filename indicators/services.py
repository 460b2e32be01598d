"""Writes of the indicators app: importing index models, loading regions and targets."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from audit.services import log_action
from common.canonical import canonical_bytes
from indicators.model_io import ModelDocument, ModelFileError
from indicators.models import (
    DataElement,
    Dimension,
    Indicator,
    ModelVersion,
    NationalTarget,
    NationalTargetValue,
    Region,
    Rule,
    Tier,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
MODEL_2017_FILE = DATA_DIR / "model-2017.json"
REGIONS_FILE = DATA_DIR / "regions.json"
TARGETS_FILE = DATA_DIR / "national_targets.json"


def _decimal(value: float | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _required_decimal(value: float | int) -> Decimal:
    return Decimal(str(value))


def document_sha256(document: ModelDocument) -> str:
    return hashlib.sha256(canonical_bytes(document.data)).hexdigest()


@transaction.atomic
def model_import(*, document: ModelDocument, actor: Any = None) -> tuple[ModelVersion, bool]:
    """Store a checked model document as a new version. Returns ``(version, created)``.

    Importing the same document again is a no-op (``created`` is False); a different document
    under an existing version code is refused: a model version is never edited, a change is a
    new version.
    """
    data = document.data
    digest = document_sha256(document)
    existing = ModelVersion.objects.select_for_update().filter(code=data["version"]).first()
    if existing is not None:
        if existing.source_sha256 == digest:
            return existing, False
        raise ModelFileError([
            f"version {data['version']} exists already with different content; "
            "a changed model must be imported as a new version"
        ])
    version = ModelVersion.objects.create(
        code=data["version"],
        year=data["year"],
        title_zh=data["title_zh"],
        title_en=data["title_en"],
        source=data,
        source_sha256=digest,
    )
    dimensions = {}
    for order, dim in enumerate(data["dimensions"], 1):
        dimensions[dim["code"]] = Dimension.objects.create(
            version=version, code=dim["code"], name_zh=dim["name_zh"], name_en=dim["name_en"],
            points=_required_decimal(dim["points"]), order=order,
        )
    DataElement.objects.bulk_create(
        DataElement(
            version=version, code=el["code"], name_zh=el["name_zh"], name_en=el["name_en"],
            unit=el["unit"], kind=el["kind"], max_level=el.get("max_level"),
            min_value=_decimal(el["min"]), min_exclusive=el["min_exclusive"],
            max_value=_decimal(el["max"]), aggregation=el["aggregation"],
            yoy_threshold=_decimal(el["yoy_threshold"]), order=order,
        )
        for order, el in enumerate(data["elements"], 1)
    )
    Indicator.objects.bulk_create(
        Indicator(
            version=version, dimension=dimensions[ind["dimension"]], code=ind["code"],
            name_zh=ind["name_zh"], name_en=ind["name_en"], formula=ind["formula"],
            unit=ind["unit"], direction=1 if ind["direction"] == "+" else -1,
            normalisation=ind["normalisation"]["kind"],
            lower=ind["normalisation"].get("lower"), upper=ind["normalisation"].get("upper"),
            max_level=ind["normalisation"].get("max_level"),
            target=ind["normalisation"].get("target"), weight=ind["weight"], order=order,
        )
        for order, ind in enumerate(data["indicators"], 1)
    )
    Rule.objects.bulk_create(
        Rule(version=version, code=r["code"], expression=r["expression"], severity=r["severity"],
             message_zh=r["message_zh"], message_en=r["message_en"], order=order)
        for order, r in enumerate(data["rules"], 1)
    )
    Tier.objects.bulk_create(
        Tier(version=version, code=t["code"], min_total=t["min_total"], label_zh=t["label_zh"],
             label_en=t["label_en"])
        for t in data["tiers"]
    )
    log_action(actor=actor, action="model.import", obj=version,
               data={"version": version.code, "sha256": digest})
    return version, True


@transaction.atomic
def regions_load(*, path: Path = REGIONS_FILE) -> int:
    """Create or update the regions from the shipped file; returns how many were created."""
    created = 0
    for row in json.loads(path.read_text(encoding="utf-8")):
        _, was_created = Region.objects.update_or_create(code=row["code"], defaults=row)
        created += was_created
    return created


@transaction.atomic
def targets_load(*, path: Path = TARGETS_FILE) -> int:
    """Create the national targets from the shipped file; existing targets are left as the
    administrators edited them. Returns how many were created."""
    created = 0
    for row in json.loads(path.read_text(encoding="utf-8")):
        target, was_created = NationalTarget.objects.get_or_create(
            code=row["code"],
            defaults={
                "group_zh": row["group_zh"], "group_en": row.get("group_en", ""),
                "name_zh": row["name_zh"], "name_en": row.get("name_en", ""),
                "unit": row["unit"], "unit_en": row.get("unit_en", ""),
                "target": str(row["target"]),
                "target_year": row.get("target_year", 2020),
                "provincial_formula": row.get("provincial_formula", ""),
                "provincial_scale": row.get("provincial_scale", 1.0),
                "order": row.get("order", 0),
            },
        )
        if not was_created:
            continue
        created += 1
        reported = row.get("reported_growth", {})
        for year, value in row.get("values", {}).items():
            NationalTargetValue.objects.create(
                target=target, year=int(year), value=str(value),
                reported_growth=str(reported.get(year, "")),
            )
    return created

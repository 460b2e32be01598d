"""Writes of the indicators app: index model versions (imported, derived, edited while no
cycle uses them), regions and targets."""

from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from audit.services import log_action
from common.canonical import canonical_bytes
from common.errors import ApplicationError
from indicators.model_io import ModelDocument, parse_model_document
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


#: What ``model_import`` did with a document.
CREATED, UNCHANGED, UPDATED = "created", "unchanged", "updated"

MODEL_FROZEN = _("指标体系 {version} 已被 {years} 年度的填报周期使用，不能再修改；"
                 "如需调整，请由它派生一个新版本")
MODEL_EXISTS = _("指标体系版本 {version} 已经存在，请换一个版本代码")
MODEL_CODE_CHANGED = _("保存的文档属于版本 {new}，不是正在编辑的版本 {old}；版本代码不能修改")


def _decimal(value: float | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def document_sha256(document: ModelDocument) -> str:
    return hashlib.sha256(canonical_bytes(document.data)).hexdigest()


def frozen_error(version: ModelVersion) -> ApplicationError | None:
    """The refusal of any change to ``version`` once a cycle uses it; None for a draft."""
    years = sorted(version.cycles.values_list("year", flat=True))  # type: ignore[attr-defined]
    if not years:
        return None
    return ApplicationError("MODEL_FROZEN", MODEL_FROZEN, params={
        "version": version.code, "years": _years_lazy(years)})


def _refuse_if_frozen(version: ModelVersion) -> None:
    """A version that a cycle uses never changes (call it with the version's row locked)."""
    error = frozen_error(version)
    if error is not None:
        raise error


def _years(years: list[int]) -> str:
    return pgettext("enumeration separator", "、").join(str(y) for y in years)


# Joined when the message is read, in the reader's language.
_years_lazy = lazy(_years, str)


@transaction.atomic
def model_import(*, document: ModelDocument, actor: Any = None) -> tuple[ModelVersion, str]:
    """Store a checked model document. Returns ``(version, what)``, ``what`` one of
    ``CREATED``, ``UNCHANGED`` (the same document again: nothing is written) and ``UPDATED``
    (another document under the code of a version that no cycle uses yet: a draft, replaced
    as the web editor replaces it). A version that a cycle uses is refused with
    ``MODEL_FROZEN``: a changed model is then imported, or derived, as a new version.
    """
    digest = document_sha256(document)
    existing = ModelVersion.objects.select_for_update().filter(code=document.version).first()
    if existing is None:
        version = _create(document, digest)
        log_action(actor=actor, action="model.import", obj=version,
                   data={"version": version.code, "sha256": digest})
        return version, CREATED
    if existing.source_sha256 == digest:
        return existing, UNCHANGED
    _replace(existing, document, digest, actor=actor, how="import")
    return existing, UPDATED


@transaction.atomic
def model_version_update(*, version: ModelVersion, document: ModelDocument,
                         actor: Any) -> bool:
    """Replace a draft version's content by ``document`` (checked by
    ``model_io.parse_model_document``, as every save is). Returns False when nothing changed.
    Refused with ``MODEL_FROZEN`` once a cycle uses the version."""
    locked = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if document.version != locked.code:
        raise ApplicationError("MODEL_CODE_CHANGED", MODEL_CODE_CHANGED, field="version",
                               params={"old": locked.code, "new": document.version})
    digest = document_sha256(document)
    if locked.source_sha256 == digest:
        return False
    _replace(locked, document, digest, actor=actor, how="editor")
    return True


@transaction.atomic
def model_version_derive(*, source: ModelVersion, code: str, year: int,
                         actor: Any) -> ModelVersion:
    """A draft copy of ``source`` under a new code and year, to be edited into next year's
    model; ``source`` itself stays as it is (it may be frozen: deriving is how a frozen model
    changes). The titles' year follows the new year."""
    data = copy.deepcopy(source.source)
    data["version"], data["year"] = code, year
    for key in ("title_zh", "title_en"):
        data[key] = str(data.get(key, "")).replace(str(source.year), str(year))
    document = parse_model_document(data)
    if ModelVersion.objects.select_for_update().filter(code=document.version).exists():
        raise ApplicationError("MODEL_EXISTS", MODEL_EXISTS, field="code",
                               params={"version": document.version})
    digest = document_sha256(document)
    version = _create(document, digest, state=ModelVersion.State.DRAFT, derived_from=source)
    log_action(actor=actor, action="model.derive", obj=version,
               data={"version": version.code, "from": source.code, "sha256": digest})
    return version


def _create(document: ModelDocument, digest: str, *,
            state: str = ModelVersion.State.ACTIVE,
            derived_from: ModelVersion | None = None) -> ModelVersion:
    data = document.data
    version = ModelVersion.objects.create(
        code=data["version"], year=data["year"], title_zh=data["title_zh"],
        title_en=data["title_en"], source=data, source_sha256=digest, state=state,
        derived_from=derived_from,
    )
    _store_rows(version, data)
    return version


def _replace(version: ModelVersion, document: ModelDocument, digest: str, *, actor: Any,
             how: str) -> None:
    """Rewrite a draft's rows from ``document``. No cycle uses a draft, so no submission,
    value or run points at the rows being replaced."""
    _refuse_if_frozen(version)
    before = version.source_sha256
    for related in (Indicator, Dimension, DataElement, Rule, Tier):
        related.objects.filter(version=version).delete()
    data = document.data
    version.year, version.title_zh, version.title_en = data["year"], data["title_zh"], \
        data["title_en"]
    version.source, version.source_sha256 = data, digest
    version.save(update_fields=["year", "title_zh", "title_en", "source", "source_sha256"])
    _store_rows(version, data)
    log_action(actor=actor, action="model.update", obj=version,
               data={"version": version.code, "how": how, "sha256_before": before,
                     "sha256": digest})


def _store_rows(version: ModelVersion, data: dict[str, Any]) -> None:
    dimensions = {}
    for order, dim in enumerate(data["dimensions"], 1):
        dimensions[dim["code"]] = Dimension.objects.create(
            version=version, code=dim["code"], name_zh=dim["name_zh"], name_en=dim["name_en"],
            points=Decimal(str(dim["points"])), order=order,
        )
    DataElement.objects.bulk_create(
        DataElement(
            version=version, code=el["code"], name_zh=el["name_zh"], name_en=el["name_en"],
            unit=el["unit"], kind=el["kind"], max_level=el.get("max_level"),
            min_value=_decimal(el["min"]), min_exclusive=el["min_exclusive"],
            max_value=_decimal(el["max"]), aggregation=el["aggregation"],
            yoy_threshold=_decimal(el["yoy_threshold"]), levels=el.get("levels", []),
            order=order,
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


def target_log_change(*, actor: Any, target: NationalTarget, changes: list[dict[str, Any]],
                      created: bool = False) -> None:
    """Audit a change of a national target (the admin's form): each changed field or yearly
    value, before and after. Nothing changed, nothing logged."""
    if changes or created:
        log_action(actor=actor, action="target.change", obj=target,
                   data={"code": target.code, "created": created, "changes": changes})

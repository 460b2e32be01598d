"""Reads of the indicators app: model versions as files and as documentation, regions."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from indicators.expressions import ExpressionError, parse_expression
from indicators.model_io import plain_number
from indicators.models import (
    DataElement,
    Dimension,
    Indicator,
    ModelVersion,
    Region,
    Rule,
    Tier,
)


def model_export_text(*, version: ModelVersion) -> str:
    """The version's file: the same bytes every time for the same version (keys in the file's
    order, two-space indent, UTF-8 text as is, one final newline)."""
    return json.dumps(model_export(version=version), ensure_ascii=False, indent=2) + "\n"


def model_export(*, version: ModelVersion) -> dict[str, Any]:
    """The model version as a document that ``import_model`` reads back unchanged: its
    canonical form (``model_io``), read from the stored rows."""
    dimensions = list(version.dimensions.all())
    return {
        "version": version.code,
        "year": version.year,
        "title_zh": version.title_zh,
        "title_en": version.title_en,
        "dimensions": [
            {"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en,
             "points": plain_number(d.points)}
            for d in dimensions
        ],
        "elements": [_element(e) for e in version.elements.all()],
        "indicators": [
            {
                "code": i.code, "dimension": i.dimension.code, "name_zh": i.name_zh,
                "name_en": i.name_en, "formula": i.formula, "unit": i.unit,
                "direction": "+" if i.direction > 0 else "-",
                "normalisation": _normalisation(i), "weight": plain_number(i.weight),
            }
            for i in version.indicators.select_related("dimension")
        ],
        "rules": [
            {"code": r.code, "expression": r.expression, "severity": r.severity,
             "message_zh": r.message_zh, "message_en": r.message_en}
            for r in version.rules.all()
        ],
        "tiers": [
            {"code": t.code, "min_total": plain_number(t.min_total), "label_zh": t.label_zh,
             "label_en": t.label_en}
            for t in version.tiers.order_by("-min_total")
        ],
    }


def _element(e: Any) -> dict[str, Any]:
    data = {
        "code": e.code, "name_zh": e.name_zh, "name_en": e.name_en, "unit": e.unit,
        "kind": e.kind, "min": plain_number(e.min_value), "min_exclusive": e.min_exclusive,
        "max": plain_number(e.max_value), "aggregation": e.aggregation,
        "yoy_threshold": plain_number(e.yoy_threshold),
    }
    if e.kind == "ordinal":
        data["max_level"] = e.max_level
    if e.levels:
        data["levels"] = [{"label_zh": level["label_zh"], "label_en": level["label_en"]}
                          for level in e.levels]
    return data


def _normalisation(indicator: Any) -> dict[str, Any]:
    kind = indicator.normalisation
    if kind == "goalposts":
        return {"kind": kind, "lower": plain_number(indicator.lower),
                "upper": plain_number(indicator.upper)}
    if kind == "ordinal":
        return {"kind": kind, "max_level": plain_number(indicator.max_level)}
    if kind == "target":
        return {"kind": kind, "target": plain_number(indicator.target)}
    return {"kind": kind}


def _normalise_name(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def region_lookup(text: str) -> Region | None:
    """Find a region by GB/T 2260 code, full or short Chinese name, or English name."""
    key = _normalise_name(str(text))
    if not key:
        return None
    if key.isdigit():
        # Codes are six digits; "11" or "1100" are common short forms of 110000.
        return Region.objects.filter(code=key.ljust(6, "0")).first() if len(key) <= 6 else None
    return Region.objects.filter(
        Q(name_zh=key) | Q(short_name_zh=key) | Q(name_en__iexact=key)
    ).first()


def region_index() -> dict[str, Region]:
    """Every spelling of every region, for bulk look-ups without a query per row."""
    index: dict[str, Region] = {}
    for region in Region.objects.all():
        for name in (region.code, region.name_zh, region.short_name_zh, region.name_en):
            index[_normalise_name(name)] = region
        # Two- and four-digit prefixes are how people shorten GB/T 2260 codes (11, 1100).
        index[region.code[:2]] = region
        index[region.code[:4]] = region
    return index


def normalise_region_key(text: str) -> str:
    return _normalise_name(str(text))


# --- a model version as its documentation shows it -------------------------------------------


@dataclass(frozen=True)
class TierBand:
    """A tier with the totals it covers: from ``low`` up to (not including) ``high``, the next
    tier's threshold; ``high`` is None for the highest tier."""

    tier: Tier
    low: str
    high: str | None


def tier_bands(tiers: list[Tier]) -> list[TierBand]:
    """The tiers from the highest down, each with its band of totals."""
    ordered = sorted(tiers, key=lambda t: -t.min_total)
    return [TierBand(t, t.min_total_shown, ordered[i - 1].min_total_shown if i else None)
            for i, t in enumerate(ordered)]


DIRECTIONS = {1: _("越高越好"), -1: _("越低越好")}


def normalisation_text(indicator: Indicator) -> str:
    """How the indicator's value becomes a score, in the active language."""
    kind = indicator.normalisation
    if kind == Indicator.Normalisation.GOALPOSTS:
        return str(_("门槛值 {lower}–{upper}")).format(
            lower=_shown(indicator.lower), upper=_shown(indicator.upper))
    if kind == Indicator.Normalisation.ORDINAL:
        return str(_("等级 0–{top}")).format(top=_shown(indicator.max_level))
    if kind == Indicator.Normalisation.TARGET:
        return str(_("目标值 {target}")).format(target=_shown(indicator.target))
    return str(_("极值（本次测算各地区的最小值与最大值）"))


def _shown(value: float | None) -> str:
    number = plain_number(value)
    return "—" if number is None else f"{number:g}"


@dataclass(frozen=True)
class DocumentedIndicator:
    indicator: Indicator
    normalisation: str
    direction: str
    weight: str
    share: str          # the weight's share of its dimension, in percent
    elements: list[DataElement]  # the elements its formula reads, in the model's order


@dataclass(frozen=True)
class DocumentedDimension:
    dimension: Dimension
    indicators: list[DocumentedIndicator]


@dataclass(frozen=True)
class ModelDocumentation:
    """What the methodology page and its PDF show of a version."""

    version: ModelVersion
    dimensions: list[DocumentedDimension]
    elements: list[DataElement]
    rules: list[Rule]
    tiers: list[TierBand]
    total_points: str

    @property
    def indicator_count(self) -> int:
        return sum(len(d.indicators) for d in self.dimensions)


def model_documentation(version: ModelVersion) -> ModelDocumentation:
    """The version's dimensions with their points and indicators (formula, unit, direction,
    normalisation, weight), its elements, rules and tiers: five queries whatever its size."""
    elements = list(version.elements.all())
    by_code = {e.code: e for e in elements}
    indicators = list(version.indicators.all())
    dimensions = []
    for dim in version.dimensions.all():
        members = [i for i in indicators if i.dimension_id == dim.pk]
        total = sum(i.weight for i in members) or 1.0
        dimensions.append(DocumentedDimension(dim, [
            DocumentedIndicator(
                indicator=i, normalisation=normalisation_text(i),
                direction=str(DIRECTIONS.get(i.direction, "")), weight=_shown(i.weight),
                share=f"{i.weight / total * 100:.1f}",
                elements=[by_code[c] for c in _formula_codes(i.formula, by_code)],
            ) for i in members]))
    total_points = sum((d.dimension.points for d in dimensions), Decimal(0))
    return ModelDocumentation(
        version=version, dimensions=dimensions, elements=elements,
        rules=list(version.rules.all()), tiers=tier_bands(list(version.tiers.all())),
        total_points=format(total_points.normalize(), "f"),
    )


def _formula_codes(formula: str, known: dict[str, DataElement]) -> list[str]:
    try:
        codes = parse_expression(formula).codes
    except ExpressionError:
        return []
    return [code for code in known if code in codes]


def model_versions() -> QuerySet[ModelVersion]:
    """Every version, the newest year first, with what the list of versions shows."""
    return (ModelVersion.objects.select_related("derived_from")
            .annotate(cycle_count=Count("cycles")).order_by("-year", "-code"))

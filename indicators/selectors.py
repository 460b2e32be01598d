"""Reads of the indicators app."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import Q

from indicators.model_io import plain_number
from indicators.models import ModelVersion, Region


def model_export(*, version: ModelVersion) -> dict[str, Any]:
    """The model version as a document that ``import_model`` reads back unchanged."""
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

"""Model versions other than 2017, and published years under them, for the tests of a second
year: a 2018 model revised from 2017 as the index is revised in practice, and synthetic models
with other numbers of dimensions and other codes.

Everything goes through the platform's own paths: documents through ``model_io`` and
``model_import``, data through ``bulk_import`` (the same reader, parser and rules as an
upload), scoring and publication through ``run_create`` and ``run_publish``.
"""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import date
from decimal import Decimal
from typing import Any

from demo.data import element_values
from indicators.model_io import parse_model_document
from indicators.models import ModelVersion
from indicators.services import MODEL_2017_FILE, model_import
from scoring.models import ScoringRun
from scoring.services import run_create, run_publish
from submissions.bulk import bulk_import
from submissions.models import Cycle
from submissions.services.cycles import cycle_create
from tests.submissions.helpers import bulk_csv

REPLICATIONS = 20


def model_2017_document() -> dict[str, Any]:
    return json.loads(MODEL_2017_FILE.read_text(encoding="utf-8"))


# What the 2018 revision changes (the test of the second year checks each on every page).
NEW_DIMENSION = {"code": "D7", "name_zh": "数字政府建设", "name_en": "Digital government",
                 "points": 5}
NEW_ELEMENT = {"code": "E701", "name_zh": "政务服务事项网上可办率",
               "name_en": "Government services available online", "unit": "%",
               "kind": "number", "min": 0, "min_exclusive": False, "max": 100,
               "aggregation": "none", "yoy_threshold": None}
NEW_INDICATOR = {"code": "I71", "dimension": "D7", "name_zh": "政务服务网上可办率",
                 "name_en": "Online government services", "formula": "E701", "unit": "%",
                 "direction": "+", "normalisation": {"kind": "goalposts", "lower": 0,
                                                     "upper": 100}, "weight": 1}
REMOVED_INDICATOR = "I14"          # 电子健康档案城乡居民覆盖率
REMOVED_ELEMENT = "E104"           # the element only it read
SECOND_TIER = {"code": "middle", "min_total": 50, "label_zh": "位于全国中游",
               "label_en": "In the national middle"}
POINTS_2018 = {"D1": 15, "D2": 20, "D3": 20, "D4": 15, "D5": 15, "D6": 10, "D7": 5}


def model_2018_document() -> dict[str, Any]:
    """The 2017 model revised: a dimension added (D7, 5 points, one new indicator on one new
    element), an indicator removed (I14 with its element E104 and the rule on it), points
    moved (D1 20 → 15) and a second tier (位于全国中游 from 50)."""
    doc = model_2017_document()
    doc["version"], doc["year"] = "2018", 2018
    doc["title_zh"] = "信息化发展评价指标体系（2018）"
    doc["title_en"] = "Informatization development index model (2018)"
    doc["dimensions"].append(copy.deepcopy(NEW_DIMENSION))
    for dim in doc["dimensions"]:
        dim["points"] = POINTS_2018[dim["code"]]
    doc["elements"] = [e for e in doc["elements"] if e["code"] != REMOVED_ELEMENT]
    doc["elements"].append(copy.deepcopy(NEW_ELEMENT))
    doc["indicators"] = [i for i in doc["indicators"] if i["code"] != REMOVED_INDICATOR]
    doc["indicators"].append(copy.deepcopy(NEW_INDICATOR))
    doc["rules"] = [r for r in doc["rules"] if REMOVED_ELEMENT not in r["expression"]]
    doc["tiers"].append(copy.deepcopy(SECOND_TIER))
    return doc


def values_2018(region_code: str) -> dict[str, Decimal]:
    """The demo values of 2017, grown a little, without E104 and with E701."""
    values = {code: value for code, value in element_values(region_code, scale=1.02).items()
              if code != REMOVED_ELEMENT}
    values["E701"] = Decimal(40 + int(region_code[:2]) % 50)
    return values


def synthetic_document(version: str, year: int, dimensions: list[tuple[str, str, str, float]],
                       tiers: list[tuple[str, float, str, str]]) -> dict[str, Any]:
    """A model of ``dimensions`` (code, Chinese and English name, points), each with two
    indicators — one element as is, one ratio to the population — and an ordinal policy
    indicator with named levels in the last dimension; ``tiers`` (code, lowest total,
    Chinese and English label)."""
    elements = [_element("POP", "人口", "Population", "万人", minimum=0, exclusive=True,
                         aggregation="sum")]
    indicators = []
    for n, (code, name_zh, name_en, _points) in enumerate(dimensions, 1):
        a, b = f"X{n}A", f"X{n}B"
        elements += [_element(a, f"{name_zh}指数", f"{name_en} index", "分", maximum=100),
                     _element(b, f"{name_zh}用户", f"{name_en} users", "万人",
                              aggregation="sum")]
        indicators += [_indicator(f"J{n}1", code, f"{name_zh}指数", f"{name_en} index", a),
                       _indicator(f"J{n}2", code, f"{name_zh}普及率", f"{name_en} rate",
                                  f"{b} / POP * 100")]
    policy = dict(_element("XLV", "政策等级", "Policy level", "级", maximum=4),
                  kind="ordinal", max_level=4,
                  levels=[{"label_zh": z, "label_en": e} for z, e in
                          (("无", "none"), ("初步", "initial"), ("推进", "progressing"),
                           ("较好", "good"), ("完善", "complete"))])
    elements.append(policy)
    indicators.append({**_indicator("JLV", dimensions[-1][0], "政策完善程度", "Policy",
                                    "XLV"), "normalisation": {"kind": "ordinal",
                                                              "max_level": 4}})
    return {
        "version": version, "year": year, "title_zh": f"合成指标体系 {version}",
        "title_en": f"Synthetic model {version}",
        "dimensions": [{"code": c, "name_zh": z, "name_en": e, "points": p}
                       for c, z, e, p in dimensions],
        "elements": elements, "indicators": indicators,
        "rules": [{"code": "X1B_LE_POP", "expression": "X1B <= POP", "severity": "error",
                   "message_zh": "用户数不能大于人口", "message_en": "Users above population"}],
        "tiers": [{"code": c, "min_total": t, "label_zh": z, "label_en": e}
                  for c, t, z, e in tiers],
    }


def _element(code: str, name_zh: str, name_en: str, unit: str, *, minimum: float = 0,
             maximum: float | None = None, exclusive: bool = False,
             aggregation: str = "none") -> dict[str, Any]:
    return {"code": code, "name_zh": name_zh, "name_en": name_en, "unit": unit,
            "kind": "number", "min": minimum, "min_exclusive": exclusive, "max": maximum,
            "aggregation": aggregation, "yoy_threshold": None}


def _indicator(code: str, dimension: str, name_zh: str, name_en: str,
               formula: str) -> dict[str, Any]:
    return {"code": code, "dimension": dimension, "name_zh": name_zh, "name_en": name_en,
            "formula": formula, "unit": "", "direction": "+",
            "normalisation": {"kind": "goalposts", "lower": 0, "upper": 100}, "weight": 1}


def synthetic_values(document: dict[str, Any], region_code: str) -> dict[str, Decimal]:
    """Plausible values of a synthetic model's elements for one region, spread by region."""
    spread = int(region_code[:2])
    values: dict[str, Decimal] = {}
    for element in document["elements"]:
        code = element["code"]
        if code == "POP":
            values[code] = Decimal(1000 + spread * 37)
        elif element["kind"] == "ordinal":
            values[code] = Decimal(spread % 5)
        elif code.endswith("A"):
            values[code] = Decimal(20 + (spread * 7 + int(code[1])) % 75)
        else:
            values[code] = Decimal(100 + (spread * 13) % 800)
    return values


def import_document(document: dict[str, Any]) -> ModelVersion:
    version, _outcome = model_import(document=parse_model_document(document))
    return version


def publish_year(model: ModelVersion, year: int, codes: list[str], actor: Any,
                 values: Any) -> ScoringRun:
    """A cycle of ``year`` under ``model``, every region in ``codes`` loaded (``values(code)``
    gives its element values) and approved, scored and published."""
    cycle = Cycle.objects.filter(year=year).first() or cycle_create(
        year=year, model_version=model, opens_on=date(year + 1, 1, 1),
        deadline=date(year + 1, 3, 31), actor=actor)
    rows = [(code, element, value, "") for code in codes
            for element, value in values(code).items()]
    result = bulk_import(content=bulk_csv(rows), filename=f"{year}.csv", year=year,
                         actor=actor, approve=True)
    assert result.ok, (result.errors[:3], result.warnings[:3])
    run = run_create(cycle=cycle, actor=actor, replications=REPLICATIONS)
    return run_publish(run=run, actor=actor)


def pdf_text(content: bytes) -> str:
    """A PDF's text as pdftotext reads it, its white space folded."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content,
                            capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())

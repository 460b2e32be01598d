"""Reading and checking an index model file (JSON) before anything is stored.

``parse_model_document`` checks a whole document and reports every problem it finds at once,
each naming its place (``indicators[3] (I14): …``), so that an administrator fixes a file in
one round. Only a document without problems reaches the database (``services.model_import``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from indicators.expressions import CODE_RE, ExpressionError, parse_expression

ELEMENT_KINDS = {"number", "integer", "ordinal"}
AGGREGATIONS = {"sum", "none"}
NORMALISATIONS = {"goalposts", "ordinal", "minmax", "target"}
SEVERITIES = {"error", "warning"}
TOTAL_POINTS = 100


class ModelFileError(ValueError):
    """The model document has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class ModelDocument:
    """A checked model document, in canonical form (what export gives back)."""

    data: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.data["version"])


def load_model_file(raw: bytes | str) -> ModelDocument:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError([f"not a JSON document: {exc}"]) from None
    return parse_model_document(data)


def parse_model_document(data: Any) -> ModelDocument:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ModelFileError(["the document must be a JSON object"])
    version = data.get("version")
    if not isinstance(version, str | int) or not str(version).strip():
        problems.append("version: missing or empty")
    elif len(str(version).strip()) > MAX_VERSION_LENGTH:
        problems.append(f"version: longer than {MAX_VERSION_LENGTH} characters")
    year = data.get("year")
    if not isinstance(year, int) or not 1990 <= year <= 2200:
        problems.append("year: missing or not a year")

    dimensions = _list(data, "dimensions", problems)
    elements = _list(data, "elements", problems)
    indicators = _list(data, "indicators", problems)
    rules = _list(data, "rules", problems, required=False)
    tiers = _list(data, "tiers", problems, required=False)

    canon: dict[str, Any] = {
        "version": str(version).strip() if version is not None else "",
        "year": year,
        "title_zh": str(data.get("title_zh", "")),
        "title_en": str(data.get("title_en", "")),
        "dimensions": [_dimension(i, d, problems) for i, d in enumerate(dimensions)],
        "elements": [_element(i, e, problems) for i, e in enumerate(elements)],
    }
    dim_codes = _unique_codes("dimensions", canon["dimensions"], problems)
    element_codes = _unique_codes("elements", canon["elements"], problems)
    canon["indicators"] = [
        _indicator(i, ind, dim_codes, element_codes, problems) for i, ind in enumerate(indicators)
    ]
    _unique_codes("indicators", canon["indicators"], problems)
    canon["rules"] = [_rule(i, r, element_codes, problems) for i, r in enumerate(rules)]
    _unique_codes("rules", canon["rules"], problems)
    canon["tiers"] = [_tier(i, t, problems) for i, t in enumerate(tiers)]
    _unique_codes("tiers", canon["tiers"], problems)
    _unique_thresholds(canon["tiers"], problems)

    points = [d["points"] for d in canon["dimensions"] if isinstance(d.get("points"), int | float)]
    if dimensions and not math.isclose(sum(points), TOTAL_POINTS, abs_tol=1e-9):
        problems.append(f"dimensions: points sum to {sum(points):g}, not {TOTAL_POINTS}")
    used = {ind.get("dimension") for ind in canon["indicators"]
            if isinstance(ind.get("dimension"), str)}
    for code in sorted(dim_codes - used):
        problems.append(f"dimensions ({code}): no indicator belongs to this dimension")
    if problems:
        raise ModelFileError(problems)
    return ModelDocument(canon)


def _list(
    data: dict[str, Any], key: str, problems: list[str], *, required: bool = True
) -> list[Any]:
    value = data.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        problems.append(f"{key}: missing or not a non-empty list")
        return []
    return value


def _where(section: str, index: int, item: Any) -> str:
    code = item.get("code") if isinstance(item, dict) else None
    return f"{section}[{index}]" + (f" ({code})" if code else "")


TIER_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,19}$")
# The lengths of the database columns the codes go into (indicators.models).
MAX_CODE_LENGTH = {"dimensions": 10, "elements": 20, "indicators": 20, "rules": 40, "tiers": 20}
MAX_VERSION_LENGTH = 20
MAX_YOY_THRESHOLD = 99  # DataElement.yoy_threshold holds up to 99.9999 (9,999 %)


def _code(where: str, item: dict[str, Any], problems: list[str],
          pattern: re.Pattern[str] = CODE_RE) -> str:
    code = item.get("code")
    if not isinstance(code, str) or not pattern.match(code):
        problems.append(f"{where}: code {code!r} must be letters and digits, starting with a letter"
                        + ("" if pattern is TIER_CODE_RE else " (upper case)"))
        return str(code)
    limit = MAX_CODE_LENGTH.get(where.split("[", 1)[0], 20)
    if len(code) > limit:
        problems.append(f"{where}: code {code!r} is longer than {limit} characters")
        return str(code)
    return code


def _text(where: str, item: dict[str, Any], key: str, problems: list[str]) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {key} is missing")
        return ""
    return value.strip()


def _number(
    where: str, item: dict[str, Any], key: str, problems: list[str], *, required: bool
) -> float | int | None:
    value = item.get(key)
    if value is None:
        if required:
            problems.append(f"{where}: {key} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(f"{where}: {key} must be a number, not {value!r}")
        return None
    return value


def _dimension(index: int, item: Any, problems: list[str]) -> dict[str, Any]:
    where = _where("dimensions", index, item)
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return {}
    points = _number(where, item, "points", problems, required=True)
    if points is not None and points <= 0:
        problems.append(f"{where}: points must be positive")
    return {
        "code": _code(where, item, problems),
        "name_zh": _text(where, item, "name_zh", problems),
        "name_en": str(item.get("name_en", "")).strip(),
        "points": points,
    }


def _element(index: int, item: Any, problems: list[str]) -> dict[str, Any]:
    where = _where("elements", index, item)
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return {}
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in ELEMENT_KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {', '.join(sorted(ELEMENT_KINDS))}")
    aggregation = item.get("aggregation")
    if not isinstance(aggregation, str) or aggregation not in AGGREGATIONS:
        problems.append(f"{where}: aggregation {aggregation!r} is not 'sum' or 'none'")
    minimum = _number(where, item, "min", problems, required=False)
    maximum = _number(where, item, "max", problems, required=False)
    if minimum is not None and maximum is not None and minimum > maximum:
        problems.append(f"{where}: min {minimum} is above max {maximum}")
    max_level = _number(where, item, "max_level", problems, required=kind == "ordinal")
    if kind == "ordinal" and max_level is not None and (
        max_level < 1 or max_level != int(max_level)
    ):
        problems.append(f"{where}: max_level must be a whole number of at least 1")
    yoy = _number(where, item, "yoy_threshold", problems, required=False)
    if yoy is not None and not 0 < yoy <= MAX_YOY_THRESHOLD:
        problems.append(f"{where}: yoy_threshold must be a positive share up to "
                        f"{MAX_YOY_THRESHOLD} (0.3 for 30 %)")
    result = {
        "code": _code(where, item, problems),
        "name_zh": _text(where, item, "name_zh", problems),
        "name_en": str(item.get("name_en", "")).strip(),
        "unit": str(item.get("unit", "")).strip(),
        "kind": kind,
        "min": minimum,
        "min_exclusive": bool(item.get("min_exclusive", False)),
        "max": maximum,
        "aggregation": aggregation,
        "yoy_threshold": yoy if "yoy_threshold" in item else 0.3,
    }
    if kind == "ordinal":
        result["max_level"] = int(max_level) if max_level is not None else None
    return result


def _indicator(
    index: int, item: Any, dim_codes: set[str], element_codes: set[str], problems: list[str]
) -> dict[str, Any]:
    where = _where("indicators", index, item)
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return {}
    dimension = item.get("dimension")
    if not isinstance(dimension, str) or dimension not in dim_codes:
        problems.append(f"{where}: unknown dimension {dimension!r}")
    formula = item.get("formula")
    try:
        expression = parse_expression(str(formula or ""), known_codes=element_codes)
        if expression.is_comparison:
            problems.append(f"{where}: formula {formula!r} is a comparison, not arithmetic")
        elif not expression.codes:  # the scoring core refuses it: say so at import
            problems.append(f"{where}: formula {formula!r} reads no data element")
    except ExpressionError as exc:
        problems.append(f"{where}: formula: {exc}")
    direction = item.get("direction")
    if not isinstance(direction, str) or direction not in ("+", "-"):
        problems.append(f"{where}: direction must be '+' or '-', not {direction!r}")
    weight = _number(where, item, "weight", problems, required=True)
    if weight is not None and weight <= 0:
        problems.append(f"{where}: weight must be positive")
    return {
        "code": _code(where, item, problems),
        "dimension": dimension,
        "name_zh": _text(where, item, "name_zh", problems),
        "name_en": str(item.get("name_en", "")).strip(),
        "formula": str(formula or "").strip(),
        "unit": str(item.get("unit", "")).strip(),
        "direction": direction,
        "normalisation": _normalisation(where, item.get("normalisation"), problems),
        "weight": weight,
    }


def _normalisation(where: str, value: Any, problems: list[str]) -> dict[str, Any]:
    if (not isinstance(value, dict) or not isinstance(value.get("kind"), str)
            or value["kind"] not in NORMALISATIONS):
        problems.append(
            f"{where}: normalisation must be an object with kind one of "
            f"{', '.join(sorted(NORMALISATIONS))}"
        )
        return {}
    kind = value["kind"]
    where = f"{where} normalisation"
    if kind == "goalposts":
        lower = _number(where, value, "lower", problems, required=True)
        upper = _number(where, value, "upper", problems, required=True)
        if lower is not None and upper is not None and lower >= upper:
            problems.append(f"{where}: lower {lower} must be below upper {upper}")
        return {"kind": kind, "lower": lower, "upper": upper}
    if kind == "ordinal":
        level = _number(where, value, "max_level", problems, required=True)
        if level is not None and level <= 0:
            problems.append(f"{where}: max_level must be positive")
        return {"kind": kind, "max_level": level}
    if kind == "target":
        target = _number(where, value, "target", problems, required=True)
        if target is not None and target <= 0:
            problems.append(f"{where}: target must be positive")
        return {"kind": kind, "target": target}
    return {"kind": kind}


def _rule(index: int, item: Any, element_codes: set[str], problems: list[str]) -> dict[str, Any]:
    where = _where("rules", index, item)
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return {}
    expression = item.get("expression")
    try:
        parsed = parse_expression(str(expression or ""), known_codes=element_codes)
        if not parsed.is_comparison:
            problems.append(f"{where}: expression {expression!r} must be a comparison")
    except ExpressionError as exc:
        problems.append(f"{where}: expression: {exc}")
    severity = item.get("severity")
    if not isinstance(severity, str) or severity not in SEVERITIES:
        problems.append(f"{where}: severity must be 'error' or 'warning', not {severity!r}")
    message_zh = _text(where, item, "message_zh", problems)
    return {
        "code": _code(where, item, problems),
        "expression": str(expression or "").strip(),
        "severity": severity,
        "message_zh": message_zh,
        "message_en": str(item.get("message_en") or message_zh).strip(),
    }


def _tier(index: int, item: Any, problems: list[str]) -> dict[str, Any]:
    where = _where("tiers", index, item)
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object")
        return {}
    min_total = _number(where, item, "min_total", problems, required=True)
    if min_total is not None and not 0 <= min_total <= TOTAL_POINTS:
        problems.append(f"{where}: min_total must lie between 0 and {TOTAL_POINTS}")
    return {
        "code": _code(where, item, problems, TIER_CODE_RE),
        "min_total": min_total,
        "label_zh": _text(where, item, "label_zh", problems),
        "label_en": str(item.get("label_en", "")).strip(),
    }


def _unique_codes(section: str, items: list[dict[str, Any]], problems: list[str]) -> set[str]:
    seen: set[str] = set()
    for item in items:
        code = item.get("code")
        if not isinstance(code, str):
            continue
        if code in seen:
            problems.append(f"{section}: duplicate code {code}")
        seen.add(code)
    return seen


def _unique_thresholds(tiers: list[dict[str, Any]], problems: list[str]) -> None:
    """Two tiers may not start at the same total (a unit would be in both)."""
    seen: dict[float, str] = {}
    for tier in tiers:
        total = tier.get("min_total")
        if not isinstance(total, int | float):
            continue
        if total in seen:
            problems.append(f"tiers ({tier.get('code')}): min_total {total:g} is also the "
                            f"min_total of {seen[total]}")
        seen.setdefault(total, str(tier.get("code")))


def plain_number(value: Decimal | float | int | None) -> float | int | None:
    """A number as JSON shows it: whole numbers without a fraction (20, not 20.0)."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number

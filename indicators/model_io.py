"""Reading and checking an index model document before anything is stored.

``parse_model_document`` is **the** validator of a model: a JSON file given to
``import_model`` and every save of the administrators' web editor (``indicators.forms``) go
through it and nothing else. It checks a whole document and reports every problem it finds at
once, so that a file or a form is fixed in one round. Each problem names its place as a file's
reader finds it (``indicators[3] (I14)``) and, for a form, its section, item and field
(``indicators``, 3, ``weight``); its message is a lazy gettext text, in the language of whoever
reads it. Only a document without problems reaches the database (``services.model_import``).

What comes out is the document in canonical form: every field present, defaults filled in, text
trimmed, whole numbers as ``int`` (``20``, not ``20.0``), tiers from the highest threshold down.
Its SHA-256 identifies the model; ``selectors.model_export`` gives exactly this back.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from indicators.expressions import CODE_RE, ExpressionError, parse_expression

ELEMENT_KINDS = {"number", "integer", "ordinal"}
AGGREGATIONS = {"sum", "none"}
NORMALISATIONS = {"goalposts", "ordinal", "minmax", "target"}
SEVERITIES = {"error", "warning"}
SECTIONS = ("dimensions", "elements", "indicators", "rules", "tiers")
TOTAL_POINTS = 100
DEFAULT_YOY_THRESHOLD = 0.3

TIER_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,19}$")
# The lengths of the database columns the codes go into (indicators.models).
MAX_CODE_LENGTH = {"dimensions": 10, "elements": 20, "indicators": 20, "rules": 40, "tiers": 20}
MAX_VERSION_LENGTH = 20
# A version's code is part of web addresses (the published methodology's): no "/" or spaces.
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_YOY_THRESHOLD = 99  # DataElement.yoy_threshold holds up to 99.9999 (9,999 %)

# --- the messages (tests import them; the English catalogue gives the file's own words) -----

NOT_JSON = _("不是 JSON 文档：{error}")
NOT_OBJECT = _("文档必须是一个 JSON 对象")
VERSION_MISSING = _("缺失或为空")
TOO_LONG = _("超过 {limit} 个字符")
VERSION_INVALID = _("版本代码 {version} 只能由字母、数字和 . _ - 组成，以字母或数字开头")
YEAR_INVALID = _("缺失或不是年份")
LIST_MISSING = _("缺失或不是非空列表")
ITEM_NOT_OBJECT = _("必须是一个对象")
CODE_INVALID = _("代码 {code} 须由字母和数字组成，以字母开头")
CODE_INVALID_UPPER = _("代码 {code} 须由大写字母、数字和下划线组成，以字母开头")
CODE_TOO_LONG = _("代码 {code} 超过 {limit} 个字符")
FIELD_MISSING = _("缺少{field}")
NOT_A_NUMBER = _("{field}必须是数字，不能是 {value}")
POINTS_POSITIVE = _("分值必须为正数")
KIND_INVALID = _("类型 {value} 不是 {choices} 之一")
AGGREGATION_INVALID = _("全国汇总方式 {value} 不是 sum 或 none")
MIN_ABOVE_MAX = _("下限 {minimum} 高于上限 {maximum}")
MAX_LEVEL_WHOLE = _("最高等级必须是不小于 1 的整数")
YOY_RANGE = _("同比警告阈值必须是不超过 {limit} 的正比例（30% 填 0.3）")
LEVELS_NOT_ORDINAL = _("只有等级类数据项才有等级名称")
LEVELS_COUNT = _("等级名称应有 {count} 个（0 至 {top} 级各一个），现有 {given} 个")
LEVEL_LABEL_MISSING = _("第 {level} 级缺少中文名称")
UNKNOWN_DIMENSION = _("未知的方面 {value}")
FORMULA_COMPARISON = _("公式 {formula} 是比较式，不是算式")
FORMULA_NO_ELEMENT = _("公式 {formula} 没有用到任何数据项")
FORMULA_ERROR = _("公式：{error}")
DIRECTION_INVALID = _("方向必须是 + 或 -，不能是 {value}")
WEIGHT_POSITIVE = _("权重必须为正数")
NORMALISATION_INVALID = _("标准化方法必须是 {choices} 之一")
LOWER_UPPER = _("下门槛 {lower} 必须低于上门槛 {upper}")
ORDINAL_MAX_POSITIVE = _("最高等级必须为正数")
TARGET_POSITIVE = _("目标值必须为正数")
RULE_NOT_COMPARISON = _("表达式 {expression} 必须是比较式")
EXPRESSION_ERROR = _("表达式：{error}")
SEVERITY_INVALID = _("级别必须是 error 或 warning，不能是 {value}")
MIN_TOTAL_RANGE = _("最低总分必须在 0 到 {total} 之间")
DUPLICATE_CODE = _("代码 {code} 重复")
POINTS_SUM = _("各方面分值之和为 {sum}，应为 {total}")
DIMENSION_EMPTY = _("没有指标属于这个方面")
TIER_SHARED = _("最低总分 {total} 与 {other} 的最低总分相同")

# What the safe parser found wrong with a formula or a rule (ExpressionError.reason).
EXPRESSION_REASONS: dict[str, Promise] = {
    "empty": _("表达式为空"),
    "too_long": _("表达式超过 {limit} 个字符"),
    "syntax": _("不是有效的表达式：{text}（{detail}）"),
    "operator": _("{text} 中不能使用运算符 {operator}"),
    "constant": _("{text} 中只能用数字作常量"),
    "name": _("{name} 不是数据项代码（{text}）"),
    "node": _("{text} 中不能使用 {node}：只能用数字、数据项代码、+ - * / 和比较"),
    "unknown_codes": _("{text} 中有未知的数据项代码 {codes}"),
}

# The fields as a message names them; in English, the file's own keys (what a file's author
# looks for), which the context keeps apart from the labels of the editor's fields.
FIELD_LABELS: dict[str, Promise] = {
    "points": pgettext_lazy("model file key", "分值"),
    "min": pgettext_lazy("model file key", "下限"),
    "max": pgettext_lazy("model file key", "上限"),
    "max_level": pgettext_lazy("model file key", "最高等级"),
    "yoy_threshold": pgettext_lazy("model file key", "同比警告阈值"),
    "weight": pgettext_lazy("model file key", "权重"),
    "lower": pgettext_lazy("model file key", "下门槛"),
    "upper": pgettext_lazy("model file key", "上门槛"),
    "target": pgettext_lazy("model file key", "目标值"),
    "min_total": pgettext_lazy("model file key", "最低总分"),
    "name_zh": pgettext_lazy("model file key", "中文名称"),
    "message_zh": pgettext_lazy("model file key", "中文提示"),
    "label_zh": pgettext_lazy("model file key", "中文名称"),
}


@dataclass(frozen=True)
class Problem:
    """One problem of a document: where a file's reader finds it (``place``), where a form
    shows it (``section``, ``index``, ``field``) and what it is (``text``)."""

    place: str
    message: str | Promise
    params: Mapping[str, Any] = field(default_factory=dict)
    section: str = ""        # one of SECTIONS; "" for the document's own fields
    index: int | None = None  # the item's position in its section
    field: str = ""          # "weight", "normalisation.lower"; "" for the item or section

    @property
    def text(self) -> str:
        """The message in the active language, its placeholders filled."""
        params = {k: str(v) if isinstance(v, Promise) else v for k, v in self.params.items()}
        return str(self.message).format(**params)

    def __str__(self) -> str:
        return f"{self.place}: {self.text}"


class ModelFileError(ValueError):
    """The model document has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


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
        raise ModelFileError([Problem("file", NOT_JSON, {"error": str(exc)})]) from None
    return parse_model_document(data)


def plain_number(value: Decimal | float | int | None) -> float | int | None:
    """A number as JSON shows it: whole numbers without a fraction (20, not 20.0)."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


@dataclass(frozen=True)
class _At:
    """Where an item is: its section and position, and the place a problem names."""

    section: str
    index: int | None
    place: str


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, at: _At, field_name: str, message: str | Promise, **params: Any) -> None:
        self.problems.append(Problem(at.place, message, params, at.section, at.index,
                                     field_name))

    def document(self, field_name: str, message: str | Promise, **params: Any) -> None:
        self.add(_At("", None, field_name), field_name, message, **params)


def parse_model_document(data: Any) -> ModelDocument:
    """Check ``data`` whole; return it in canonical form or raise ``ModelFileError`` listing
    every problem."""
    if not isinstance(data, dict):
        raise ModelFileError([Problem("document", NOT_OBJECT)])
    check = _Checker()
    canon = _header(data, check)
    lists = {section: _list(data, section, check, required=section in SECTIONS[:3])
             for section in SECTIONS}
    canon["dimensions"] = [_dimension(i, d, check) for i, d in enumerate(lists["dimensions"])]
    canon["elements"] = [_element(i, e, check) for i, e in enumerate(lists["elements"])]
    dim_codes = _unique_codes("dimensions", canon["dimensions"], check)
    element_codes = _unique_codes("elements", canon["elements"], check)
    canon["indicators"] = [_indicator(i, ind, dim_codes, element_codes, check)
                           for i, ind in enumerate(lists["indicators"])]
    _unique_codes("indicators", canon["indicators"], check)
    canon["rules"] = [_rule(i, r, element_codes, check) for i, r in enumerate(lists["rules"])]
    _unique_codes("rules", canon["rules"], check)
    tiers = [_tier(i, t, check) for i, t in enumerate(lists["tiers"])]
    _unique_codes("tiers", tiers, check)
    _unique_thresholds(tiers, check)
    canon["tiers"] = _tiers_in_order(tiers)
    _points_and_members(canon, dim_codes, check)
    if check.problems:
        raise ModelFileError(check.problems)
    return ModelDocument(canon)


def _header(data: dict[str, Any], check: _Checker) -> dict[str, Any]:
    version = data.get("version")
    if not isinstance(version, str | int) or isinstance(version, bool) or not str(version).strip():
        check.document("version", VERSION_MISSING)
    elif len(str(version).strip()) > MAX_VERSION_LENGTH:
        check.document("version", TOO_LONG, limit=MAX_VERSION_LENGTH)
    elif not VERSION_RE.match(str(version).strip()):
        check.document("version", VERSION_INVALID, version=repr(version))
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2200:
        check.document("year", YEAR_INVALID)
    return {
        "version": str(version).strip() if version is not None else "",
        "year": year,
        "title_zh": str(data.get("title_zh", "")).strip(),
        "title_en": str(data.get("title_en", "")).strip(),
    }


def _points_and_members(canon: dict[str, Any], dim_codes: set[str], check: _Checker) -> None:
    """The points sum to the total, and every dimension has an indicator."""
    dimensions = canon["dimensions"]
    points = [d["points"] for d in dimensions if isinstance(d.get("points"), int | float)]
    if dimensions and not math.isclose(sum(points), TOTAL_POINTS, abs_tol=1e-9):
        check.add(_At("dimensions", None, "dimensions"), "points", POINTS_SUM,
                  sum=f"{sum(points):g}", total=TOTAL_POINTS)
    used = {ind.get("dimension") for ind in canon["indicators"]
            if isinstance(ind.get("dimension"), str)}
    for index, dim in enumerate(dimensions):
        code = dim.get("code")
        if isinstance(code, str) and code in dim_codes - used:
            check.add(_At("dimensions", index, f"dimensions ({code})"), "", DIMENSION_EMPTY)


def _list(data: dict[str, Any], key: str, check: _Checker, *, required: bool) -> list[Any]:
    value = data.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        check.add(_At(key, None, key), "", LIST_MISSING)
        return []
    return value


def _at(section: str, index: int, item: Any) -> _At:
    code = item.get("code") if isinstance(item, dict) else None
    return _At(section, index, f"{section}[{index}]" + (f" ({code})" if code else ""))


def _code(at: _At, item: dict[str, Any], check: _Checker,
          pattern: re.Pattern[str] = CODE_RE) -> str:
    code = item.get("code")
    if not isinstance(code, str) or not pattern.match(code):
        message = CODE_INVALID if pattern is TIER_CODE_RE else CODE_INVALID_UPPER
        check.add(at, "code", message, code=repr(code))
        return str(code)
    limit = MAX_CODE_LENGTH.get(at.section, 20)
    if len(code) > limit:
        check.add(at, "code", CODE_TOO_LONG, code=repr(code), limit=limit)
    return code


def _text(at: _At, item: dict[str, Any], key: str, check: _Checker) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        check.add(at, key, FIELD_MISSING, field=FIELD_LABELS.get(key, key))
        return ""
    return value.strip()


def _number(at: _At, item: dict[str, Any], key: str, check: _Checker, *, required: bool,
            prefix: str = "") -> float | int | None:
    value = item.get(key)
    if value is None:
        if required:
            check.add(at, prefix + key, FIELD_MISSING, field=FIELD_LABELS.get(key, key))
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        check.add(at, prefix + key, NOT_A_NUMBER, field=FIELD_LABELS.get(key, key),
                  value=repr(value))
        return None
    return plain_number(value)


def _choice(value: Any, choices: set[str]) -> bool:
    return isinstance(value, str) and value in choices


def _dimension(index: int, item: Any, check: _Checker) -> dict[str, Any]:
    at = _at("dimensions", index, item)
    if not isinstance(item, dict):
        check.add(at, "", ITEM_NOT_OBJECT)
        return {}
    points = _number(at, item, "points", check, required=True)
    if points is not None and points <= 0:
        check.add(at, "points", POINTS_POSITIVE)
    return {
        "code": _code(at, item, check),
        "name_zh": _text(at, item, "name_zh", check),
        "name_en": str(item.get("name_en", "")).strip(),
        "points": points,
    }


def _element(index: int, item: Any, check: _Checker) -> dict[str, Any]:
    at = _at("elements", index, item)
    if not isinstance(item, dict):
        check.add(at, "", ITEM_NOT_OBJECT)
        return {}
    kind = item.get("kind")
    if not _choice(kind, ELEMENT_KINDS):
        check.add(at, "kind", KIND_INVALID, value=repr(kind),
                  choices=", ".join(sorted(ELEMENT_KINDS)))
    if not _choice(item.get("aggregation"), AGGREGATIONS):
        check.add(at, "aggregation", AGGREGATION_INVALID, value=repr(item.get("aggregation")))
    minimum = _number(at, item, "min", check, required=False)
    maximum = _number(at, item, "max", check, required=False)
    if minimum is not None and maximum is not None and minimum > maximum:
        check.add(at, "min", MIN_ABOVE_MAX, minimum=minimum, maximum=maximum)
    result = {
        "code": _code(at, item, check),
        "name_zh": _text(at, item, "name_zh", check),
        "name_en": str(item.get("name_en", "")).strip(),
        "unit": str(item.get("unit", "")).strip(),
        "kind": kind,
        "min": minimum,
        "min_exclusive": bool(item.get("min_exclusive", False)),
        "max": maximum,
        "aggregation": item.get("aggregation"),
        "yoy_threshold": _yoy(at, item, check),
    }
    number = _number(at, item, "max_level", check, required=kind == "ordinal")
    max_level = None
    if kind == "ordinal":
        if number is not None and (number < 1 or number != int(number)):
            check.add(at, "max_level", MAX_LEVEL_WHOLE)
        elif number is not None:
            max_level = int(number)
        result["max_level"] = max_level
    levels = _levels(at, item, kind, max_level, check)
    if levels:
        result["levels"] = levels
    return result


def _yoy(at: _At, item: dict[str, Any], check: _Checker) -> float | int | None:
    if "yoy_threshold" not in item:
        return DEFAULT_YOY_THRESHOLD
    yoy = _number(at, item, "yoy_threshold", check, required=False)
    if yoy is not None and not 0 < yoy <= MAX_YOY_THRESHOLD:
        check.add(at, "yoy_threshold", YOY_RANGE, limit=MAX_YOY_THRESHOLD)
    return yoy


def _levels(at: _At, item: dict[str, Any], kind: Any, max_level: int | None,
            check: _Checker) -> list[dict[str, str]]:
    """The names of an ordinal element's levels, 0 first (optional: without them a level is
    shown by its number)."""
    given = item.get("levels")
    if given in (None, []):
        return []
    if kind != "ordinal":
        check.add(at, "levels", LEVELS_NOT_ORDINAL)
        return []
    if not isinstance(given, list) or (max_level is not None and len(given) != max_level + 1):
        count = "?" if max_level is None else max_level + 1
        check.add(at, "levels", LEVELS_COUNT, count=count, top=max_level,
                  given=len(given) if isinstance(given, list) else 0)
        return []
    levels = []
    for level, entry in enumerate(given):
        entry = entry if isinstance(entry, dict) else {}
        label_zh = str(entry.get("label_zh") or "").strip()
        if not label_zh:
            check.add(at, "levels", LEVEL_LABEL_MISSING, level=level)
        levels.append({"label_zh": label_zh,
                       "label_en": str(entry.get("label_en") or "").strip()})
    return levels


def _indicator(index: int, item: Any, dim_codes: set[str], element_codes: set[str],
               check: _Checker) -> dict[str, Any]:
    at = _at("indicators", index, item)
    if not isinstance(item, dict):
        check.add(at, "", ITEM_NOT_OBJECT)
        return {}
    dimension = item.get("dimension")
    if not _choice(dimension, dim_codes):
        check.add(at, "dimension", UNKNOWN_DIMENSION, value=repr(dimension))
    formula = item.get("formula")
    _formula(at, formula, element_codes, check)
    direction = item.get("direction")
    if not _choice(direction, {"+", "-"}):
        check.add(at, "direction", DIRECTION_INVALID, value=repr(direction))
    weight = _number(at, item, "weight", check, required=True)
    if weight is not None and weight <= 0:
        check.add(at, "weight", WEIGHT_POSITIVE)
    return {
        "code": _code(at, item, check),
        "dimension": dimension,
        "name_zh": _text(at, item, "name_zh", check),
        "name_en": str(item.get("name_en", "")).strip(),
        "formula": str(formula or "").strip(),
        "unit": str(item.get("unit", "")).strip(),
        "direction": direction,
        "normalisation": _normalisation(at, item.get("normalisation"), check),
        "weight": weight,
    }


def _formula(at: _At, formula: Any, element_codes: set[str], check: _Checker) -> None:
    try:
        expression = parse_expression(str(formula or ""), known_codes=element_codes)
    except ExpressionError as exc:
        check.add(at, "formula", FORMULA_ERROR, error=expression_problem(exc))
        return
    if expression.is_comparison:
        check.add(at, "formula", FORMULA_COMPARISON, formula=repr(formula))
    elif not expression.codes:  # the scoring core refuses it: say so at import
        check.add(at, "formula", FORMULA_NO_ELEMENT, formula=repr(formula))


def _expression_text(reason: str, params: dict[str, str], fallback: str) -> str:
    message = EXPRESSION_REASONS.get(reason)
    return str(message).format(**params) if message is not None else fallback


_expression_lazy = lazy(_expression_text, str)


def expression_problem(exc: ExpressionError) -> Any:
    """What the safe parser found, in the language of whoever reads it (lazy, like the
    problem that carries it)."""
    return _expression_lazy(exc.reason, dict(exc.params), str(exc))


def _normalisation(at: _At, value: Any, check: _Checker) -> dict[str, Any]:
    if not isinstance(value, dict) or not _choice(value.get("kind"), NORMALISATIONS):
        check.add(at, "normalisation.kind", NORMALISATION_INVALID,
                  choices=", ".join(sorted(NORMALISATIONS)))
        return {}
    kind = value["kind"]
    at = _At(at.section, at.index, f"{at.place} normalisation")
    if kind == "goalposts":
        lower = _number(at, value, "lower", check, required=True, prefix="normalisation.")
        upper = _number(at, value, "upper", check, required=True, prefix="normalisation.")
        if lower is not None and upper is not None and lower >= upper:
            check.add(at, "normalisation.lower", LOWER_UPPER, lower=lower, upper=upper)
        return {"kind": kind, "lower": lower, "upper": upper}
    if kind == "ordinal":
        level = _number(at, value, "max_level", check, required=True, prefix="normalisation.")
        if level is not None and level <= 0:
            check.add(at, "normalisation.max_level", ORDINAL_MAX_POSITIVE)
        return {"kind": kind, "max_level": level}
    if kind == "target":
        target = _number(at, value, "target", check, required=True, prefix="normalisation.")
        if target is not None and target <= 0:
            check.add(at, "normalisation.target", TARGET_POSITIVE)
        return {"kind": kind, "target": target}
    return {"kind": kind}


def _rule(index: int, item: Any, element_codes: set[str], check: _Checker) -> dict[str, Any]:
    at = _at("rules", index, item)
    if not isinstance(item, dict):
        check.add(at, "", ITEM_NOT_OBJECT)
        return {}
    expression = item.get("expression")
    try:
        parsed = parse_expression(str(expression or ""), known_codes=element_codes)
        if not parsed.is_comparison:
            check.add(at, "expression", RULE_NOT_COMPARISON, expression=repr(expression))
    except ExpressionError as exc:
        check.add(at, "expression", EXPRESSION_ERROR, error=expression_problem(exc))
    severity = item.get("severity")
    if not _choice(severity, SEVERITIES):
        check.add(at, "severity", SEVERITY_INVALID, value=repr(severity))
    message_zh = _text(at, item, "message_zh", check)
    return {
        "code": _code(at, item, check),
        "expression": str(expression or "").strip(),
        "severity": severity,
        "message_zh": message_zh,
        "message_en": str(item.get("message_en") or message_zh).strip(),
    }


def _tier(index: int, item: Any, check: _Checker) -> dict[str, Any]:
    at = _at("tiers", index, item)
    if not isinstance(item, dict):
        check.add(at, "", ITEM_NOT_OBJECT)
        return {}
    min_total = _number(at, item, "min_total", check, required=True)
    if min_total is not None and not 0 <= min_total <= TOTAL_POINTS:
        check.add(at, "min_total", MIN_TOTAL_RANGE, total=TOTAL_POINTS)
    return {
        "code": _code(at, item, check, TIER_CODE_RE),
        "min_total": min_total,
        "label_zh": _text(at, item, "label_zh", check),
        "label_en": str(item.get("label_en", "")).strip(),
    }


def _tiers_in_order(tiers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """From the highest threshold down (how they are stored and exported); as given while
    a threshold is missing (the document is refused then anyway)."""
    if all(isinstance(t.get("min_total"), int | float) for t in tiers):
        return sorted(tiers, key=lambda t: -t["min_total"])
    return tiers


def _unique_codes(section: str, items: list[dict[str, Any]], check: _Checker) -> set[str]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        code = item.get("code")
        if not isinstance(code, str):
            continue
        if code in seen:
            check.add(_At(section, index, section), "code", DUPLICATE_CODE, code=code)
        seen.add(code)
    return seen


def _unique_thresholds(tiers: list[dict[str, Any]], check: _Checker) -> None:
    """Two tiers may not start at the same total (a unit would be in both)."""
    seen: dict[float, str] = {}
    for index, tier in enumerate(tiers):
        total = tier.get("min_total")
        if not isinstance(total, int | float):
            continue
        if total in seen:
            check.add(_At("tiers", index, f"tiers ({tier.get('code')})"), "min_total",
                      TIER_SHARED, total=f"{total:g}", other=seen[total])
        seen.setdefault(total, str(tier.get("code")))

"""The validation rules engine: raw rows in, values and issues out. No database.

Every problem is reported in one pass, each at its place (sheet, row, column, element code),
with a stable rule code and its message stored in Chinese and English (a gettext template
rendered in each, ``message``). The model's cross-element rules are data (``indicators.Rule``,
their messages too) evaluated by the safe expression parser; nothing here knows the 2017 model.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.exports import unescape_formula
from common.i18n import in_both_languages, pick_lazy
from indicators.expressions import Expression
from indicators.models import Severity
from readers import RawRow
from submissions.values import ValueParseError, parse_value

ERROR = Severity.ERROR
WARNING = Severity.WARNING

# Stable rule codes and their messages: gettext templates, rendered in both languages when an
# issue is made (``message``), because an issue is stored with its text in both. Tests import
# these; never reword a code.
MESSAGES: dict[str, Promise] = {
    "UNKNOWN_ELEMENT": _("数据项代码「{code}」不在 {model} 指标体系中"),
    "MISSING_CODE": _("该行有数值但没有数据项代码"),
    "DUPLICATE_ELEMENT": _("数据项 {code} 出现多次且数值不同（另见第 {other_row} 行）"),
    "MISSING_VALUE": _("缺少数据项 {code}（{name}）的数值"),
    "NOT_INTEGER": _("{code}（{name}）应为整数，填报值为 {value}"),
    "NOT_ORDINAL": _("{code}（{name}）应为 0 至 {max_level} 的整数等级，填报值为 {value}"),
    "BELOW_MIN": _("{code}（{name}）应不小于 {limit}，填报值为 {value}"),
    "ABOVE_MAX": _("{code}（{name}）应不大于 {limit}，填报值为 {value}"),
    "RULE_UNDEFINED": _("无法检查规则 {rule}（{expression}）：除数为零"),
    "YOY_CHANGE": _("{code}（{name}）较上年审定值 {previous} 变化 {change}，超过 {threshold}，"
                    "请核实并在备注中说明"),
    "OUTLIER": _("{indicator}（{name}）为 {value}，明显偏离其他地区（修正 Z 值 {z}），"
                 "请核实并在备注中说明"),
}
# The stored issues of one version are capped (issue 16: one file stored 249,000 of them): the
# first ones of each rule and of the version, then one issue per cap saying how many more.
MAX_ISSUES_PER_RULE = 1_000
MAX_ISSUES_PER_VERSION = 5_000
MORE_OF_RULE = "MORE_OF_RULE"
MORE_IN_VERSION = "MORE_IN_VERSION"
MESSAGES.update({
    # A file with far more rows than the model has elements (validation, before the rules).
    "TOO_MANY_ROWS_FOR_MODEL": _("文件有 {rows} 行数据，而指标体系只有 {elements} 个数据项"
                                 "（最多接受 {limit} 行）。请上传本地区的填报模板，"
                                 "或每个数据项一行的文件"),
    MORE_OF_RULE: _("另有 {count} 个同类问题（{rule}）未逐一列出"),
    MORE_IN_VERSION: _("另有 {count} 个问题未逐一列出（每个版本最多列出 {limit} 个）"),
})
# BELOW_MIN against an exclusive minimum ("> 0").
BELOW_EXCLUSIVE_MIN = _("{code}（{name}）应大于 {limit}，填报值为 {value}")


def message(rule_code: str, text: Promise | None = None, /, **params: object) -> tuple[str, str]:
    """``(zh, en)`` of a rule's message (or of ``text``, a variant of it); a name is given as
    ``name=pick_lazy(name_zh, name_en)`` so that each language shows its own."""
    return in_both_languages(text or MESSAGES[rule_code], **params)


# slots: a bulk load makes a Position and a Cell per value (180,000 of each) and keeps them all
# until it is stored; slots make them less than half the size (56 and 80 bytes instead of 152
# and 176), for the intake's peak memory (docs/benchmarks.md, "Intake", peak RSS).
@dataclass(frozen=True, slots=True)
class Position:
    sheet: str = ""
    row: int | None = None
    column: str = ""


@dataclass(frozen=True)
class ElementRule:
    code: str
    name_zh: str
    name_en: str
    unit: str
    kind: str  # "number" | "integer" | "ordinal"
    minimum: Decimal | None = None
    minimum_exclusive: bool = False
    maximum: Decimal | None = None
    max_level: int | None = None
    yoy_threshold: Decimal | None = None


@dataclass(frozen=True)
class CrossRule:
    code: str
    expression: Expression
    severity: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class IndicatorCheck:
    code: str
    name_zh: str
    name_en: str
    expression: Expression
    primary_code: str  # the cell a warning about this indicator points at (its numerator)


@dataclass(frozen=True)
class RuleSet:
    model: str
    elements: Mapping[str, ElementRule]  # in the model's order
    rules: Sequence[CrossRule] = ()
    indicators: Sequence[IndicatorCheck] = ()


@dataclass(slots=True)
class Cell:
    code: str
    value: Decimal | None
    raw: str = ""
    note: str = ""
    position: Position = field(default_factory=Position)
    unreadable: bool = False  # the text was not a value; its own error is reported already


@dataclass(frozen=True)
class Issue:
    element_code: str
    severity: str
    rule_code: str
    message_zh: str
    message_en: str
    position: Position = Position()


def primary_code(expression: Expression) -> str:
    """The first element code of a formula in reading order (the numerator of a ratio)."""
    names = [node for node in ast.walk(expression.tree) if isinstance(node, ast.Name)]
    names.sort(key=lambda node: node.col_offset)
    return names[0].id if names else ""


def _raw_text(value: object) -> str:
    return "" if value is None else str(value)[:200]


def parse_rows(
    ruleset: RuleSet, rows: Iterable[RawRow], *, sheet: str = ""
) -> tuple[dict[str, Cell], list[Issue]]:
    """Parse the raw rows of one reporting unit into cells; report every unreadable cell."""
    cells: dict[str, Cell] = {}
    issues: list[Issue] = []
    elements = ruleset.elements
    for row in rows:
        row_cells = row.cells
        code_cell = row_cells.get("code")
        value_cell = row_cells.get("value")
        note_cell = row_cells.get("note")
        raw_code = code_cell.value if code_cell is not None else None
        # _raw_text inlined for the common case, a str (str(text) is text).
        code = (raw_code[:200] if type(raw_code) is str else _raw_text(raw_code)).strip().upper()
        raw_value = value_cell.value if value_cell is not None else None
        if not code:
            if raw_value not in (None, ""):
                zh, en = message("MISSING_CODE")
                issues.append(Issue("", ERROR, "MISSING_CODE", zh, en,
                                    Position(sheet, row.number,
                                             code_cell.column if code_cell else "")))
            continue
        element = elements.get(code)
        if element is None:
            zh, en = message("UNKNOWN_ELEMENT", code=code, model=ruleset.model)
            issues.append(Issue(code, ERROR, "UNKNOWN_ELEMENT", zh, en,
                                Position(sheet, row.number, code_cell.column if code_cell else "")))
            continue
        position = Position(sheet, row.number,
                            value_cell.column if value_cell is not None else "")
        try:
            value = parse_value(raw_value, unit=element.unit)
        except ValueParseError as exc:
            issues.append(Issue(code, ERROR, exc.rule_code, exc.message_zh, exc.message_en,
                                position))
            value = None
            parsed_ok = False
        else:
            parsed_ok = True
        raw_note = note_cell.value if note_cell is not None else None
        # A note the platform wrote into the template escaped (common.exports) comes back
        # as the officer wrote it.
        note = unescape_formula(
            (raw_note[:200] if type(raw_note) is str else _raw_text(raw_note)).strip())
        previous = cells.get(code)
        if previous is not None:
            if previous.value != value or not parsed_ok:
                zh, en = message("DUPLICATE_ELEMENT", code=code, other_row=previous.position.row)
                issues.append(Issue(code, ERROR, "DUPLICATE_ELEMENT", zh, en, position))
            continue
        cells[code] = Cell(code, value,
                           raw_value[:200] if type(raw_value) is str else _raw_text(raw_value),
                           note, position, not parsed_ok)
    return cells, issues


def _fmt(value: Decimal | float) -> str:
    text = f"{value:f}" if isinstance(value, Decimal) else f"{value:.6g}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_cells(
    ruleset: RuleSet, cells: Mapping[str, Cell], *, complete: bool = True
) -> list[Issue]:
    """Type, integer, ordinal level, range, cross-element rules and completeness."""
    issues: list[Issue] = []
    usable: dict[str, float] = {}
    for code, element in ruleset.elements.items():
        cell = cells.get(code)
        if cell is None or cell.value is None:
            if complete and not (cell is not None and cell.unreadable):
                zh, en = message("MISSING_VALUE", code=code,
                                 name=pick_lazy(element.name_zh, element.name_en))
                issues.append(Issue(code, ERROR, "MISSING_VALUE", zh, en,
                                    cell.position if cell else Position()))
            continue
        found = _element_issues(element, cell)
        if found:
            issues.extend(found)
        else:
            usable[code] = float(cell.value)
    issues.extend(_cross_rule_issues(ruleset, cells, usable))
    return issues


def _element_issues(element: ElementRule, cell: Cell) -> list[Issue]:
    value = cell.value
    assert value is not None
    # The checks first, the messages (which format the value) only for a value that fails one.
    kind = element.kind
    minimum = element.minimum
    maximum = element.maximum
    if kind == "ordinal":
        top = element.max_level or 0
        if value != value.to_integral_value() or not 0 <= value <= top:
            zh, en = message("NOT_ORDINAL", max_level=top, **_element_params(element, value))
            return [Issue(element.code, ERROR, "NOT_ORDINAL", zh, en, cell.position)]
        return []
    not_integer = kind == "integer" and value != value.to_integral_value()
    below = minimum is not None and (value <= minimum if element.minimum_exclusive
                                     else value < minimum)
    above = maximum is not None and value > maximum
    if not (not_integer or below or above):
        return []
    params = _element_params(element, value)
    issues = []
    if not_integer:
        zh, en = message("NOT_INTEGER", **params)
        issues.append(Issue(element.code, ERROR, "NOT_INTEGER", zh, en, cell.position))
    if below:
        assert minimum is not None
        text = BELOW_EXCLUSIVE_MIN if element.minimum_exclusive else None
        zh, en = message("BELOW_MIN", text, limit=_fmt(minimum), **params)
        issues.append(Issue(element.code, ERROR, "BELOW_MIN", zh, en, cell.position))
    if above:
        assert maximum is not None
        zh, en = message("ABOVE_MAX", limit=_fmt(maximum), **params)
        issues.append(Issue(element.code, ERROR, "ABOVE_MAX", zh, en, cell.position))
    return issues


def _element_params(element: ElementRule, value: Decimal) -> dict[str, object]:
    return {"code": element.code, "name": pick_lazy(element.name_zh, element.name_en),
            "value": _fmt(value)}


def _cross_rule_issues(
    ruleset: RuleSet, cells: Mapping[str, Cell], usable: Mapping[str, float]
) -> list[Issue]:
    issues = []
    for rule in ruleset.rules:
        if not rule.expression.codes <= usable.keys():
            continue  # a missing or invalid operand is reported on its own cell already
        try:
            holds = bool(rule.expression.evaluate(usable))
        except ZeroDivisionError:
            zh, en = message("RULE_UNDEFINED", rule=rule.code, expression=rule.expression.text)
            holds, rule_zh, rule_en = False, zh, en
        else:
            rule_zh, rule_en = rule.message_zh, rule.message_en
        if holds:
            continue
        # Point at the rule's first operand, the value most likely to be wrong (E101 in
        # "E101 <= P01").
        code = primary_code(rule.expression)
        position = cells[code].position if code in cells else Position()
        issues.append(Issue(code, rule.severity, rule.code, rule_zh, rule_en, position))
    return issues


def check_year_over_year(
    ruleset: RuleSet, cells: Mapping[str, Cell], previous: Mapping[str, Decimal | None]
) -> list[Issue]:
    """A change of more than the element's threshold against last cycle's approved value."""
    if not previous:
        return []  # a unit without an approved value last cycle (every unit of a first load)
    issues = []
    for code, element in ruleset.elements.items():
        cell = cells.get(code)
        before = previous.get(code)
        if (element.yoy_threshold is None or cell is None or cell.value is None
                or before is None or before == 0):
            continue
        change = (cell.value - before) / abs(before)
        if abs(change) > element.yoy_threshold:
            zh, en = message(
                "YOY_CHANGE", code=code, name=pick_lazy(element.name_zh, element.name_en),
                previous=_fmt(before), change=f"{change * 100:+.1f}%",
                threshold=f"{element.yoy_threshold * 100:.0f}%",
            )
            issues.append(Issue(code, WARNING, "YOY_CHANGE", zh, en, cell.position))
    return issues


MIN_PEERS_FOR_OUTLIERS = 5


def _evaluate_checks(checks: Sequence[IndicatorCheck], columns: Mapping[str, np.ndarray],
                     size: int) -> np.ndarray:
    """units × indicators, NaN where an operand is missing or the value is undefined."""
    out = np.full((size, len(checks)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, check in enumerate(checks):
            result = np.asarray(check.expression.evaluate(columns), dtype=float)
            out[:, j] = np.where(np.isfinite(result), result, np.nan)
    return out


def modified_z_scores(matrix: np.ndarray) -> np.ndarray:
    """Iglewicz–Hoaglin modified z-score of every cell against its column; NaN where the
    column has fewer than MIN_PEERS_FOR_OUTLIERS + 1 values or no spread (MAD = 0)."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        median = np.nanmedian(matrix, axis=0)
        mad = np.nanmedian(np.abs(matrix - median), axis=0)
        z = 0.6745 * (matrix - median) / mad
    counts = np.sum(~np.isnan(matrix), axis=0)
    z[:, (counts <= MIN_PEERS_FOR_OUTLIERS) | ~(mad > 0)] = np.nan
    return z


def outlier_issues(
    ruleset: RuleSet,
    units: Sequence[Mapping[str, Cell]],
    peers: Sequence[Mapping[str, float]],
    *,
    threshold: float,
) -> list[list[Issue]]:
    """Outlier warnings for each of ``units``, against the distribution of all ``units`` and
    ``peers`` (the cycle's other validated submissions) together.

    Indicators, not raw elements, are compared: they are scale-free (rates, indices), while a
    raw count such as population is rightly far larger in 广东 than in 西藏.
    """
    checks = list(ruleset.indicators)
    if not checks or not units:
        return [[] for _ in units]
    # The indicators over the units' values as floats, one column per element code read
    # straight from the cells (no per-unit dictionary of floats first: 180,000 values in a
    # county-level load).
    codes = sorted({code for check in checks for code in check.expression.codes})
    nan = np.nan
    columns = {}
    for code in codes:
        column = [nan if (cell := cells.get(code)) is None or (value := cell.value) is None
                  else float(value) for cells in units]
        column.extend(peer.get(code, nan) for peer in peers)
        columns[code] = np.array(column, dtype=float)
    matrix = _evaluate_checks(checks, columns, len(units) + len(peers))
    z = modified_z_scores(matrix)
    result: list[list[Issue]] = [[] for _ in units]
    flagged = np.abs(np.nan_to_num(z[:len(units)], nan=0.0)) > threshold
    for i, j in zip(*np.nonzero(flagged), strict=True):  # by unit, then indicator
        check = checks[j]
        cell = units[i].get(check.primary_code)
        zh, en = message(
            "OUTLIER", indicator=check.code, name=pick_lazy(check.name_zh, check.name_en),
            value=f"{matrix[i, j]:.4g}",
            z=f"{z[i, j]:.1f}",
        )
        result[i].append(Issue(check.primary_code, WARNING, "OUTLIER", zh, en,
                               cell.position if cell else Position()))
    return result


def check_outliers(
    ruleset: RuleSet,
    cells: Mapping[str, Cell],
    peers: Sequence[Mapping[str, float]],
    *,
    threshold: float,
) -> list[Issue]:
    return outlier_issues(ruleset, [cells], peers, threshold=threshold)[0]


def unexplained_warnings(issues: Iterable[Issue], cells: Mapping[str, Cell]) -> int:
    """Warnings whose value carries no note: each needs the officer's explanation."""
    return sum(
        1 for issue in issues
        if issue.severity == WARNING and not (cells.get(issue.element_code)
                                              and cells[issue.element_code].note.strip())
    )


def cap_issues(issues: Sequence[Issue], *, per_rule: int | None = None,
               per_version: int | None = None) -> list[Issue]:
    """The issues to store: the first ``per_rule`` of each rule and the first
    ``per_version`` in all, in their order, then one issue per rule (and one for the version)
    counting those left out, with the severity of the worst of them."""
    per_rule = MAX_ISSUES_PER_RULE if per_rule is None else per_rule
    per_version = MAX_ISSUES_PER_VERSION if per_version is None else per_version
    kept: list[Issue] = []
    by_rule: dict[str, int] = {}
    left_by_rule: dict[str, list[Issue]] = {}
    left_by_version: list[Issue] = []
    for issue in issues:
        seen = by_rule.get(issue.rule_code, 0)
        if seen >= per_rule:
            left_by_rule.setdefault(issue.rule_code, []).append(issue)
        elif len(kept) >= per_version:
            left_by_version.append(issue)
        else:
            by_rule[issue.rule_code] = seen + 1
            kept.append(issue)
    for rule, left in left_by_rule.items():
        zh, en = message(MORE_OF_RULE, count=f"{len(left):,}", rule=rule)
        kept.append(Issue("", _worst(left), MORE_OF_RULE, zh, en))
    if left_by_version:
        zh, en = message(MORE_IN_VERSION, count=f"{len(left_by_version):,}",
                         limit=f"{per_version:,}")
        kept.append(Issue("", _worst(left_by_version), MORE_IN_VERSION, zh, en))
    return kept


def _worst(issues: Sequence[Issue]) -> str:
    return ERROR if any(i.severity == ERROR for i in issues) else WARNING

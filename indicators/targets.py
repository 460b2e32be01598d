"""The national 2020 targets (Table 1 of the report): figures with qualifiers, progress, growth.

Pure code: no database (Django only for gettext: a refusal is given in both languages, as the
file's loader and an administrator may read either). Text in (as printed in the report or
typed by an administrator), plain data out. The lead's models and pages sit on top of it
(``indicators.models.NationalTarget`` stores the same text this module parses).

Decisions (the contract):

* **A figure is a bound** (``Bound``): a number with a comparator ``=``, ``>``, ``>=``, ``<``,
  ``<=``. ``"90"`` is ``= 90``; ``">90"`` is "some number above 90". ``parse_bound`` accepts the
  ASCII forms, ``≥ ≤ ≧ ≦ ⩾ ⩽``, the full-width ``＞ ＜ ＝`` and digits ``９０``, and Chinese words:
  after the number ``以上`` (``>=``), ``以下``/``以内`` (``<=``); before it ``超过``/``大于``/
  ``高于`` (``>``), ``不低于``/``不少于``/``不小于`` (``>=``), ``低于``/``小于``/``少于``/``不足``
  (``<``), ``不超过``/``不高于``/``不大于`` (``<=``). ``以上`` includes the number and ``超过``
  does not, as in Chinese legal usage (刑法第九十九条：“本法所称以上、以下、以内，包括本数”) and in
  the report itself (“贫困村宽带网络覆盖率超过90%” is printed as ``>90``). A unit or ``%`` is
  refused rather than guessed at: the unit is a property of the indicator, not of the figure.
* **A target is a threshold in the better direction.** A bare target ``90`` means ``>= 90`` when
  higher is better and ``<= 90`` when lower is better; a target with a qualifier means exactly
  that (``>38`` is met only above 38). ``meets_target`` treats the value as the set of numbers it
  can stand for: True when all of them meet the target, False when none does, None when some do
  and some do not (``>80`` against 90: the true value could be 85 or 95).
* **Growth** is in percentage points for indicators whose unit is ``%`` (the report's bracketed
  figures) and a growth rate in % otherwise. It is computed only between two plain numbers:
  when either figure is a bound the change is not determined (``>80`` → ``>90`` could be 81 → 91,
  i.e. +10, or 99 → 91, i.e. −8), so ``compute_growth`` returns None; the report's printed
  ``(10)`` is the difference of the printed numbers and is kept as reported, unchecked. A growth
  rate from a previous value of 0 or below is None too (no rate from a zero base; a negative base
  would flip the sign of the rate).
* Growth is returned unrounded (28 significant digits); rounding is for display only.
* ``growth_differs`` flags a printed growth that differs from the computed one by more than
  ``tolerance`` (default 0.5: the report prints some growths as whole numbers — ``16``,
  ``(8)`` — so half a unit is what rounding of the printed growth alone explains). It is a
  data-quality note; neither figure is overwritten.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.i18n import in_both_languages
from common.numbers import plain_decimal

__all__ = [
    "COMPARATORS",
    "TARGETS_FILE",
    "Bound",
    "Growth",
    "NationalTargetData",
    "compute_growth",
    "format_bound",
    "growth_differs",
    "growth_unit",
    "load_targets",
    "meets_target",
    "parse_bound",
    "parse_reported_growth",
]

TARGETS_FILE: Final = Path(__file__).resolve().parent / "data" / "national_targets.json"

COMPARATORS: Final = ("=", ">", ">=", "<", "<=")

# Symbols after NFKC (which already folds ＞ ＜ ＝ and full-width digits to ASCII).
_SYMBOLS: Final = {
    "=": "=", ">": ">", "<": "<",
    ">=": ">=", "=>": ">=", "≥": ">=", "≧": ">=", "⩾": ">=",
    "<=": "<=", "=<": "<=", "≤": "<=", "≦": "<=", "⩽": "<=",
}
# Longest words first, so that 不超过 is not read as 超过 with a stray 不.
_PREFIX_WORDS: Final = {
    "不超过": "<=", "不高于": "<=", "不大于": "<=",
    "不低于": ">=", "不少于": ">=", "不小于": ">=",
    "超过": ">", "大于": ">", "高于": ">",
    "低于": "<", "小于": "<", "少于": "<", "不足": "<",
}
_SUFFIX_WORDS: Final = {"以上": ">=", "以下": "<=", "以内": "<="}

_NUMBER: Final = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_SYMBOL_PREFIX: Final = re.compile(r"(>=|=>|<=|=<|[=<>≥≧⩾≤≦⩽])")
_MAX_TEXT_LENGTH: Final = 100


@dataclass(frozen=True)
class Bound:
    """A figure with an optional qualifier: ``=`` (a plain number), ``>``, ``>=``, ``<``, ``<=``."""

    value: Decimal
    comparator: str = "="

    def __post_init__(self) -> None:
        if self.comparator not in COMPARATORS:
            raise ValueError(f"unknown comparator {self.comparator!r}; use one of {COMPARATORS}")
        if not self.value.is_finite():
            raise ValueError(f"a bound needs a finite number, not {self.value}")

    @property
    def is_exact(self) -> bool:
        return self.comparator == "="


CANNOT_READ: Final = _("无法识别的数值“{text}”：{why}。可写作 90、>90、≥90、90以上、超过90 等")
TOO_LONG: Final = _("文字过长")
EMPTY: Final = _("内容为空")
TWO_QUALIFIERS: Final = _("限定词重复")
NOT_A_FIGURE: Final = _("不是数字（不要带单位或 %）")
CANNOT_READ_GROWTH: Final = _("无法识别的增速“{text}”")


def _both(message: Promise, **params: object) -> str:
    """The message in Chinese and in English, for whoever reads it (a loader's traceback)."""
    return " / ".join(in_both_languages(message, **params))


def _refuse(text: str, why: Promise) -> ValueError:
    return ValueError(_both(CANNOT_READ, text=text, why=why))


def parse_bound(text: str) -> Bound:
    """A figure as printed or typed (see the module docstring) → ``Bound``; ValueError if not."""
    if not isinstance(text, str):
        raise TypeError(f"parse_bound expects text, not {type(text).__name__}")
    if len(text) > _MAX_TEXT_LENGTH:
        raise _refuse(text[:20] + "…", TOO_LONG)
    # NFKC: full-width digits, ＞ ＜ ＝ and the ideographic space become ASCII.
    # White space is allowed around a qualifier ("> 90", "90 以上") but not inside the number:
    # "90 100" is two numbers, not 90100.
    rest = unicodedata.normalize("NFKC", text).strip()
    if not rest:
        raise _refuse(text, EMPTY)
    comparators: list[str] = []
    symbol = _SYMBOL_PREFIX.match(rest)
    if symbol:
        comparators.append(_SYMBOLS[symbol.group(1)])
        rest = rest[symbol.end():].lstrip()
    for word, comparator in _PREFIX_WORDS.items():
        if rest.startswith(word):
            comparators.append(comparator)
            rest = rest[len(word):].lstrip()
            break
    for word, comparator in _SUFFIX_WORDS.items():
        if rest.endswith(word):
            comparators.append(comparator)
            rest = rest[: -len(word)].rstrip()
            break
    if len(comparators) > 1:
        # ">90以上" or "超过90以上": two qualifiers that may disagree; never pick one.
        raise _refuse(text, TWO_QUALIFIERS)
    if not _NUMBER.fullmatch(rest):
        raise _refuse(text, NOT_A_FIGURE)
    try:
        value = Decimal(rest.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise _refuse(text, NOT_A_FIGURE) from None
    return Bound(value, comparators[0] if comparators else "=")


_SHOWN: Final = {"=": "", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}


def format_bound(b: Bound) -> str:
    """``Bound`` → text as the report prints it (``90``, ``>90``, ``≥90``). ``parse_bound`` reads
    back every output: ``parse_bound(format_bound(b)) == b``."""
    return f"{_SHOWN[b.comparator]}{plain_decimal(b.value, keep_zeros=True)}"


# --- progress towards a target ----------------------------------------------------------------


@dataclass(frozen=True)
class _Interval:
    """The numbers a Bound can stand for; None is an infinite end."""

    low: Decimal | None
    low_closed: bool
    high: Decimal | None
    high_closed: bool


def _interval(b: Bound) -> _Interval:
    if b.comparator == "=":
        return _Interval(b.value, True, b.value, True)
    if b.comparator in (">", ">="):
        return _Interval(b.value, b.comparator == ">=", None, False)
    return _Interval(None, False, b.value, b.comparator == "<=")


def _accepted(target: Bound, higher_is_better: bool) -> _Interval:
    """What a target accepts: a bare figure is a threshold in the better direction."""
    if target.comparator == "=":
        return _interval(Bound(target.value, ">=" if higher_is_better else "<="))
    return _interval(target)


def _inside(v: _Interval, s: _Interval) -> bool:
    """v ⊆ s, where s is a half-line (one end infinite)."""
    if s.low is not None:
        if v.low is None:
            return False
        return v.low > s.low or (v.low == s.low and (s.low_closed or not v.low_closed))
    assert s.high is not None
    if v.high is None:
        return False
    return v.high < s.high or (v.high == s.high and (s.high_closed or not v.high_closed))


def _apart(v: _Interval, s: _Interval) -> bool:
    """v ∩ s = ∅, where s is a half-line (one end infinite)."""
    if s.low is not None:
        if v.high is None:
            return False
        return v.high < s.low or (v.high == s.low and not (v.high_closed and s.low_closed))
    assert s.high is not None
    if v.low is None:
        return False
    return v.low > s.high or (v.low == s.high and not (v.low_closed and s.high_closed))


def meets_target(value: Bound, target: Bound, *, higher_is_better: bool = True) -> bool | None:
    """True when every number ``value`` can stand for meets ``target``, False when none does,
    None when it cannot be said (``>80`` against 90)."""
    v, s = _interval(value), _accepted(target, higher_is_better)
    if _inside(v, s):
        return True
    if _apart(v, s):
        return False
    return None


# --- growth -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Growth:
    """A change between two years: ``unit`` is ``"pp"`` (percentage points, for indicators whose
    unit is %) or ``"%"`` (a growth rate, for every other unit)."""

    value: Decimal
    unit: str


def growth_unit(unit: str) -> str:
    """``"pp"`` for an indicator measured in % (also ``％``), ``"%"`` for any other unit."""
    return "pp" if unicodedata.normalize("NFKC", unit).strip() == "%" else "%"


def compute_growth(previous: Bound, current: Bound, *, unit: str) -> Growth | None:
    """The change from ``previous`` to ``current``; None when either is a bound (the change is
    not determined) or, for a growth rate, when ``previous`` is 0 or below."""
    if not (previous.is_exact and current.is_exact):
        return None
    kind = growth_unit(unit)
    with localcontext() as ctx:
        ctx.prec = 28
        if kind == "pp":
            return Growth(current.value - previous.value, kind)
        if previous.value <= 0:
            return None
        return Growth((current.value / previous.value - 1) * 100, kind)


def growth_differs(
    computed: Growth, reported: Decimal, *, tolerance: Decimal = Decimal("0.5")
) -> bool:
    """True when the printed growth is further from the computed one than ``tolerance``
    (a data-quality note: 网络商品零售额 7.18 / 5.16 is +39.1 %, the report prints 32.2)."""
    return abs(computed.value - reported) > tolerance


def parse_reported_growth(text: str) -> Decimal | None:
    """A printed growth as stored or typed: ``"14.5"``, ``"(16)"``, ``"（0.33）"`` → Decimal (the
    brackets only mark percentage points, which the indicator's unit already says); ``""`` → None.
    ValueError for anything else."""
    shown = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if not shown:
        return None
    if shown.startswith("(") and shown.endswith(")"):
        shown = shown[1:-1]
    if not re.fullmatch(r"[+-]?(\d+(\.\d+)?|\.\d+)", shown):
        raise ValueError(_both(CANNOT_READ_GROWTH, text=text))
    return Decimal(shown)


# --- the shipped figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class NationalTargetData:
    """One row of ``data/national_targets.json``, figures kept as the printed text."""

    code: str
    group_zh: str
    group_en: str
    name_zh: str
    name_en: str
    unit: str
    unit_en: str
    target: str
    target_year: int
    values: dict[int, str] = field(default_factory=dict)
    reported_growth: dict[int, str] = field(default_factory=dict)
    provincial_formula: str = ""
    provincial_scale: float = 1.0
    order: int = 0

    def value(self, year: int) -> Bound | None:
        text = self.values.get(year)
        return parse_bound(text) if text else None

    @property
    def target_bound(self) -> Bound:
        return parse_bound(self.target)

    def meets(self, year: int, *, higher_is_better: bool = True) -> bool | None:
        """Whether ``year``'s figure meets the target; None when unknown or not reported."""
        value = self.value(year)
        if value is None:
            return None
        return meets_target(value, self.target_bound, higher_is_better=higher_is_better)

    def growth(self, year: int) -> Growth | None:
        """Growth from the year before to ``year``, computed from the printed figures."""
        previous, current = self.value(year - 1), self.value(year)
        if previous is None or current is None:
            return None
        return compute_growth(previous, current, unit=self.unit)


def load_targets(path: Path = TARGETS_FILE) -> list[NationalTargetData]:
    """The shipped targets, in their ``order``; every figure is checked to parse."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    targets = [
        NationalTargetData(
            code=row["code"], group_zh=row["group_zh"], group_en=row.get("group_en", ""),
            name_zh=row["name_zh"], name_en=row.get("name_en", ""), unit=row["unit"],
            unit_en=row.get("unit_en", ""), target=str(row["target"]),
            target_year=int(row.get("target_year", 2020)),
            values={int(year): str(text) for year, text in row.get("values", {}).items()},
            reported_growth={
                int(year): str(text) for year, text in row.get("reported_growth", {}).items()
            },
            provincial_formula=row.get("provincial_formula", ""),
            provincial_scale=float(row.get("provincial_scale", 1.0)),
            order=int(row.get("order", 0)),
        )
        for row in rows
    ]
    for target in targets:
        parse_bound(target.target)  # raises on a figure that does not parse
        for year in target.values:
            target.value(year)
        for text in target.reported_growth.values():
            parse_reported_growth(text)
    return sorted(targets, key=lambda t: (t.order, t.code))

"""What changed between two model versions, and what stays comparable across them.

Both work on the canonical documents (``ModelVersion.source``, what ``model_io`` checked), item
by item matched on their codes: an item whose code is only in the newer version is *added*,
only in the older *removed*, in both with another value of any attribute *changed* (with the
old and the new value of each). ``diff_models``, the administrators' comparison page and the
public one show the same ``ModelDiff``.

Across years, a figure is compared only where it means the same thing under both models
(``comparable``): an indicator present in both with the same formula, normalisation and
direction; a dimension present in both with the same points and the same indicators, each
comparable and with the same weight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.i18n import localized
from indicators.model_io import SECTIONS

SECTION_LABELS: dict[str, Promise] = {
    "dimensions": _("方面（一级指标）"),
    "elements": _("数据项"),
    "indicators": _("评价指标"),
    "rules": _("校验规则"),
    "tiers": _("等级区间"),
}

ATTRIBUTE_LABELS: dict[str, Promise] = {
    "year": pgettext_lazy("model field", "年度"),
    "title_zh": pgettext_lazy("model field", "中文标题"),
    "title_en": pgettext_lazy("model field", "英文标题"),
    "name_zh": pgettext_lazy("model field", "中文名称"),
    "name_en": pgettext_lazy("model field", "英文名称"),
    "points": pgettext_lazy("model field", "分值"),
    "unit": pgettext_lazy("model field", "单位"),
    "kind": pgettext_lazy("model field", "类型"),
    "max_level": pgettext_lazy("model field", "最高等级"),
    "levels": pgettext_lazy("model field", "等级名称"),
    "min": pgettext_lazy("model field", "下限"),
    "min_exclusive": pgettext_lazy("model field", "不含下限"),
    "max": pgettext_lazy("model field", "上限"),
    "aggregation": pgettext_lazy("model field", "全国汇总方式"),
    "yoy_threshold": pgettext_lazy("model field", "同比警告阈值"),
    "dimension": pgettext_lazy("model field", "所属方面"),
    "formula": pgettext_lazy("model field", "公式"),
    "direction": pgettext_lazy("model field", "方向"),
    "normalisation.kind": pgettext_lazy("model field", "标准化方法"),
    "normalisation.lower": pgettext_lazy("model field", "下门槛"),
    "normalisation.upper": pgettext_lazy("model field", "上门槛"),
    "normalisation.max_level": pgettext_lazy("model field", "等级上限"),
    "normalisation.target": pgettext_lazy("model field", "目标值"),
    "weight": pgettext_lazy("model field", "权重"),
    "expression": pgettext_lazy("model field", "表达式"),
    "severity": pgettext_lazy("model field", "级别"),
    "message_zh": pgettext_lazy("model field", "中文提示"),
    "message_en": pgettext_lazy("model field", "英文提示"),
    "min_total": pgettext_lazy("model field", "最低总分"),
    "label_zh": pgettext_lazy("model field", "中文名称"),
    "label_en": pgettext_lazy("model field", "英文名称"),
}

HEADER_ATTRIBUTES = ("year", "title_zh", "title_en")
# The fields of an item that name it rather than describe it.
_NAME_FIELDS = {"code"}


@dataclass(frozen=True)
class Change:
    attribute: str
    old: Any
    new: Any

    @property
    def label(self) -> str:
        return str(ATTRIBUTE_LABELS.get(self.attribute, self.attribute))

    def as_json(self) -> dict[str, Any]:
        return {"attribute": self.attribute, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ItemDiff:
    """An item of a section: added or removed (``attributes`` its values), or changed
    (``changes``, old → new)."""

    code: str
    name_zh: str
    name_en: str
    attributes: dict[str, Any] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()

    @property
    def name(self) -> str:
        return localized(self, "name")

    def as_json(self, *, changed: bool) -> dict[str, Any]:
        if changed:
            return {"code": self.code, "changes": [c.as_json() for c in self.changes]}
        return {"code": self.code, **self.attributes}


@dataclass(frozen=True)
class SectionDiff:
    section: str
    added: tuple[ItemDiff, ...]
    removed: tuple[ItemDiff, ...]
    changed: tuple[ItemDiff, ...]

    @property
    def label(self) -> str:
        return str(SECTION_LABELS[self.section])

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_json(self) -> dict[str, Any]:
        return {"added": [i.as_json(changed=False) for i in self.added],
                "removed": [i.as_json(changed=False) for i in self.removed],
                "changed": [i.as_json(changed=True) for i in self.changed]}


@dataclass(frozen=True)
class ModelDiff:
    old: str
    new: str
    header: tuple[Change, ...]
    sections: tuple[SectionDiff, ...]

    @property
    def identical(self) -> bool:
        return not self.header and all(s.empty for s in self.sections)

    def as_json(self) -> dict[str, Any]:
        return {"from": self.old, "to": self.new,
                "version": {"changed": [c.as_json() for c in self.header]},
                **{s.section: s.as_json() for s in self.sections}}


def flatten(item: dict[str, Any]) -> dict[str, Any]:
    """An item's attributes one level deep: ``normalisation.kind``, ``normalisation.lower``
    (the levels of an ordinal element stay one list)."""
    flat: dict[str, Any] = {}
    for key, value in item.items():
        if key in _NAME_FIELDS:
            continue
        if isinstance(value, dict):
            flat.update({f"{key}.{inner}": v for inner, v in value.items()})
        else:
            flat[key] = value
    return flat


def _changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[Change, ...]:
    keys = list(dict.fromkeys([*old, *new]))
    return tuple(Change(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k))


def _item(item: dict[str, Any], *, changes: tuple[Change, ...] = (),
          attributes: bool = False) -> ItemDiff:
    names = {"name_zh": str(item.get("name_zh") or item.get("label_zh") or ""),
             "name_en": str(item.get("name_en") or item.get("label_en") or "")}
    return ItemDiff(code=str(item.get("code", "")), **names,
                    attributes=flatten(item) if attributes else {}, changes=changes)


def _section(section: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> SectionDiff:
    before = {i["code"]: i for i in old}
    after = {i["code"]: i for i in new}
    changed = []
    for code, item in after.items():
        if code in before:
            changes = _changes(flatten(before[code]), flatten(item))
            if changes:
                changed.append(_item(item, changes=changes))
    return SectionDiff(
        section=section,
        added=tuple(_item(i, attributes=True) for c, i in after.items() if c not in before),
        removed=tuple(_item(i, attributes=True) for c, i in before.items() if c not in after),
        changed=tuple(changed),
    )


def model_diff(old: dict[str, Any], new: dict[str, Any]) -> ModelDiff:
    """What changed from the ``old`` document to the ``new`` one."""
    header = tuple(Change(k, old.get(k), new.get(k)) for k in HEADER_ATTRIBUTES
                   if old.get(k) != new.get(k))
    return ModelDiff(
        old=str(old.get("version", "")), new=str(new.get("version", "")), header=header,
        sections=tuple(_section(s, old.get(s, []), new.get(s, [])) for s in SECTIONS),
    )


# --- across years ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparability:
    """The codes whose figures mean the same thing under two models."""

    indicators: frozenset[str]
    dimensions: frozenset[str]
    same_model: bool


def _measure(indicator: dict[str, Any]) -> tuple[Any, ...]:
    return (indicator.get("formula"), indicator.get("direction"),
            sorted((indicator.get("normalisation") or {}).items()))


def comparable(old: dict[str, Any], new: dict[str, Any]) -> Comparability:
    """The indicators and dimensions that may be compared from ``old``'s year to ``new``'s."""
    before = {i["code"]: i for i in old.get("indicators", [])}
    after = {i["code"]: i for i in new.get("indicators", [])}
    indicators = frozenset(code for code, item in after.items()
                           if code in before and _measure(before[code]) == _measure(item))
    dimensions = set()
    old_points = {d["code"]: d.get("points") for d in old.get("dimensions", [])}
    for dim in new.get("dimensions", []):
        code = dim["code"]
        members_old = {c: i.get("weight") for c, i in before.items() if i.get("dimension") == code}
        members_new = {c: i.get("weight") for c, i in after.items() if i.get("dimension") == code}
        if (old_points.get(code) == dim.get("points") and members_old == members_new
                and set(members_new) <= indicators):
            dimensions.add(code)
    return Comparability(indicators, frozenset(dimensions),
                         same_model=old.get("version") == new.get("version"))

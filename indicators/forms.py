"""The administrators' editor of a model version: formsets over the version's document.

A page edits one or two sections of the document (``PAGES``); what is typed is put back into
the version's document as it is — numbers read as numbers, anything else left as typed — and
the whole document goes through ``model_io.parse_model_document``, the one validator that
``import_model`` uses too. Its problems are shown at their fields: a problem of an item of
this page at that item's field (or above the item), a problem of the section (the points'
sum) above the section, and a problem of another page's section above the form, naming the
item. Nothing is typed-checked here that the validator does not check, so every problem of a
save is reported at once.

Dimensions and indicators are one page: a new dimension needs its indicators (and the points
moved from the others) in the same save to be a valid model.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from indicators.model_diff import SECTION_LABELS
from indicators.model_io import (
    ModelDocument,
    ModelFileError,
    Problem,
    parse_model_document,
    plain_number,
)
from indicators.models import ModelVersion

NUMBER_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def _text(label: Any, max_length: int | None = None) -> forms.CharField:
    # Never required here: a missing value is the validator's to report, with the others.
    return forms.CharField(label=label, required=False, strip=True, max_length=max_length)


def _number(label: Any) -> forms.CharField:
    return forms.CharField(label=label, widget=NUMBER_INPUT, required=False, strip=True)


class VersionForm(forms.Form):
    year = _number(pgettext_lazy("model field", "年度"))
    title_zh = _text(pgettext_lazy("model field", "中文标题"), max_length=200)
    title_en = _text(pgettext_lazy("model field", "英文标题"), max_length=200)


class DimensionForm(forms.Form):
    code = _text(pgettext_lazy("model field", "代码"))
    name_zh = _text(pgettext_lazy("model field", "中文名称"))
    name_en = _text(pgettext_lazy("model field", "英文名称"))
    points = _number(pgettext_lazy("model field", "分值"))


# Each list starts with an empty choice: the empty row for a new item posts nothing, and a
# row whose choice is left empty is reported by the validator, like any missing value.
_NONE = ("", "—")
KIND_CHOICES = [_NONE, ("number", _("数值")), ("integer", _("整数")), ("ordinal", _("等级"))]
AGGREGATION_CHOICES = [_NONE, ("sum", _("求和")), ("none", _("不汇总"))]
DIRECTION_CHOICES = [_NONE, ("+", _("+ 越高越好")), ("-", _("- 越低越好"))]
NORMALISATION_CHOICES = [_NONE, ("goalposts", _("门槛值")), ("ordinal", _("等级")),
                         ("minmax", _("极值")), ("target", _("目标值"))]
SEVERITY_CHOICES = [_NONE, ("error", _("错误")), ("warning", _("警告"))]
# What people type between level names (either width), and as a thousands separator: input.
SEPARATORS = (";", "；", "|", "｜")
FULL_WIDTH_COMMA = "，"
LEVEL_SEPARATORS = re.compile(r"\s*[" + re.escape("".join(SEPARATORS)) + r"]\s*")


class ElementForm(forms.Form):
    code = _text(pgettext_lazy("model field", "代码"))
    name_zh = _text(pgettext_lazy("model field", "中文名称"))
    name_en = _text(pgettext_lazy("model field", "英文名称"))
    unit = _text(pgettext_lazy("model field", "单位"))
    kind = forms.ChoiceField(label=pgettext_lazy("model field", "类型"), choices=KIND_CHOICES,
                             required=False)
    max_level = _number(pgettext_lazy("model field", "最高等级"))
    levels_zh = _text(pgettext_lazy("model field", "等级名称（中文，0 级起，以分号分隔）"))
    levels_en = _text(pgettext_lazy("model field", "等级名称（英文，0 级起，以分号分隔）"))
    min = _number(pgettext_lazy("model field", "下限"))
    min_exclusive = forms.BooleanField(label=pgettext_lazy("model field", "不含下限"),
                                       required=False)
    max = _number(pgettext_lazy("model field", "上限"))
    aggregation = forms.ChoiceField(label=pgettext_lazy("model field", "全国汇总方式"),
                                    choices=AGGREGATION_CHOICES, required=False)
    yoy_threshold = _number(pgettext_lazy("model field", "同比警告阈值（比例，空为不检查）"))


class IndicatorForm(forms.Form):
    code = _text(pgettext_lazy("model field", "代码"))
    dimension = forms.ChoiceField(label=pgettext_lazy("model field", "所属方面"), choices=[],
                                  required=False)
    name_zh = _text(pgettext_lazy("model field", "中文名称"))
    name_en = _text(pgettext_lazy("model field", "英文名称"))
    formula = _text(pgettext_lazy("model field", "公式"), max_length=500)
    unit = _text(pgettext_lazy("model field", "单位"))
    direction = forms.ChoiceField(label=pgettext_lazy("model field", "方向"),
                                  choices=DIRECTION_CHOICES, required=False)
    normalisation = forms.ChoiceField(label=pgettext_lazy("model field", "标准化方法"),
                                      choices=NORMALISATION_CHOICES, required=False)
    lower = _number(pgettext_lazy("model field", "下门槛"))
    upper = _number(pgettext_lazy("model field", "上门槛"))
    norm_max_level = _number(pgettext_lazy("model field", "等级上限"))
    target = _number(pgettext_lazy("model field", "目标值"))
    weight = _number(pgettext_lazy("model field", "权重"))

    def __init__(self, *args: Any, dimensions: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["dimension"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [_NONE, *(dimensions or [])]


class RuleForm(forms.Form):
    code = _text(pgettext_lazy("model field", "代码"))
    expression = _text(pgettext_lazy("model field", "表达式"), max_length=500)
    severity = forms.ChoiceField(label=pgettext_lazy("model field", "级别"),
                                 choices=SEVERITY_CHOICES, required=False)
    message_zh = _text(pgettext_lazy("model field", "中文提示"))
    message_en = _text(pgettext_lazy("model field", "英文提示"))


class TierForm(forms.Form):
    code = _text(pgettext_lazy("model field", "代码"))
    min_total = _number(pgettext_lazy("model field", "最低总分"))
    label_zh = _text(pgettext_lazy("model field", "中文名称"))
    label_en = _text(pgettext_lazy("model field", "英文名称"))


FORMS: dict[str, type[forms.Form]] = {
    "dimensions": DimensionForm, "elements": ElementForm, "indicators": IndicatorForm,
    "rules": RuleForm, "tiers": TierForm,
}


@dataclass(frozen=True)
class Page:
    slug: str
    label: str | Promise
    sections: tuple[str, ...]   # the document's sections it edits (with formsets)
    header: bool = False        # and the version's own fields


PAGES: dict[str, Page] = {p.slug: p for p in (
    Page("version", _("版本信息"), (), header=True),
    Page("structure", _("方面与评价指标"), ("dimensions", "indicators")),
    Page("elements", _("数据项"), ("elements",)),
    Page("rules", _("校验规则"), ("rules",)),
    Page("tiers", _("等级区间"), ("tiers",)),
)}

OTHER_PROBLEM = _("{item}：{problem}")

# A problem's field in the document → the form's field that shows it.
FIELD_OF = {"normalisation.kind": "normalisation", "normalisation.lower": "lower",
            "normalisation.upper": "upper", "normalisation.max_level": "norm_max_level",
            "normalisation.target": "target", "levels": "levels_zh"}


def read_number(text: Any) -> Any:
    """A typed number as the document holds it (20, 0.3); empty as None; anything else as
    typed, for the validator to name."""
    if text is None or str(text).strip() == "":
        return None
    value = str(text).strip().replace(FULL_WIDTH_COMMA, ",").replace(",", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        return str(text).strip()
    if not number.is_finite():
        return str(text).strip()
    return plain_number(number)


def _split_levels(text: str) -> list[str]:
    return [part for part in LEVEL_SEPARATORS.split(text.strip()) if part] if text else []


def _item_of(section: str, data: dict[str, Any]) -> dict[str, Any]:
    """A form's cleaned data as an item of the document."""
    if section == "elements":
        return _element(data)
    if section == "indicators":
        return _indicator(data)
    numbers = {"points", "min_total"}
    return {k: read_number(v) if k in numbers else v for k, v in data.items()
            if k != "DELETE"}


def _element(data: dict[str, Any]) -> dict[str, Any]:
    item = {k: data.get(k) for k in ("code", "name_zh", "name_en", "unit", "kind",
                                     "min_exclusive", "aggregation")}
    item.update({k: read_number(data.get(k)) for k in ("min", "max", "yoy_threshold")})
    if data.get("kind") == "ordinal" or data.get("max_level"):
        item["max_level"] = read_number(data.get("max_level"))
    names_zh = _split_levels(data.get("levels_zh") or "")
    names_en = _split_levels(data.get("levels_en") or "")
    if names_zh or names_en:
        count = max(len(names_zh), len(names_en))
        item["levels"] = [{"label_zh": names_zh[i] if i < len(names_zh) else "",
                           "label_en": names_en[i] if i < len(names_en) else ""}
                          for i in range(count)]
    return item


def _indicator(data: dict[str, Any]) -> dict[str, Any]:
    item = {k: data.get(k) for k in ("code", "dimension", "name_zh", "name_en", "formula",
                                     "unit", "direction")}
    kind = data.get("normalisation")
    params = {"goalposts": ("lower", "upper"), "ordinal": ("norm_max_level",),
              "target": ("target",)}.get(kind or "", ())
    item["normalisation"] = {"kind": kind, **{
        ("max_level" if p == "norm_max_level" else p): read_number(data.get(p))
        for p in params}}
    item["weight"] = read_number(data.get("weight"))
    return item


def _typed_in(form: forms.Form) -> bool:
    """An added row counts once something is typed in it (a browser posts the choices of
    an untouched row too)."""
    return any(form.cleaned_data.get(name) for name, field in form.fields.items()
               if type(field) is forms.CharField)


def initial_of(section: str, item: dict[str, Any]) -> dict[str, Any]:
    """A document's item as a form's initial data."""
    if section == "elements":
        levels = item.get("levels") or []
        return {**item, "levels_zh": "; ".join(lv["label_zh"] for lv in levels),
                "levels_en": "; ".join(lv["label_en"] for lv in levels)}
    if section == "indicators":
        norm = item.get("normalisation") or {}
        return {**item, "normalisation": norm.get("kind"), "lower": norm.get("lower"),
                "upper": norm.get("upper"), "norm_max_level": norm.get("max_level"),
                "target": norm.get("target")}
    return dict(item)


class ModelEditor:
    """One page of the editor over ``version``'s document, bound to a POST or not."""

    def __init__(self, version: ModelVersion, page: Page,
                 data: dict[str, Any] | None = None) -> None:
        self.version, self.page = version, page
        self.base = copy.deepcopy(version.source)
        self.other_problems: list[str] = []
        self.document: ModelDocument | None = None
        self.header = (VersionForm(data, prefix="version", initial=self.base)
                       if page.header else None)
        dimensions = [(d["code"], f"{d['code']} {d['name_zh']}")
                      for d in self.base.get("dimensions", [])]
        if data is not None and "dimensions" in page.sections:
            dimensions = self._posted_dimensions(data) or dimensions
        self.formsets: dict[str, BaseFormSet] = {}
        for section in page.sections:
            factory = formset_factory(FORMS[section], extra=1, can_delete=True)
            form_kwargs: dict[str, Any] = (
                {"dimensions": dimensions} if section == "indicators" else {})
            self.formsets[section] = factory(
                data, prefix=section, form_kwargs=form_kwargs,
                initial=[initial_of(section, i) for i in self.base.get(section, [])])

    @staticmethod
    def _posted_dimensions(data: dict[str, Any]) -> list[tuple[str, str]]:
        """The dimensions as posted (a new one is a choice for the indicators at once)."""
        codes = []
        for key, value in data.items():
            match = re.fullmatch(r"dimensions-(\d+)-code", key)
            if match and value and not data.get(f"dimensions-{match.group(1)}-DELETE"):
                name = data.get(f"dimensions-{match.group(1)}-name_zh", "")
                codes.append((value, f"{value} {name}"))
        return codes

    @property
    def sections(self) -> Iterator[tuple[str, str, BaseFormSet]]:
        for section, formset in self.formsets.items():
            yield section, str(SECTION_LABELS[section]), formset

    def is_valid(self) -> bool:
        """Put the posted data into the document and check it whole; True when the document
        has no problem (``self.document`` is then the one to save)."""
        forms_ok = all(f.is_valid() for f in self.formsets.values())
        if self.header is not None:
            forms_ok = self.header.is_valid() and forms_ok
        if not forms_ok:
            return False
        data = copy.deepcopy(self.base)
        if self.header is not None:
            data.update({k: v for k, v in self.header.cleaned_data.items()})
            data["year"] = read_number(data.get("year"))
        places: dict[str, list[int]] = {}
        for section, formset in self.formsets.items():
            kept = [(i, f) for i, f in enumerate(formset.forms)
                    if i < formset.initial_form_count() or _typed_in(f)]
            kept = [(i, f) for i, f in kept if not f.cleaned_data.get("DELETE")]
            places[section] = [i for i, _f in kept]
            data[section] = [_item_of(section, f.cleaned_data) for _i, f in kept]
        try:
            self.document = parse_model_document(data)
        except ModelFileError as exc:
            self._show(exc.problems, places)
            return False
        return True

    def _show(self, problems: list[Problem], places: dict[str, list[int]]) -> None:
        for problem in problems:
            formset = self.formsets.get(problem.section)
            if problem.section == "" and self.header is not None:
                name = problem.field if problem.field in self.header.fields else None
                self.header.add_error(name, problem.text)
            elif formset is None:
                self.other_problems.append(self._described(problem))
            elif problem.index is None:
                formset._non_form_errors.append(problem.text)  # type: ignore[attr-defined]
            else:
                form = formset.forms[places[problem.section][problem.index]]
                name = FIELD_OF.get(problem.field, problem.field)
                form.add_error(name if name in form.fields else None, problem.text)

    def _described(self, problem: Problem) -> str:
        """A problem of another page: its section and item, then what it is."""
        label = SECTION_LABELS.get(problem.section)
        if label is None:
            return problem.text
        items = self.base.get(problem.section, [])
        code = (items[problem.index].get("code") if problem.index is not None
                and problem.index < len(items) else "")
        return str(OTHER_PROBLEM).format(item=f"{label} {code}".strip(), problem=problem.text)


DERIVE_CODE_INVALID = _("版本代码只能由字母、数字和 . _ - 组成，最多 20 个字符")


class DeriveForm(forms.Form):
    """Next year's draft from a version: its code and year."""

    code = forms.RegexField(label=_("新版本代码"), regex=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$",
                            error_messages={"invalid": DERIVE_CODE_INVALID,
                                            "required": DERIVE_CODE_INVALID})
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2200)


class ModelPairForm(forms.Form):
    """Two versions to compare, the older first."""

    old = forms.ChoiceField(label=_("原版本"))
    new = forms.ChoiceField(label=_("新版本"))

    def __init__(self, *args: Any, versions: list[ModelVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(v.pk), f"{v.code} · {v.title}") for v in versions]
        for name in ("old", "new"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        if len(versions) >= 2 and not self.is_bound:
            self.initial = {"old": str(versions[1].pk), "new": str(versions[0].pk)}

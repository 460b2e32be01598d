from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import DataElement
from submissions.models import Cycle
from submissions.services import EditedValue
from submissions.values import ValueParseError, parse_value


class UploadForm(forms.Form):
    file = forms.FileField(label=_("填报文件（xlsx、xls、ods、csv）"))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("评论"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=5000)


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["year", "model_version", "opens_on", "deadline"]  # never state: see services
        widgets = {"opens_on": forms.DateInput(attrs={"type": "date"}),
                   "deadline": forms.DateInput(attrs={"type": "date"})}


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("截止日期"),
                               widget=forms.DateInput(attrs={"type": "date"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class ValuesForm(forms.Form):
    """One text field for the value and one for the note, per element of the model.

    Values are typed as people type them and parsed by the same parser as uploads; the
    region and the submission come from the permission helper, never from the form.
    """

    def __init__(self, *args: Any, elements: list[DataElement], initial_values: dict[str, Any],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.elements = elements
        for element in elements:
            current = initial_values.get(element.code)
            self.fields[f"value_{element.code}"] = forms.CharField(
                label=f"{element.code} {element.name}", required=False, max_length=100,
                initial=current.raw if current and current.raw else (
                    _plain(current.value) if current else ""),
            )
            self.fields[f"note_{element.code}"] = forms.CharField(
                label=_("备注"), required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 1}),
                initial=current.note if current else "",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for element in self.elements:
            name = f"value_{element.code}"
            try:
                cleaned[f"parsed_{element.code}"] = parse_value(cleaned.get(name, ""),
                                                                unit=element.unit)
            except ValueParseError as exc:
                self.add_error(name, exc.message_en if _english() else exc.message_zh)
        return cleaned

    def edited_values(self) -> dict[str, EditedValue]:
        return {
            e.code: EditedValue(value=self.cleaned_data[f"parsed_{e.code}"],
                                raw=str(self.cleaned_data.get(f"value_{e.code}", "")).strip(),
                                note=str(self.cleaned_data.get(f"note_{e.code}", "")).strip())
            for e in self.elements
        }

    def rows(self) -> list[tuple[DataElement, forms.BoundField, forms.BoundField]]:
        return [(e, self[f"value_{e.code}"], self[f"note_{e.code}"]) for e in self.elements]


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")

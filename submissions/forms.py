from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.i18n import pick
from common.numbers import plain_decimal
from indicators.models import DataElement
from submissions.models import Cycle, ValidationIssue
from submissions.services.files import FILE_EMPTY
from submissions.services.review import COMMENT_EMPTY, COMMENT_MAX_LENGTH, REASON_MAX_LENGTH
from submissions.services.versions import EditedValue
from submissions.values import ValueParseError, parse_value

REASON_TOO_LONG = _("原因最多 %(limit_value)d 个字（现在 %(show_value)d 个字）")
COMMENT_TOO_LONG = _("评论最多 %(limit_value)d 个字（现在 %(show_value)d 个字）")
DEADLINE_INVALID = _("请填写有效的日期")
FILE_MISSING = _("请选择要上传的文件")
STATE_INVALID = _("请选择有效的周期状态")
YEAR_INVALID = _("请填写有效的年度")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("填报文件（xlsx、xls、ods、csv）"),
                           error_messages={"required": FILE_MISSING, "empty": FILE_EMPTY})


class CommentForm(forms.Form):
    body = forms.CharField(label=_("评论"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=COMMENT_MAX_LENGTH,
                           error_messages={"required": COMMENT_EMPTY,
                                           "max_length": COMMENT_TOO_LONG})


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["year", "model_version", "opens_on", "deadline"]  # never state: see services
        widgets = {"opens_on": forms.DateInput(attrs={"type": "date"}),
                   "deadline": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = self.fields["model_version"]
        assert isinstance(versions, forms.ModelChoiceField)
        versions.empty_label = _("请选择")  # not Django's "---------"


class CycleStateForm(forms.Form):
    """The state an administrator moves a cycle to; whether the move is allowed is the
    services' to say (``submissions.workflow``)."""

    state = forms.ChoiceField(label=_("状态"), choices=Cycle.State.choices,
                              error_messages={"invalid_choice": STATE_INVALID,
                                              "required": STATE_INVALID})


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": DEADLINE_INVALID,
                                               "invalid": DEADLINE_INVALID})


class ReasonForm(forms.Form):
    """The reason of a return or a reopening. Whether one is required is the transition
    table's to say (``submissions.workflow``); its length is bounded here."""

    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}),
                             required=False, max_length=REASON_MAX_LENGTH,
                             error_messages={"max_length": REASON_TOO_LONG})


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
                initial=_initial(current),
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
                self.add_error(name, pick(exc.message_zh, exc.message_en))
        return cleaned

    def edited_values(self) -> dict[str, EditedValue]:
        return {
            e.code: EditedValue(value=self.cleaned_data[f"parsed_{e.code}"],
                                raw=str(self.cleaned_data.get(f"value_{e.code}", "")).strip(),
                                note=str(self.cleaned_data.get(f"note_{e.code}", "")).strip())
            for e in self.elements
        }

    def rows(self, issues: Mapping[str, list[ValidationIssue]]
             ) -> list[tuple[DataElement, forms.BoundField, forms.BoundField,
                             list[ValidationIssue]]]:
        """Per element: its value field, its note field, the issues of the current version."""
        return [(e, self[f"value_{e.code}"], self[f"note_{e.code}"], issues.get(e.code, []))
                for e in self.elements]


def _initial(current: Any) -> str:
    """What the officer typed, else the stored value as plain text."""
    if current is None:
        return ""
    if current.raw:
        return str(current.raw)
    return "" if current.value is None else plain_decimal(current.value)


class BulkImportForm(forms.Form):
    """An administrator's bulk file (one row per value), the same as ``import_values``'s."""

    file = forms.FileField(label=_("批量数据文件（xlsx、xls、ods、csv）"),
                           error_messages={"required": FILE_MISSING, "empty": FILE_EMPTY})
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100,
                              error_messages={"required": YEAR_INVALID,
                                              "invalid": YEAR_INVALID,
                                              "min_value": YEAR_INVALID,
                                              "max_value": YEAR_INVALID})
    approve = forms.BooleanField(label=_("导入后直接审核通过"), required=False)
    late_reason = forms.CharField(
        label=_("补录原因（周期已截止时必填）"), required=False, max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}), error_messages={"max_length": REASON_TOO_LONG})

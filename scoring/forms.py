"""The small forms of the scoring pages: what an administrator types when publishing a run or
saving a scenario. Each text has the bound its service checks too; the services decide
everything else (whether a note is required, whether a name is taken)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.services import NOTE_MAX_LENGTH
from scoring.services_scenarios import NAME_LIMIT, NOTE_LIMIT

PUBLISH_NOTE_MAX_LENGTH = NOTE_MAX_LENGTH
SCENARIO_NOTE_MAX_LENGTH = NOTE_LIMIT
TEXT_TOO_LONG = _("最多 %(limit_value)d 个字（现在 %(show_value)d 个字）")
NAME_TOO_LONG = _("模拟方案的名称最多 %(limit_value)d 个字")


class PublishForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=PUBLISH_NOTE_MAX_LENGTH,
                           error_messages={"max_length": TEXT_TOO_LONG})
    allow_incomplete = forms.BooleanField(label=_("允许不完整"), required=False)
    # The second, deliberate action: the confirmation page sends it; the first step does not.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The publication the confirmation page said this one would revise (0: none); if another
    # was published meanwhile, the page is shown again with what has changed.
    revises = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class ScenarioSaveForm(forms.Form):
    """The name and note of a scenario being saved (its parameters: ``ScenarioForm``)."""

    name = forms.CharField(label=_("名称"), required=False, max_length=NAME_LIMIT,
                           error_messages={"max_length": NAME_TOO_LONG})
    note = forms.CharField(label=_("说明"), required=False, max_length=SCENARIO_NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"max_length": TEXT_TOO_LONG})

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(label=_("验证码"), max_length=16, strip=True,
                            widget=forms.TextInput(attrs={
                                "autocomplete": "one-time-code", "inputmode": "numeric",
                                "autofocus": True, "autocapitalize": "off",
                                "spellcheck": "false"}))

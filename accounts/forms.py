from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(label=_("验证码"), max_length=16, strip=True,
                            widget=forms.TextInput(attrs={
                                "autocomplete": "one-time-code", "inputmode": "numeric",
                                "autofocus": True, "autocapitalize": "off",
                                "spellcheck": "false"}))


class LanguageForm(forms.Form):
    """The person's language: of their e-mails, and of the pages after they sign in."""

    language = forms.ChoiceField(label=_("语言"), choices=settings.LANGUAGES)

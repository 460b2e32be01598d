from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from public.models import Announcement


class AnnouncementForm(forms.ModelForm):
    publish = forms.BooleanField(label=_("保存后立即发布"), required=False)

    class Meta:
        model = Announcement
        fields = ["title_zh", "title_en", "body_zh", "body_en"]
        widgets = {"body_zh": forms.Textarea(attrs={"rows": 6}),
                   "body_en": forms.Textarea(attrs={"rows": 6})}

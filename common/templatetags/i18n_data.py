"""``{{ obj|localized:"name" }}``: a bilingual data field in the page's language
(``common.i18n.localized``)."""

from __future__ import annotations

from typing import Any

from django import template

from common.i18n import localized as _localized

register = template.Library()


@register.filter
def localized(obj: Any, field: str) -> str:
    return _localized(obj, field)

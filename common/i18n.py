"""The one place that reads the active language for bilingual *data*.

Interface strings go through gettext everywhere (code, templates, e-mails, the spreadsheet
template, the PDF). Data that is stored in both languages — names of regions, model versions,
dimensions, elements, indicators, tiers, targets, the messages of validation issues — has a
``<field>_zh`` and a ``<field>_en``; they are read through ``localized`` (in code) or the
``localized`` template filter (``{% load i18n_data %}{{ region|localized:"name" }}``), and
nowhere else does the code ask which language is active. ``tests/test_i18n_rules.py`` fails on
a new language branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, gettext

# The two languages of the bilingual data, in the order of the ``(zh, en)`` pairs.
CHINESE = "zh-hans"
ENGLISH = "en"


def english_active() -> bool:
    """True when the active language is English. Only this module calls it."""
    return (get_language() or "").lower().startswith("en")


def pick(zh: str, en: str) -> str:
    """The English text when English is active and there is one, else the Chinese."""
    return en if english_active() and en else zh


# ``pick`` evaluated when the text is shown: a parameter of a message rendered in both
# languages by ``in_both_languages`` (an element's name in a rule message).
pick_lazy = lazy(pick, str)


def localized(obj: Any, field: str) -> str:
    """``obj.<field>_en`` or ``obj.<field>_zh`` (a mapping's keys likewise), by the active
    language; English falls back to Chinese where no English text is stored.

    A field whose Chinese form has its own name (``Region.short_name_zh`` beside ``name_en``)
    is asked for by that name: ``localized(region, "short_name")`` reads ``short_name_zh`` or,
    when there is no ``short_name_en``, ``name_en``.
    """
    zh = _read(obj, f"{field}_zh")
    en = _read(obj, f"{field}_en")
    if en is None and field.startswith("short_"):
        en = _read(obj, f"{field.removeprefix('short_')}_en")
    if zh is None:
        zh = _read(obj, field)  # a field with no language suffix (a unit stored once)
    return pick(str(zh or ""), str(en or ""))


def _read(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def language_code() -> str:
    """``"en"`` or ``"zh-hans"``: for code that writes a document in one language and must
    name it (a workbook's properties, an e-mail's language), never for choosing text."""
    return ENGLISH if english_active() else CHINESE


def in_both_languages(message: str | Promise, /, **params: object) -> tuple[str, str]:
    """``(Chinese, English)``: a gettext message rendered under each language, its ``{name}``
    placeholders filled. For text that is *stored* in both languages (a validation issue's
    ``message_zh``/``message_en``, made once and read in either language later); a parameter
    that is lazy (``gettext_lazy``, ``pick_lazy``) is rendered in each language too."""
    return _render(message, CHINESE, params), _render(message, ENGLISH, params)


def _render(message: str | Promise, language: str, params: Mapping[str, object]) -> str:
    with translation.override(language):
        text = gettext(message) if isinstance(message, str) else str(message)
        if not params:
            return text
        return text.format(**{name: str(value) if isinstance(value, Promise) else value
                              for name, value in params.items()})


def in_language(code: str | None = None) -> translation.override:
    """Activate ``code`` (the site's language, ``settings.LANGUAGE_CODE``, when not given) for
    text written outside a request: an e-mail, a worker's message."""
    return translation.override(code or settings.LANGUAGE_CODE)

"""The English names of the units of the index model.

A unit is data, written once in the model file in Chinese (``万人``); the model has no English
field for it. English pages and documents show the name given here, read like every other
bilingual field through ``common.i18n``: the elements and indicators expose it as ``unit_en``,
so ``localized(element, "unit")`` (or ``{{ element|localized:"unit" }}``) gives ``万人`` or
``10,000 persons`` by the active language. A unit missing here shows its Chinese form in
English too, as a region without an English name would.

The keys of both tables are the units themselves: data, in the model's language.
"""

from __future__ import annotations

from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

UNIT_EN: Final[dict[str, str]] = {
    "%": "%",
    "分": "points",
    "级": "level",
    "个": "count",
    "人": "persons",
    "户": "households",
    "万人": "10,000 persons",
    "万户": "10,000 households",
    "个/百站": "per 100 websites",
    "元": "yuan",
    "万元": "10,000 yuan",
    "亿元": "100 million yuan",
    "万亿元": "trillion yuan",
}

# The code of each unit in the SDMX code list of units (api/sdmx.py): SDMX identifiers are
# [A-Za-z0-9_@$-]; a unit missing here gets a code made from its own text there.
UNIT_SDMX_CODES: Final[dict[str, str]] = {
    "%": "PCT", "分": "PT", "级": "LEVEL", "个": "COUNT", "人": "PERSON", "户": "HOUSEHOLD",
    "万人": "PERSON_10K", "万户": "HOUSEHOLD_10K", "个/百站": "PER_100_SITES", "元": "CNY",
    "万元": "CNY_10K", "亿元": "CNY_100M", "万亿元": "CNY_1T",
}
# The unit of index points (dimension points, totals), as the model writes it.
POINTS: Final = "分"

# What a unit means, for the instruction sheet of the upload template (interface text, so
# gettext; the keys are the units as the model writes them).
UNIT_NOTES: Final[dict[str, Promise]] = {
    "万人": _("1 万人 = 10,000 人"),
    "万户": _("1 万户 = 10,000 户"),
    "个": _("个数（整数）"),
    "分": _("分值（指数得分）"),
    "级": _("等级（从 0 起的整数）"),
    "%": _("百分比，填 12.5 或 12.5% 均表示 12.5%"),
    "万亿元": _("1 万亿元 = 10^12 元"),
    "亿元": _("1 亿元 = 10^8 元"),
    "万元": _("1 万元 = 10,000 元"),
}


def unit_en(unit: str) -> str:
    """The English name of ``unit``, or "" when there is none."""
    return UNIT_EN.get(unit, "")

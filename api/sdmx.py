"""SDMX, the ISO standard for statistical data exchange (ISO 17369): the index as a data
structure definition (SDMX-ML 3.0) and its published figures as SDMX-CSV 2.0, both written
with pysdmx.

The structure: dimensions ``REF_AREA`` (the regions, GB/T 2260), ``INDICATOR`` (what a figure
is: an indicator's published value ``I11`` or score ``I11_SCORE`` in percent, a dimension's
points ``D1`` or rank ``D1_RANK``, the ``TOTAL``, the ``RANK`` and its interval
``RANK_P05``/``RANK_MEDIAN``/``RANK_P95``) and ``TIME_PERIOD`` (the year); the measure
``OBS_VALUE``; the attributes ``UNIT_MEASURE`` and ``OBS_STATUS``. Its code lists carry Chinese
and English names: pysdmx writes one name per artefact (as ``xml:lang="en"``), so the Chinese
ones are added to its XML afterwards (``_add_chinese``) and the document is read back and
checked against the SDMX 3.0 schema by pysdmx before it is returned.

Figures are rounded as they are published (2 decimals, half up), so the SDMX data say exactly
what the ranking pages and ``export_rankings`` say; ``OBS_VALUE`` is a double, so pysdmx
writes a rank as ``1.0``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from lxml import etree

from common.i18n import in_both_languages, pick_lazy
from indicators.models import ModelVersion, Region
from indicators.units import POINTS, UNIT_SDMX_CODES, unit_en
from scoring.models import ScoringRun
from scoring.selectors import round_half_up

AGENCY = "IFDI"
VERSION = "1.0"
STRUCTURE_CONTENT_TYPE = "application/vnd.sdmx.structure+xml; version=3.0.0; charset=utf-8"
DATA_CONTENT_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ZH = "zh"  # the xml:lang of the Chinese names (BCP 47)

RANK_UNIT = "RANK"

CONCEPTS = {
    "REF_AREA": _("地区"), "INDICATOR": _("指标"), "TIME_PERIOD": _("年度"),
    "OBS_VALUE": _("数值"), "UNIT_MEASURE": _("计量单位"), "OBS_STATUS": _("数值状态"),
}
STATUS = {"A": _("正常值"), "M": _("缺失值"), "P": _("数据不完整")}
SERIES = {
    "SCORE": _("{name}（得分，%）"), "RANK_OF": _("{name}（排名）"),
    "TOTAL": _("总指数"), "RANK": _("总排名"), "RANK_P05": _("排名区间下限（5% 分位）"),
    "RANK_MEDIAN": _("排名中位数"), "RANK_P95": _("排名区间上限（95% 分位）"),
}
NAMES = {
    "CL_REF_AREA": _("地区（GB/T 2260）"), "CL_INDICATOR": _("信息化发展指数的指标"),
    "CL_UNIT_MEASURE": _("计量单位"), "CL_OBS_STATUS": _("数值状态"),
    "CS": _("信息化发展指数的概念"), "DSD": _("信息化发展指数（{model}）"),
    "DF": _("信息化发展指数（{model}）"), "RANK_UNIT": _("位次"),
}


@dataclass(frozen=True)
class Names:
    """An artefact's names: (Chinese, English)."""

    zh: str
    en: str

    @classmethod
    def of(cls, message: Any, **params: Any) -> Names:
        zh, en = in_both_languages(message, **params)
        return cls(zh, en)

    @classmethod
    def data(cls, zh: str, en: str) -> Names:
        return cls(zh, en or zh)


def _suffix(model_code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", model_code)


def dataflow_id(model: ModelVersion) -> str:
    return f"DF_IFDI_{_suffix(model.code)}"


def unit_code(unit: str) -> str:
    known = RANK_UNIT if unit == RANK_UNIT else UNIT_SDMX_CODES.get(unit)
    return known or "U_" + hashlib.sha1(unit.encode("utf-8")).hexdigest()[:8].upper()  # noqa: S324 - a name, not a secret


# --- the structure ------------------------------------------------------------------------------

def _series(model: ModelVersion) -> Iterator[tuple[str, Names, str]]:
    """Every ``INDICATOR`` code of a model: (code, names, unit)."""
    for i in model.indicators.order_by("order"):
        name = pick_lazy(i.name_zh, i.name_en or i.name_zh)
        yield i.code, Names.data(i.name_zh, i.name_en), i.unit
        yield f"{i.code}_SCORE", Names.of(SERIES["SCORE"], name=name), "%"
    for d in model.dimensions.order_by("order"):
        name = pick_lazy(d.name_zh, d.name_en or d.name_zh)
        yield d.code, Names.data(d.name_zh, d.name_en), POINTS
        yield f"{d.code}_RANK", Names.of(SERIES["RANK_OF"], name=name), RANK_UNIT
    yield "TOTAL", Names.of(SERIES["TOTAL"]), POINTS
    for code in ("RANK", "RANK_P05", "RANK_MEDIAN", "RANK_P95"):
        yield code, Names.of(SERIES[code]), RANK_UNIT


def _codelist(cl_id: str, names: Names, codes: list[tuple[str, Names]],
              chinese: dict[tuple[str, ...], str]) -> Any:
    from pysdmx.model import Code, Codelist

    chinese[(cl_id,)] = names.zh
    for code, code_names in codes:
        chinese[(cl_id, code)] = code_names.zh
    return Codelist(id=cl_id, agency=AGENCY, version=VERSION, name=names.en,
                    items=[Code(id=code, name=n.en) for code, n in codes])


def _unit_names(unit: str) -> Names:
    if unit == RANK_UNIT:
        return Names.of(NAMES["RANK_UNIT"])
    return Names.data(unit, unit_en(unit))


def _codelists(model: ModelVersion, chinese: dict[tuple[str, ...], str]) -> dict[str, Any]:
    series = list(_series(model))
    units = list(dict.fromkeys(unit for _c, _n, unit in series))
    return {
        "REF_AREA": _codelist("CL_REF_AREA", Names.of(NAMES["CL_REF_AREA"]), [
            (r.code, Names.data(r.name_zh, r.name_en))
            for r in Region.objects.order_by("order", "code")], chinese),
        "INDICATOR": _codelist("CL_INDICATOR", Names.of(NAMES["CL_INDICATOR"]),
                               [(code, names) for code, names, _u in series], chinese),
        "UNIT_MEASURE": _codelist("CL_UNIT_MEASURE", Names.of(NAMES["CL_UNIT_MEASURE"]),
                                  [(unit_code(u), _unit_names(u)) for u in units], chinese),
        "OBS_STATUS": _codelist("CL_OBS_STATUS", Names.of(NAMES["CL_OBS_STATUS"]),
                                [(code, Names.of(text)) for code, text in STATUS.items()],
                                chinese),
    }


def _components(codelists: dict[str, Any], chinese: dict[tuple[str, ...], str]
                ) -> tuple[Any, Any]:
    from pysdmx.model import Component, Components, Concept, ConceptScheme, DataType, Role

    scheme = "CS_IFDI"
    chinese[(scheme,)] = Names.of(NAMES["CS"]).zh
    dtypes = {"TIME_PERIOD": DataType.PERIOD, "OBS_VALUE": DataType.DOUBLE}
    concepts = {}
    for concept_id, message in CONCEPTS.items():
        names = Names.of(message)
        chinese[(scheme, concept_id)] = names.zh
        concepts[concept_id] = Concept(
            id=concept_id, name=names.en, codes=codelists.get(concept_id),
            dtype=dtypes.get(concept_id),
            urn=f"urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={AGENCY}:{scheme}"
                f"({VERSION}).{concept_id}")
    roles = {"REF_AREA": Role.DIMENSION, "INDICATOR": Role.DIMENSION,
             "TIME_PERIOD": Role.DIMENSION, "OBS_VALUE": Role.MEASURE,
             "UNIT_MEASURE": Role.ATTRIBUTE, "OBS_STATUS": Role.ATTRIBUTE}
    components = Components([
        Component(id=cid, required=cid != "OBS_VALUE", role=role, concept=concepts[cid],
                  local_codes=codelists.get(cid), local_dtype=dtypes.get(cid),
                  attachment_level="O" if role == Role.ATTRIBUTE else None)
        for cid, role in roles.items()
    ])
    concept_scheme = ConceptScheme(id=scheme, agency=AGENCY, version=VERSION,
                                   name=Names.of(NAMES["CS"]).en,
                                   items=list(concepts.values()))
    return concept_scheme, components


def schema(model: ModelVersion) -> Any:
    """The dataflow's schema, which pysdmx needs to write and check SDMX-CSV."""
    from pysdmx.model import Schema

    _scheme, components = _components(_codelists(model, {}), {})
    return Schema(context="dataflow", agency=AGENCY, id=dataflow_id(model), version=VERSION,
                  components=components)


def structure_xml(model: ModelVersion) -> str:
    """The data structure definition of a model, with its dataflow, concepts and code lists,
    as an SDMX-ML 3.0 structure message (names in Chinese and English)."""
    from pysdmx.io import write_sdmx
    from pysdmx.io.format import Format
    from pysdmx.model import Dataflow, DataStructureDefinition, Organisation
    from pysdmx.model.message import Header

    chinese: dict[tuple[str, ...], str] = {}
    codelists = _codelists(model, chinese)
    concept_scheme, components = _components(codelists, chinese)
    dsd_id, dsd_names = f"DSD_IFDI_{_suffix(model.code)}", Names.of(NAMES["DSD"],
                                                                   model=model.code)
    flow_names = Names.of(NAMES["DF"], model=model.code)
    chinese[(dsd_id,)], chinese[(dataflow_id(model),)] = dsd_names.zh, flow_names.zh
    dsd = DataStructureDefinition(id=dsd_id, agency=AGENCY, version=VERSION,
                                  name=dsd_names.en, components=components)
    flow = Dataflow(id=dataflow_id(model), agency=AGENCY, version=VERSION,
                    name=flow_names.en, structure=dsd)
    header = Header(id=f"IFDI-STRUCTURE-{_suffix(model.code)}", sender=Organisation(id=AGENCY),
                    prepared=model.created_at)
    text = write_sdmx([*codelists.values(), concept_scheme, dsd, flow],
                      Format.STRUCTURE_SDMX_ML_3_0, header=header)
    return _checked(_add_chinese(str(text), chinese))


def _checked(xml: str) -> str:
    """The message, once pysdmx has read it back and checked it against the SDMX-ML 3.0
    schema (it raises if either fails)."""
    from pysdmx.io import read_sdmx

    read_sdmx(xml, validate=True)
    return xml


def _add_chinese(xml: str, chinese: dict[tuple[str, ...], str]) -> str:
    """A ``<com:Name xml:lang="zh">`` after the English name of every artefact and item."""
    root = etree.fromstring(xml.encode("utf-8"))
    for name in root.iter(f"{{{COM}}}Name"):
        owner = name.getparent()
        if owner is None or owner.get("id") is None:
            continue
        scheme = owner.getparent()
        key = ((scheme.get("id"), owner.get("id"))
               if scheme is not None and scheme.get("id") is not None
               else (owner.get("id"),))
        text = chinese.get(key)
        if text:
            element = etree.Element(f"{{{COM}}}Name")
            element.set(XML_LANG, ZH)
            element.text = text
            element.tail = name.tail
            name.addnext(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


# --- the data -----------------------------------------------------------------------------------

COLUMNS = ("REF_AREA", "INDICATOR", "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE", "OBS_STATUS")


def _text(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def observations(run: ScoringRun) -> Iterator[tuple[str, ...]]:
    """Every published figure of a run, one row per region, series and year."""
    year = str(run.cycle.year)
    model = run.model_version
    indicators = list(model.indicators.order_by("order").values_list("code", "unit"))
    dimensions = list(model.dimensions.order_by("order").values_list("code", flat=True))
    for result in run.results.select_related("region").order_by("region__order",
                                                                 "region__code"):
        status = "P" if result.incomplete else "A"

        def row(code: str, value: Decimal | None, unit: str, *, region: str = result.region.code,
                status: str = status) -> tuple[str, ...]:
            return (region, code, year, _text(value), unit_code(unit),
                    "M" if value is None else status)

        for code, unit in indicators:
            figures = result.indicators.get(code, {})
            score = figures.get("score")
            yield row(code, round_half_up(figures.get("value")), unit)
            yield row(f"{code}_SCORE", round_half_up(None if score is None else score * 100),
                      "%")
        for code in dimensions:
            figures = result.dimensions.get(code, {})
            yield row(code, round_half_up(figures.get("points")), POINTS)
            yield row(f"{code}_RANK", _rank(figures.get("rank")), RANK_UNIT)
        yield row("TOTAL", round_half_up(result.total), POINTS)
        yield row("RANK", _rank(result.rank), RANK_UNIT)
        for code, value in (("RANK_P05", result.rank_p05), ("RANK_MEDIAN", result.rank_median),
                            ("RANK_P95", result.rank_p95)):
            yield row(code, round_half_up(value), RANK_UNIT)


def _rank(rank: int | None) -> Decimal | None:
    return None if rank is None else Decimal(rank)


def data_csv(run: ScoringRun) -> str:
    """A publication's figures as SDMX-CSV 2.0."""
    import pandas as pd
    from pysdmx.io import write_sdmx
    from pysdmx.io.format import Format
    from pysdmx.io.pd import PandasDataset

    frame = pd.DataFrame(list(observations(run)), columns=list(COLUMNS), dtype="string")
    dataset = PandasDataset(structure=schema(run.model_version), data=frame)
    return str(write_sdmx([dataset], Format.DATA_SDMX_CSV_2_0_0))

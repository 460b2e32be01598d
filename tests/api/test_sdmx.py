"""SDMX: the structure (SDMX-ML 3.0) and the figures (SDMX-CSV 2.0), read back with pysdmx."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from lxml import etree
from pysdmx.io import read_sdmx
from pysdmx.model import DataStructureDefinition, Role

from scoring.selectors import latest_published_run, ranking_rows
from submissions.models import Cycle

pytestmark = pytest.mark.django_db

COM = "{http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _structure(api_world) -> str:
    response = api_world.client().get("/api/v1/sdmx/structure/2017/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.sdmx.structure+xml")
    return response.content.decode("utf-8")


def _data(api_world, query: str = "") -> str:
    response = api_world.client().get(f"/api/v1/sdmx/data/2017/{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.sdmx.data+csv")
    return response.content.decode("utf-8")


def test_the_structure_reads_back_as_the_index_dsd(api_world):
    message = read_sdmx(_structure(api_world), validate=True)  # also checks the XSD
    dsd = next(s for s in message.structures if isinstance(s, DataStructureDefinition))
    by_role = {role: [c.id for c in dsd.components if c.role == role] for role in Role}
    assert by_role[Role.DIMENSION] == ["REF_AREA", "INDICATOR", "TIME_PERIOD"]
    assert by_role[Role.ATTRIBUTE] == ["UNIT_MEASURE", "OBS_STATUS"]
    assert by_role[Role.MEASURE] == ["OBS_VALUE"]
    codelists = {s.id: s for s in message.structures if type(s).__name__ == "Codelist"}
    assert {"CL_REF_AREA", "CL_INDICATOR", "CL_UNIT_MEASURE", "CL_OBS_STATUS"} <= set(codelists)
    assert [c.id for c in codelists["CL_REF_AREA"]][:2] == ["110000", "120000"]
    assert {"I11", "I11_SCORE", "D1", "D1_RANK", "TOTAL", "RANK", "RANK_P05"} <= {
        c.id for c in codelists["CL_INDICATOR"]}


def test_the_code_lists_are_named_in_chinese_and_english(api_world):
    root = etree.fromstring(_structure(api_world).encode("utf-8"))
    beijing = root.xpath("//*[@id='CL_REF_AREA']/*[@id='110000']")[0]
    names = {n.get(XML_LANG): n.text for n in beijing.findall(f"{COM}Name")}
    assert names == {"en": "Beijing", "zh": "北京市"}
    units = root.xpath("//*[@id='CL_UNIT_MEASURE']/*[@id='PCT']")[0]
    assert {n.get(XML_LANG) for n in units.findall(f"{COM}Name")} == {"en", "zh"}
    rank = root.xpath("//*[@id='CL_UNIT_MEASURE']/*[@id='RANK']")[0]
    assert {n.get(XML_LANG): n.text for n in rank.findall(f"{COM}Name")}["zh"] == "位次"


def test_the_data_read_back_equal_the_published_ranking(api_world):
    message = read_sdmx(_data(api_world))
    frame = message.data[0].data
    figures = {(r.REF_AREA, r.INDICATOR): r.OBS_VALUE for r in frame.itertuples()}
    assert set(frame["TIME_PERIOD"]) == {"2017"}
    run = latest_published_run(Cycle.objects.get(year=2017))
    rows = ranking_rows(run)
    assert len(rows) == 31
    for row in rows:
        code = row["region_code"]
        assert Decimal(figures[(code, "TOTAL")]) == row["total"]
        assert Decimal(figures[(code, "RANK")]) == row["rank"]
        for dim in ("D1", "D2", "D3", "D4", "D5", "D6"):
            assert Decimal(figures[(code, dim)]) == row[dim]
            assert Decimal(figures[(code, f"{dim}_RANK")]) == row[f"rank_{dim}"]


def test_the_data_of_an_unranked_unit_say_its_rank_is_missing(api_world):
    frame = read_sdmx(_data(api_world)).data[0].data
    corps = frame[(frame.REF_AREA == "660000") & (frame.INDICATOR == "RANK")].iloc[0]
    assert (corps.OBS_VALUE in ("", None) or str(corps.OBS_VALUE) == "<NA>")
    assert corps.OBS_STATUS == "M"


def test_the_command_writes_what_the_api_serves(api_world, tmp_path):
    call_command("export_sdmx", "--cycle", "2017", "--what", "data", "-o",
                 str(tmp_path / "d.csv"))
    assert (tmp_path / "d.csv").read_text(encoding="utf-8") == _data(api_world)
    call_command("export_sdmx", "--cycle", "2017", "--what", "structure", "-o",
                 str(tmp_path / "s.xml"))
    assert (tmp_path / "s.xml").read_text(encoding="utf-8") == _structure(api_world)


def test_the_command_refuses_a_year_without_a_publication(api_world, tmp_path):
    with pytest.raises(CommandError, match="2018"):
        call_command("export_sdmx", "--cycle", "2018", "--what", "data", "-o",
                     str(tmp_path / "d.csv"))
    with pytest.raises(CommandError, match="1999"):
        call_command("export_sdmx", "--cycle", "1999", "--what", "structure", "-o",
                     str(tmp_path / "s.xml"))


def test_an_unpublished_year_has_no_sdmx(api_world):
    assert api_world.client().get("/api/v1/sdmx/data/2018/").status_code == 404

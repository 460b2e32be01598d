"""The regions: how people name them (``region_lookup``, ``region_index``) and how they group."""

from __future__ import annotations

import pytest

from indicators.models import Region
from indicators.selectors import normalise_region_key, region_index, region_lookup


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("110000", "110000"),
        ("11", "110000"),
        ("1100", "110000"),
        ("310000", "310000"),
        ("31", "310000"),
        ("66", "660000"),
        ("北京市", "110000"),
        ("北京", "110000"),
        ("新疆维吾尔自治区", "650000"),
        ("新疆", "650000"),
        ("兵团", "660000"),
        ("新疆生产建设兵团", "660000"),
        ("Beijing", "110000"),
        ("beijing", "110000"),
        ("BEIJING", "110000"),
        ("Inner Mongolia", "150000"),
        ("shanxi", "140000"),
        ("Shaanxi", "610000"),
        ("１１００００", "110000"),   # full-width digits
        ("１１", "110000"),
        ("  上海  ", "310000"),
        ("　北京　", "110000"),       # full-width spaces
    ],
)
def test_it_finds_a_region_by_the_ways_people_name_it(bootstrapped, text, code):
    region = region_lookup(text)
    assert region is not None, text
    assert region.code == code


@pytest.mark.parametrize(
    "text", ["", "   ", "990000", "99", "1", "1100000", "北平", "Peking", "bei jing", "京"],
)
def test_it_finds_no_region_for_an_unknown_name(bootstrapped, text):
    assert region_lookup(text) is None


def test_it_indexes_every_spelling_of_every_region(bootstrapped):
    index = region_index()
    beijing = Region.objects.get(code="110000")
    for spelling in ("110000", "11", "1100", "北京市", "北京", "beijing"):
        assert index[normalise_region_key(spelling)] == beijing, spelling
    assert index[normalise_region_key("１１００００")] == beijing
    assert index[normalise_region_key("SHAANXI")].code == "610000"
    assert {region.code for region in index.values()} == set(
        Region.objects.values_list("code", flat=True)
    )


def test_it_agrees_with_region_lookup_for_every_spelling(bootstrapped):
    for key, region in region_index().items():
        assert region_lookup(key) == region, key


@pytest.mark.parametrize(
    ("macro_region", "ranked", "expected"),
    [
        (Region.MacroRegion.EAST, 10, {"北京", "天津", "河北", "上海", "江苏", "浙江", "福建",
                                      "山东", "广东", "海南"}),
        (Region.MacroRegion.CENTRAL, 6, {"山西", "安徽", "江西", "河南", "湖北", "湖南"}),
        (Region.MacroRegion.WEST, 12, {"内蒙古", "广西", "重庆", "四川", "贵州", "云南", "西藏",
                                      "陕西", "甘肃", "青海", "宁夏", "新疆"}),
        (Region.MacroRegion.NORTHEAST, 3, {"辽宁", "吉林", "黑龙江"}),
    ],
)
def test_it_groups_the_ranked_regions_into_macro_regions(bootstrapped, macro_region, ranked,
                                                         expected):
    names = set(Region.objects.filter(macro_region=macro_region, ranked=True)
                .values_list("short_name_zh", flat=True))
    assert len(names) == ranked
    assert names == expected


def test_it_puts_the_corps_in_the_west_unranked(bootstrapped):
    west = Region.objects.filter(macro_region=Region.MacroRegion.WEST)
    assert west.count() == 13
    assert list(west.filter(ranked=False).values_list("code", flat=True)) == ["660000"]


def test_it_gives_every_ranked_region_a_distinct_grid_position(bootstrapped):
    positions = list(Region.objects.filter(ranked=True).values_list("grid_row", "grid_col"))
    assert len(positions) == 31
    assert len(set(positions)) == 31
    assert all(row >= 1 and col >= 1 for row, col in positions)


def test_it_orders_regions_by_their_gb_code(bootstrapped):
    codes = list(Region.objects.values_list("code", flat=True))
    assert codes == sorted(codes)
    assert codes[0] == "110000"
    assert codes[-1] == "660000"

"""The national 2020 targets: parsing figures with qualifiers, progress, growth, and the
report's own conclusions reached from the shipped JSON. Pure code: no database."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.targets import (
    TARGETS_FILE,
    Bound,
    Growth,
    NationalTargetData,
    compute_growth,
    format_bound,
    growth_differs,
    growth_unit,
    load_targets,
    meets_target,
    parse_bound,
    parse_reported_growth,
)

D = Decimal
Targets = dict[str, NationalTargetData]  # by name_zh


def b(text: str) -> Bound:
    return parse_bound(text)


# --- parse_bound ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "comparator"),
    [
        ("90", "90", "="),
        ("29.16", "29.16", "="),
        ("3.10", "3.10", "="),
        (" 90 ", "90", "="),
        ("=90", "90", "="),
        ("＝90", "90", "="),
        (">90", "90", ">"),
        ("> 90", "90", ">"),
        ("＞90", "90", ">"),
        ("＞９０", "90", ">"),
        (">=90", "90", ">="),
        ("≥90", "90", ">="),
        ("≧90", "90", ">="),
        ("⩾90", "90", ">="),
        ("＞＝90", "90", ">="),
        ("<5", "5", "<"),
        ("＜5", "5", "<"),
        ("<=5", "5", "<="),
        ("≤5", "5", "<="),
        ("≦5", "5", "<="),
        ("90以上", "90", ">="),
        ("９０ 以上", "90", ">="),
        ("5以下", "5", "<="),
        ("5以内", "5", "<="),
        ("超过90", "90", ">"),
        ("大于90", "90", ">"),
        ("高于90", "90", ">"),
        ("不低于90", "90", ">="),
        ("不少于90", "90", ">="),
        ("不小于90", "90", ">="),
        ("低于5", "5", "<"),
        ("小于5", "5", "<"),
        ("少于5", "5", "<"),
        ("不足5", "5", "<"),
        ("不超过5", "5", "<="),
        ("不高于5", "5", "<="),
        ("不大于5", "5", "<="),
        ("１２．５", "12.5", "="),
        ("1,234.5", "1234.5", "="),
        ("-3", "-3", "="),
        ("> -3", "-3", ">"),
        ("≥ 90", "90", ">="),
        ("不超过 5", "5", "<="),
        ("\u300090\u3000", "90", "="),  # ideographic spaces
        (".5", "0.5", "="),
    ],
)
def test_it_parses_every_qualifier_form(text: str, value: str, comparator: str) -> None:
    parsed = parse_bound(text)
    assert parsed == Bound(D(value), comparator)
    assert parsed.comparator == comparator


def test_it_keeps_the_printed_precision() -> None:
    assert str(parse_bound("3.10").value) == "3.10"
    assert format_bound(parse_bound("3.10")) == "3.10"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "—", "-", "无", "N/A", "abc", "90%", "90万亿元", ">", "以上", ">90以上",
     "超过90以上", ">>90", "≥=90", "1,23", "12,34.5", "90.", "1e3", "NaN", "Infinity",
     "90 100", "1 234", "> = 90", "x" * 500],
)
def test_it_refuses_what_is_not_a_figure(text: str) -> None:
    with pytest.raises(ValueError, match="Cannot read the figure"):
        parse_bound(text)


def test_it_refuses_with_a_bilingual_message() -> None:
    with pytest.raises(ValueError) as caught:
        parse_bound("约90")
    assert "无法识别的数值“约90”" in str(caught.value)
    assert "Cannot read the figure '约90'" in str(caught.value)


def test_it_refuses_a_non_text_argument() -> None:
    with pytest.raises(TypeError):
        parse_bound(90)  # type: ignore[arg-type]


def test_it_refuses_a_bound_that_cannot_exist() -> None:
    with pytest.raises(ValueError, match="comparator"):
        Bound(D(1), "≈")
    with pytest.raises(ValueError, match="finite"):
        Bound(D("NaN"), "=")


@pytest.mark.parametrize(
    ("bound", "text"),
    [
        (Bound(D("90"), "="), "90"),
        (Bound(D("90"), ">"), ">90"),
        (Bound(D("90"), ">="), "≥90"),
        (Bound(D("5"), "<"), "<5"),
        (Bound(D("5"), "<="), "≤5"),
        (Bound(D("1E+1"), "="), "10"),
        (Bound(D("-0.00"), "="), "0.00"),
    ],
)
def test_it_formats_a_bound_as_the_report_prints_it(bound: Bound, text: str) -> None:
    assert format_bound(bound) == text


@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12),
    st.sampled_from(["=", ">", ">=", "<", "<="]),
)
def test_it_reads_back_what_it_formats(value: Decimal, comparator: str) -> None:
    bound = Bound(value, comparator)
    assert parse_bound(format_bound(bound)) == bound


# --- meets_target -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        (">90", "90", True),  # the target 90 means >= 90; every number above 90 meets it
        ("≥90", "90", True),
        ("90", "90", True),
        (">80", "90", None),  # the true value could be 85 or 95
        (">=90", ">90", None),  # could be exactly 90
        ("84", "80", True),
        ("79.9", "80", False),
        ("38", ">38", False),
        ("38.5", ">38", True),
        (">38", ">38", True),
        (">37", ">38", None),
        ("<38", ">38", False),
        ("≤38", ">38", False),
        ("<95", "90", None),
        ("<90", "90", False),
        ("≤90", "90", None),  # could be exactly 90
        ("90以上", "90", True),
        ("超过90", "≥90", True),
    ],
)
def test_it_says_whether_a_value_meets_a_target(
    value: str, target: str, expected: bool | None
) -> None:
    assert meets_target(b(value), b(target)) is expected


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        ("4", "5", True),  # lower is better: a bare target 5 means <= 5
        ("5", "5", True),
        ("6", "5", False),
        ("<5", "5", True),
        ("<6", "5", None),
        ("5", "<5", False),
        ("≤4.9", "<5", True),
        (">5", "5", False),
        (">4", "5", None),
    ],
)
def test_it_reads_a_target_in_the_better_direction(
    value: str, target: str, expected: bool | None
) -> None:
    assert meets_target(b(value), b(target), higher_is_better=False) is expected


def test_it_honours_an_explicit_qualifier_against_the_direction() -> None:
    # A target written "<5" accepts numbers below 5 whatever the indicator's direction.
    assert meets_target(b("4"), b("<5"), higher_is_better=True) is True
    assert meets_target(b("5"), b("≥5"), higher_is_better=False) is True


@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-1000, max_value=1000, places=2),
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-1000, max_value=1000, places=2),
    st.sampled_from(["=", ">", ">=", "<", "<="]),
    st.sampled_from(["=", ">", ">=", "<", "<="]),
    st.booleans(),
)
def test_it_never_contradicts_a_number_the_value_can_stand_for(
    v: Decimal, t: Decimal, vc: str, tc: str, higher: bool
) -> None:
    """Sample numbers near both ends (where open and closed bounds differ): True must hold for
    every sample the value can stand for, False for none, and None only when both occur."""
    verdict = meets_target(Bound(v, vc), Bound(t, tc), higher_is_better=higher)
    accepted = tc if tc != "=" else (">=" if higher else "<=")

    def holds(x: Decimal, comparator: str, limit: Decimal) -> bool:
        return {"=": x == limit, ">": x > limit, ">=": x >= limit, "<": x < limit,
                "<=": x <= limit}[comparator]

    step = D("0.001")
    candidates = [v, v + step, v - step, v + 5000, v - 5000, t, t + step, t - step]
    members = [x for x in candidates if holds(x, vc, v)]
    met = [holds(x, accepted, t) for x in members]
    if verdict is True:
        assert all(met)
    elif verdict is False:
        assert not any(met)
    else:
        assert any(met) and not all(met)


# --- growth -----------------------------------------------------------------------------------


def test_it_uses_percentage_points_for_percent_indicators() -> None:
    assert growth_unit("%") == "pp"
    assert growth_unit("％") == "pp"
    assert growth_unit("万亿元") == "%"
    assert growth_unit("Tbps") == "%"


def test_it_computes_a_change_in_percentage_points() -> None:
    assert compute_growth(b("56"), b("72"), unit="%") == Growth(D("16"), "pp")
    assert compute_growth(b("2.77"), b("3.10"), unit="%") == Growth(D("0.33"), "pp")


def test_it_computes_a_growth_rate() -> None:
    growth = compute_growth(b("19.3"), b("22.1"), unit="万亿元")
    assert growth is not None and growth.unit == "%"
    assert growth.value.quantize(D("0.1")) == D("14.5")


def test_it_does_not_compute_growth_between_bounds() -> None:
    # The report prints (10) for >80 → >90; the true change could be anything from -∞ to +∞.
    assert compute_growth(b(">80"), b(">90"), unit="%") is None
    assert compute_growth(b("80"), b(">90"), unit="%") is None
    assert compute_growth(b("<80"), b("90"), unit="万亿元") is None


def test_it_has_no_growth_rate_from_a_zero_or_negative_base() -> None:
    assert compute_growth(b("0"), b("5"), unit="万件") is None
    assert compute_growth(b("-2"), b("5"), unit="万件") is None
    assert compute_growth(b("0"), b("5"), unit="%") == Growth(D("5"), "pp")


def test_it_flags_a_printed_growth_that_rounding_cannot_explain() -> None:
    assert growth_differs(Growth(D("39.1"), "%"), D("32.2")) is True
    assert growth_differs(Growth(D("14.5078"), "%"), D("14.5")) is False
    assert growth_differs(Growth(D("15.97"), "%"), D("16")) is False
    assert growth_differs(Growth(D("16.5"), "%"), D("16")) is False  # exactly the tolerance
    assert growth_differs(Growth(D("16.6"), "%"), D("16")) is True
    assert growth_differs(Growth(D("16.6"), "%"), D("16"), tolerance=D("1")) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14.5", D("14.5")), ("(16)", D("16")), ("（0.33）", D("0.33")), (" ", None), ("", None),
     ("-1.5", D("-1.5"))],
)
def test_it_reads_a_printed_growth(text: str, expected: Decimal | None) -> None:
    assert parse_reported_growth(text) == expected


def test_it_refuses_a_printed_growth_that_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="Cannot read the growth"):
        parse_reported_growth("约16")


# --- the report's conclusions from the shipped figures ----------------------------------------


@pytest.fixture(scope="module")
def targets() -> Targets:
    return {t.name_zh: t for t in load_targets()}


def test_it_ships_the_fourteen_targets_as_printed() -> None:
    rows = json.loads(TARGETS_FILE.read_text(encoding="utf-8"))
    assert [r["code"] for r in rows] == [f"T{i:02d}" for i in range(1, 15)]
    assert [r["order"] for r in rows] == list(range(1, 15))
    for row in rows:
        assert row["name_en"] and row["group_en"] and row["unit_en"]
        assert row["target_year"] == 2020
        assert set(row["values"]) == {"2016", "2017"}
        # Figures stay text, exactly as printed; growth is stored without its brackets.
        for text in [row["target"], *row["values"].values(), *row["reported_growth"].values()]:
            assert isinstance(text, str) and "(" not in text
    by_name = {r["name_zh"]: r for r in rows}
    assert by_name["贫困村宽带网络覆盖率"]["values"] == {"2016": ">80", "2017": ">90"}
    assert by_name["电子商务交易规模"]["target"] == ">38"
    assert by_name["网民数量"]["target"] == ">10"
    assert by_name["IT 项目投资占全社会固定资产投资总额的比例"]["values"]["2017"] == "3.10"
    assert by_name["固定宽带家庭普及率"]["reported_growth"] == {"2017": "16"}


def test_it_reaches_the_reports_conclusion_four_targets_met_by_2017(targets: Targets) -> None:
    verdicts = {name: t.meets(2017) for name, t in targets.items()}
    assert {name for name, v in verdicts.items() if v is True} == {
        "国内信息技术发明专利授权数",  # 16.7 vs 15.3
        "光纤用户占总宽带用户的比率",  # 84 vs 80
        "固定宽带家庭普及率",  # 72 vs 70
        "贫困村宽带网络覆盖率",  # >90 vs 90
    }
    # Every other 2017 figure is a plain number below its target: False, none unknown.
    assert {name for name, v in verdicts.items() if v is None} == set()
    assert {name for name, v in verdicts.items() if v is False} == {
        "信息产业收入规模", "IT 项目投资占全社会固定资产投资总额的比例", "移动宽带用户普及率",
        "互联网国际出口带宽", "信息消费规模", "电子商务交易规模", "网络商品零售额", "网民数量",
        "社会保障卡普及率", "电子诉讼占比",
    }


def test_it_leaves_the_2016_poor_villages_verdict_open(targets: Targets) -> None:
    # >80 against 90: unknown, not False. No 2016 figure had met its target yet.
    assert targets["贫困村宽带网络覆盖率"].meets(2016) is None
    assert all(t.meets(2016) is not True for t in targets.values())


def test_it_finds_the_ecommerce_target_not_met(targets: Targets) -> None:
    ecommerce = targets["电子商务交易规模"]
    assert ecommerce.target_bound == Bound(D("38"), ">")
    assert ecommerce.meets(2017) is False  # 29.16 against >38
    assert meets_target(b("38"), ecommerce.target_bound) is False
    assert meets_target(b("38.5"), ecommerce.target_bound) is True
    assert meets_target(b(">38"), ecommerce.target_bound) is True


def test_it_computes_the_fixed_broadband_growth_in_percentage_points(targets: Targets) -> None:
    assert targets["固定宽带家庭普及率"].growth(2017) == Growth(D("16"), "pp")


def test_it_computes_the_information_industry_growth_rate(targets: Targets) -> None:
    growth = targets["信息产业收入规模"].growth(2017)
    assert growth is not None and growth.unit == "%"
    assert growth.value.quantize(D("0.1")) == D("14.5")  # 22.1 / 19.3 - 1


def test_it_notes_the_online_retail_growth_differs_from_the_printed_one(targets: Targets) -> None:
    retail = targets["网络商品零售额"]
    growth = retail.growth(2017)
    assert growth is not None
    assert growth.value.quantize(D("0.1")) == D("39.1")  # 7.18 / 5.16 - 1
    assert growth_differs(growth, parse_reported_growth(retail.reported_growth[2017]))


def test_it_checks_every_printed_growth_against_the_computed_one(targets: Targets) -> None:
    """Which printed growths the rounded figures do not explain: 网络商品零售额 (39.1 vs 32.2)
    and 互联网国际出口带宽 (7.0 / 6.3 = +11.1 % vs 10.2; the report's 2016 figure and its growth
    disagree). 贫困村宽带网络覆盖率 cannot be checked: its figures are bounds."""
    differs, unchecked = set(), set()
    for name, target in targets.items():
        growth = target.growth(2017)
        if growth is None:
            unchecked.add(name)
            continue
        assert growth.unit == ("pp" if target.unit == "%" else "%")
        if growth_differs(growth, parse_reported_growth(target.reported_growth[2017])):
            differs.add(name)
    assert differs == {"网络商品零售额", "互联网国际出口带宽"}
    assert unchecked == {"贫困村宽带网络覆盖率"}


def test_it_names_the_provincial_formulas_the_spec_gives(targets: Targets) -> None:
    assert targets["固定宽带家庭普及率"].provincial_formula == "E401 / P02 * 100"
    assert targets["社会保障卡普及率"].provincial_formula == "E103 / P01 * 100"
    assert targets["网民数量"].provincial_formula == "E101"
    assert targets["网民数量"].provincial_scale == pytest.approx(0.0001)  # 万人 → 亿
    derivable = {name for name, t in targets.items() if t.provincial_formula}
    assert derivable == {"固定宽带家庭普及率", "社会保障卡普及率", "网民数量"}

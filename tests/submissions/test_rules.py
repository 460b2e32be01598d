"""The rules engine against the shipped 2017 model: every problem, at its place, in one pass."""

from __future__ import annotations

from decimal import Decimal

import pytest

from demo.data import element_values
from indicators.models import ModelVersion
from readers import RawCell, RawRow
from submissions import rules
from submissions.selectors import ruleset_for


@pytest.fixture
def ruleset(bootstrapped) -> rules.RuleSet:
    return ruleset_for(ModelVersion.objects.get(code="2017"))


def _rows(values: dict[str, object], *, notes: dict[str, str] | None = None) -> list[RawRow]:
    notes = notes or {}
    return [
        RawRow(number=i + 4, cells={
            "code": RawCell(code, "A"), "value": RawCell(value, "F"),
            "note": RawCell(notes.get(code, ""), "G"),
        })
        for i, (code, value) in enumerate(values.items())
    ]


def _valid() -> dict[str, object]:
    return {code: str(value) for code, value in element_values("110000").items()}


def _codes(issues: list[rules.Issue]) -> list[tuple[str, str]]:
    return sorted((i.rule_code, i.element_code) for i in issues)


def _check(ruleset: rules.RuleSet, values: dict[str, object]) -> list[rules.Issue]:
    cells, issues = rules.parse_rows(ruleset, _rows(values), sheet="填报数据")
    return issues + rules.check_cells(ruleset, cells)


def test_it_accepts_a_complete_valid_set(ruleset):
    assert _check(ruleset, _valid()) == []


def test_it_reports_every_problem_in_one_pass_at_its_cell(ruleset):
    values = _valid()
    values["E101"] = str(Decimal(values["P01"]) + 1)  # more internet users than residents
    values["P03"] = "1234.5"                          # villages are counted
    values["E601"] = "4"                              # levels go to 3
    values["E102"] = "101"                            # an index of 0..100
    values["P02"] = "0"                               # households must be > 0
    issues = _check(ruleset, values)
    assert _codes(issues) == sorted([
        ("E101_LE_P01", "E101"), ("NOT_INTEGER", "P03"), ("NOT_ORDINAL", "E601"),
        ("ABOVE_MAX", "E102"), ("BELOW_MIN", "P02"),
    ])
    e101 = next(i for i in issues if i.rule_code == "E101_LE_P01")
    assert e101.severity == rules.ERROR
    assert e101.position == rules.Position("填报数据", 7, "F")  # E101 is the 4th row, from row 4
    assert "网民数量" in e101.message_zh and "Internet users" in e101.message_en


def test_it_reports_a_missing_element_but_not_a_cell_it_could_not_read(ruleset):
    values = _valid()
    del values["E504"]
    values["E503"] = "十二"
    issues = _check(ruleset, values)
    assert _codes(issues) == [("MISSING_VALUE", "E504"), ("NOT_A_NUMBER", "E503")]


def test_it_treats_no_value_tokens_as_missing(ruleset):
    values = _valid()
    values["E203"] = "—"
    assert _codes(_check(ruleset, values)) == [("MISSING_VALUE", "E203")]


def test_it_does_not_require_completeness_of_a_draft(ruleset):
    values = _valid()
    del values["E504"]
    cells, _ = rules.parse_rows(ruleset, _rows(values))
    assert rules.check_cells(ruleset, cells, complete=False) == []


def test_it_refuses_unknown_codes_and_conflicting_duplicates(ruleset):
    rows = _rows({"E101": "100", "X999": "1"})
    rows.append(RawRow(number=20, cells={"code": RawCell("E101", "A"),
                                         "value": RawCell("101", "F")}))
    rows.append(RawRow(number=21, cells={"code": RawCell("e101 ", "A"),
                                         "value": RawCell("１００", "F")}))  # same value: fine
    rows.append(RawRow(number=22, cells={"code": RawCell(None, "A"),
                                         "value": RawCell("5", "F")}))
    _, issues = rules.parse_rows(ruleset, rows)
    assert _codes(issues) == [("DUPLICATE_ELEMENT", "E101"), ("MISSING_CODE", ""),
                              ("UNKNOWN_ELEMENT", "X999")]
    duplicate = next(i for i in issues if i.rule_code == "DUPLICATE_ELEMENT")
    assert duplicate.position.row == 20 and "第 4 行" in duplicate.message_zh


def test_it_warns_on_a_year_over_year_change_beyond_the_threshold(ruleset):
    cells, _ = rules.parse_rows(ruleset, _rows(_valid()))
    previous = {code: cell.value for code, cell in cells.items()}
    previous["E201"] = cells["E201"].value / Decimal("1.5")   # +50 %: warned
    previous["E202"] = cells["E202"].value / Decimal("1.2")   # +20 %: within 30 %
    issues = rules.check_year_over_year(ruleset, cells, previous)
    assert _codes(issues) == [("YOY_CHANGE", "E201")]
    assert issues[0].severity == rules.WARNING and "+50.0%" in issues[0].message_en


def test_it_warns_on_a_cross_region_outlier_of_an_indicator(ruleset):
    peers = []
    for code in ("120000", "320000", "330000", "310000", "350000", "440000", "500000"):
        peers.append({c: float(v) for c, v in element_values(code).items()})
    values = _valid()
    values["E503"] = str(int(Decimal(values["E502"]) * 3))  # 300 vulnerabilities per 100 sites
    cells, _ = rules.parse_rows(ruleset, _rows(values))
    issues = rules.check_outliers(ruleset, cells, peers, threshold=3.5)
    assert ("OUTLIER", "E503") in _codes(issues)
    assert all(i.severity == rules.WARNING for i in issues)


def test_it_needs_enough_peers_for_an_outlier(ruleset):
    peers = [{c: float(v) for c, v in element_values("120000").items()}] * 4
    values = _valid()
    values["E503"] = str(int(Decimal(values["E502"]) * 3))
    cells, _ = rules.parse_rows(ruleset, _rows(values))
    assert rules.check_outliers(ruleset, cells, peers, threshold=3.5) == []


def test_it_counts_warnings_without_an_explanation(ruleset):
    cells, _ = rules.parse_rows(ruleset, _rows(_valid(), notes={"E201": "新口径"}))
    warnings = [rules.Issue("E201", rules.WARNING, "YOY_CHANGE", "", ""),
                rules.Issue("E202", rules.WARNING, "YOY_CHANGE", "", ""),
                rules.Issue("E203", rules.ERROR, "ABOVE_MAX", "", "")]
    assert rules.unexplained_warnings(warnings, cells) == 1

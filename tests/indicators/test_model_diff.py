"""``indicators.model_diff``: the changes between two documents, and what stays comparable
across the years of two models."""

from __future__ import annotations

import copy

from indicators.model_diff import comparable, model_diff
from tests.model_worlds import model_2017_document, model_2018_document


def test_identical_documents_have_no_changes():
    doc = model_2017_document()
    diff = model_diff(doc, copy.deepcopy(doc))
    assert diff.identical
    assert all(section.empty for section in diff.sections)


def test_a_changed_normalisation_parameter_is_one_attribute():
    old = model_2017_document()
    new = copy.deepcopy(old)
    new["version"] = "x"
    i52 = next(i for i in new["indicators"] if i["code"] == "I52")
    i52["normalisation"]["upper"] = 40
    diff = model_diff(old, new)
    indicators = next(s for s in diff.sections if s.section == "indicators")
    assert [(i.code, [(c.attribute, c.old, c.new) for c in i.changes])
            for i in indicators.changed] == [("I52", [("normalisation.upper", 50, 40)])]
    assert diff.as_json()["indicators"]["changed"] == [
        {"code": "I52", "changes": [{"attribute": "normalisation.upper", "old": 50,
                                     "new": 40}]}]


def test_level_names_are_one_attribute():
    old = model_2017_document()
    new = copy.deepcopy(old)
    new["elements"][-1]["levels"][0]["label_zh"] = "未建立"
    elements = next(s for s in model_diff(old, new).sections if s.section == "elements")
    assert [c.attribute for c in elements.changed[0].changes] == ["levels"]


def test_comparable_between_2017_and_2018():
    result = comparable(model_2017_document(), model_2018_document())
    assert result.dimensions == {"D2", "D3", "D4", "D5", "D6"}  # D1 changed, D7 is new
    assert "I14" not in result.indicators and "I71" not in result.indicators
    assert len(result.indicators) == 21
    assert not result.same_model


def test_a_changed_formula_weight_or_direction_is_not_comparable():
    old = model_2017_document()
    new = copy.deepcopy(old)
    new["version"] = "x"
    by_code = {i["code"]: i for i in new["indicators"]}
    by_code["I21"]["formula"] = "E201 / 2"
    by_code["I31"]["weight"] = 2                  # the indicator stays, its dimension not
    by_code["I41"]["direction"] = "-"
    result = comparable(old, new)
    assert "I21" not in result.indicators and "D2" not in result.dimensions
    assert "I31" in result.indicators and "D3" not in result.dimensions
    assert "I41" not in result.indicators and "D4" not in result.dimensions
    assert {"D1", "D5", "D6"} <= result.dimensions


def test_the_same_model_is_wholly_comparable():
    doc = model_2017_document()
    result = comparable(doc, doc)
    assert result.same_model and len(result.indicators) == 22 and len(result.dimensions) == 6

"""``model_io.parse_model_document``, the one validator of a model: each problem's place for a
file's reader and its section, item and field for a form; level names; canonical numbers."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from indicators.model_io import ModelFileError, Problem, parse_model_document
from tests.model_worlds import model_2017_document


def _problems(document: dict) -> list[Problem]:
    with pytest.raises(ModelFileError) as excinfo:
        parse_model_document(document)
    return excinfo.value.problems


def _indicator(document: dict, code: str) -> dict:
    return next(i for i in document["indicators"] if i["code"] == code)


def test_every_problem_has_its_section_item_and_field():
    doc = model_2017_document()
    _indicator(doc, "I21")["weight"] = 0
    _indicator(doc, "I52")["normalisation"]["lower"] = 60
    doc["dimensions"][0]["points"] = 25
    doc["year"] = "2017"
    found = {(p.section, p.index, p.field) for p in _problems(doc)}
    i21 = next(n for n, i in enumerate(doc["indicators"]) if i["code"] == "I21")
    i52 = next(n for n, i in enumerate(doc["indicators"]) if i["code"] == "I52")
    assert found == {("indicators", i21, "weight"), ("indicators", i52, "normalisation.lower"),
                     ("dimensions", None, "points"), ("", None, "year")}


def test_a_problem_reads_in_the_readers_language():
    doc = model_2017_document()
    _indicator(doc, "I21")["weight"] = -1
    (problem,) = _problems(doc)
    with translation.override("zh-hans"):
        assert problem.text == "权重必须为正数"
        assert str(problem) == "indicators[4] (I21): 权重必须为正数"
    with translation.override("en"):
        assert str(problem) == "indicators[4] (I21): weight must be positive"


def test_a_formulas_problem_is_said_in_the_readers_language():
    doc = model_2017_document()
    _indicator(doc, "I11")["formula"] = "E101 ** 2"
    (problem,) = _problems(doc)
    with translation.override("zh-hans"):
        assert problem.text == "公式：'E101 ** 2' 中不能使用运算符 Pow"
    with translation.override("en"):
        assert problem.text == "formula: operator Pow is not allowed in 'E101 ** 2'"


def test_level_names_are_optional_and_must_name_every_level():
    doc = model_2017_document()
    e601 = next(e for e in doc["elements"] if e["code"] == "E601")
    without = copy.deepcopy(doc)
    next(e for e in without["elements"] if e["code"] == "E601").pop("levels")
    assert "levels" not in next(e for e in parse_model_document(without).data["elements"]
                                if e["code"] == "E601")
    e601["levels"] = e601["levels"][:3]
    (problem,) = _problems(doc)
    assert (problem.field, problem.params["count"], problem.params["given"]) == ("levels", 4, 3)
    e601["levels"] = [{"label_zh": ""}] * 4
    assert {p.field for p in _problems(doc)} == {"levels"}
    doc = model_2017_document()
    doc["elements"][0]["levels"] = [{"label_zh": "a"}]
    (problem,) = _problems(doc)
    assert problem.field == "levels" and problem.index == 0


@pytest.mark.parametrize("code", ["2018/b", "2018 b", "-2018", "版本"])
def test_a_version_code_is_part_of_a_web_address(code):
    doc = model_2017_document()
    doc["version"] = code
    assert [p.field for p in _problems(doc)] == ["version"]


def test_the_canonical_form_has_whole_numbers_and_tiers_from_the_highest():
    doc = model_2017_document()
    doc["dimensions"][0]["points"] = 20.0
    doc["tiers"] = [{"code": "low", "min_total": 30.0, "label_zh": "起步"},
                    {"code": "leading", "min_total": 65, "label_zh": "前列"}]
    data = parse_model_document(doc).data
    assert repr(data["dimensions"][0]["points"]) == "20"
    assert [t["code"] for t in data["tiers"]] == ["leading", "low"]
    assert repr(data["tiers"][1]["min_total"]) == "30"
    assert data["tiers"][1]["label_en"] == ""

"""``export_model --version V --format json -o FILE``: the stored model, as import reads it."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from indicators.models import ModelVersion
from indicators.services import MODEL_2017_FILE


def _export(tmp_path: Path, version: str = "2017") -> dict[str, Any]:
    path = tmp_path / f"model-{version}-export.json"
    call_command("export_model", "--version", version, "--format", "json", "-o", str(path))
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def exported(bootstrapped, tmp_path) -> dict[str, Any]:
    return _export(tmp_path)


def test_it_exports_exactly_the_shipped_2017_file(exported):
    shipped = json.loads(MODEL_2017_FILE.read_text(encoding="utf-8"))
    assert exported == shipped


def test_it_writes_readable_utf8_json(bootstrapped, tmp_path, capsys):
    path = tmp_path / "out.json"
    call_command("export_model", "--version", "2017", "--format", "json", "-o", str(path))
    text = path.read_text(encoding="utf-8")
    assert "信息服务应用" in text  # Chinese as is, not \u escapes
    assert "written to" in capsys.readouterr().out


def test_it_exports_the_six_dimensions_with_their_points(exported):
    assert [(d["code"], d["points"]) for d in exported["dimensions"]] == [
        ("D1", 20), ("D2", 20), ("D3", 20), ("D4", 15), ("D5", 15), ("D6", 10),
    ]
    assert sum(d["points"] for d in exported["dimensions"]) == 100


def test_it_exports_26_elements_and_22_indicators(exported):
    elements = [e["code"] for e in exported["elements"]]
    assert len(elements) == 26
    assert len(set(elements)) == 26
    assert elements[:4] == ["P01", "P02", "P03", "E101"]
    assert [e["code"] for e in exported["elements"] if e["kind"] == "ordinal"] == [
        f"E60{n}" for n in range(1, 7)
    ]
    assert all(e["max_level"] == 3 for e in exported["elements"] if e["kind"] == "ordinal")
    indicators = [i["code"] for i in exported["indicators"]]
    assert len(indicators) == 22
    assert len(set(indicators)) == 22


def test_it_exports_equal_weights_inside_each_dimension(exported):
    weights: dict[str, set[float]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for indicator in exported["indicators"]:
        weights[indicator["dimension"]].add(indicator["weight"])
        counts[indicator["dimension"]] += 1
    assert set(weights) == {"D1", "D2", "D3", "D4", "D5", "D6"}
    assert all(len(w) == 1 for w in weights.values()), weights
    assert dict(counts) == {"D1": 4, "D2": 3, "D3": 3, "D4": 3, "D5": 3, "D6": 6}


def test_it_exports_the_cross_element_rules(exported):
    expressions = {r["expression"] for r in exported["rules"]}
    assert {"E101 <= P01", "E401 <= P02", "E403 <= P03"} <= expressions
    assert all(r["severity"] == "error" for r in exported["rules"])


def test_it_exports_i52_as_lower_is_better_on_goalposts_0_to_50(exported):
    i52 = next(i for i in exported["indicators"] if i["code"] == "I52")
    assert i52["direction"] == "-"
    assert i52["normalisation"] == {"kind": "goalposts", "lower": 0, "upper": 50}
    assert i52["formula"] == "E503 / E502 * 100"
    others = [i for i in exported["indicators"] if i["code"] != "I52"]
    assert all(i["direction"] == "+" for i in others)


def test_it_exports_the_policy_indicators_as_ordinal_max_level_3(exported):
    policy = [i for i in exported["indicators"] if i["dimension"] == "D6"]
    assert [i["formula"] for i in policy] == [f"E60{n}" for n in range(1, 7)]
    assert all(i["normalisation"] == {"kind": "ordinal", "max_level": 3} for i in policy)


def test_it_exports_a_file_that_reimports_under_a_new_version_code(bootstrapped, tmp_path):
    document = _export(tmp_path)
    document["version"] = "2017-copy"
    document["year"] = 2018
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    call_command("import_model", str(path))
    copy = ModelVersion.objects.get(code="2017-copy")
    assert copy.year == 2018
    assert copy.indicators.count() == 22
    # And round-trips: exporting the copy gives back the file it was imported from.
    assert _export(tmp_path, "2017-copy") == document


def test_it_refuses_an_unknown_version_and_lists_the_known_ones(bootstrapped, tmp_path):
    path = tmp_path / "out.json"
    with pytest.raises(CommandError, match=r"no model version '1999' \(known: 2017\)"):
        call_command("export_model", "--version", "1999", "--format", "json", "-o", str(path))
    assert not path.exists()


def test_it_says_none_are_known_before_bootstrap(db, tmp_path):
    with pytest.raises(CommandError, match=r"known: none"):
        call_command("export_model", "--version", "2017", "-o", str(tmp_path / "out.json"))


def test_it_writes_the_same_bytes_for_the_same_version(bootstrapped, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for path in (first, second):
        call_command("export_model", "--version", "2017", "-o", str(path))
    assert first.read_bytes() == second.read_bytes() == MODEL_2017_FILE.read_bytes()


def test_it_exports_the_level_names_of_the_ordinal_elements(exported):
    e601 = next(e for e in exported["elements"] if e["code"] == "E601")
    assert [level["label_zh"] for level in e601["levels"]] == ["无", "起步", "基本健全", "健全"]
    assert e601["levels"][2]["label_en"] == "largely in place"

"""``diff_models A B [--format json]``: what changed from one model version to another."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.model_worlds import import_document, model_2018_document


@pytest.fixture
def both(bootstrapped) -> None:
    import_document(model_2018_document())


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("diff_models", *args, stdout=out)
    return out.getvalue()


def test_it_reports_every_change_as_json(both):
    data = json.loads(_run("2017", "2018", "--format", "json"))
    assert (data["from"], data["to"]) == ("2017", "2018")
    assert {c["attribute"] for c in data["version"]["changed"]} == {"year", "title_zh",
                                                                     "title_en"}
    assert [d["code"] for d in data["dimensions"]["added"]] == ["D7"]
    assert data["dimensions"]["added"][0]["points"] == 5
    assert data["dimensions"]["changed"] == [
        {"code": "D1", "changes": [{"attribute": "points", "old": 20, "new": 15}]}]
    assert [i["code"] for i in data["indicators"]["removed"]] == ["I14"]
    assert [i["code"] for i in data["indicators"]["added"]] == ["I71"]
    assert [e["code"] for e in data["elements"]["removed"]] == ["E104"]
    assert [e["code"] for e in data["elements"]["added"]] == ["E701"]
    assert [r["code"] for r in data["rules"]["removed"]] == ["E104_LE_P01"]
    assert [t["code"] for t in data["tiers"]["added"]] == ["middle"]
    assert data["tiers"]["removed"] == data["tiers"]["changed"] == []


def test_it_writes_old_and_new_per_attribute_as_text(both):
    with translation.override("en"):
        text = _run("2017", "2018")
    lines = text.splitlines()
    assert lines[0] == "Index model 2017 → 2018"
    assert "  + D7 Digital government" in lines
    assert "  ~ D1 Information service application" in lines
    assert "      Points (points): 20 -> 15" in lines
    assert any(line.startswith("  - I14 ") for line in lines)
    assert "  + middle In the national middle" in lines


def test_it_says_when_two_versions_are_the_same(bootstrapped):
    assert "两个版本的内容相同。" in _run("2017", "2017")
    assert json.loads(_run("2017", "2017", "--format", "json"))["dimensions"] == {
        "added": [], "removed": [], "changed": []}


def test_it_names_an_unknown_version_and_the_known_ones(bootstrapped):
    with pytest.raises(CommandError, match=r"no model version '1999' \(known: 2017\)"):
        _run("2017", "1999")

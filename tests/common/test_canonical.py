"""common.canonical: the one spelling of a JSON document that is hashed (audit chain, model
documents, scoring runs)."""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal

import pytest

from audit.services import canonical_content
from common.canonical import canonical_bytes, canonical_json
from indicators.model_io import ModelDocument
from indicators.services import document_sha256

DOCUMENT = {"b": [1, 2.5, None, True], "a": {"名称": "北京", "z": -0.0, "y": 1e16},
            "c": "quote \" and \\ back"}


def test_it_sorts_keys_and_keeps_utf8_text_without_spaces():
    assert canonical_json(DOCUMENT) == json.dumps(DOCUMENT, sort_keys=True, ensure_ascii=False,
                                                  separators=(",", ":"))
    assert canonical_json({"b": 1, "a": 2}) == '{"a":2,"b":1}'
    assert canonical_bytes(DOCUMENT) == canonical_json(DOCUMENT).encode("utf-8")
    assert "北京".encode() in canonical_bytes(DOCUMENT)


def test_it_gives_equal_documents_the_same_text():
    reordered = {"c": DOCUMENT["c"], "a": {"y": 1e16, "z": -0.0, "名称": "北京"},
                 "b": [1, 2.5, None, True]}
    assert canonical_json(reordered) == canonical_json(DOCUMENT)


def test_it_writes_a_value_without_a_json_spelling_as_its_text():
    when = datetime.date(2017, 12, 31)
    assert canonical_json({"d": Decimal("1.50"), "when": when}) == (
        '{"d":"1.50","when":"2017-12-31"}')


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_it_spells_non_finite_floats_as_json_does(value):
    assert canonical_json([value]) == json.dumps([value])


def test_it_is_what_the_audit_chain_and_the_model_documents_hash():
    created = datetime.datetime(2017, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    content = canonical_content(
        sequence=1, created_at=created, actor_id=None, actor_name="system", action="x",
        object_type="", object_id="", region_code="", cycle_year=None, data=DOCUMENT)
    assert content == canonical_json({
        "sequence": 1, "created_at": created.isoformat(), "actor_id": None,
        "actor_name": "system", "action": "x", "object_type": "", "object_id": "",
        "region_code": "", "cycle_year": None, "data": DOCUMENT})
    expected = hashlib.sha256(canonical_bytes(DOCUMENT)).hexdigest()
    assert document_sha256(ModelDocument(DOCUMENT)) == expected

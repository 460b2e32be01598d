"""``import_model FILE``: a checked model file becomes a new version; a bad one stores nothing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.selectors import operator_user
from audit.models import AuditEntry
from indicators.models import DataElement, Dimension, Indicator, ModelVersion, Rule, Tier
from indicators.services import MODEL_2017_FILE
from tests.factories import CycleFactory

MODELS = (ModelVersion, Dimension, DataElement, Indicator, Rule, Tier, AuditEntry)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The problems are said in the reader's language; these tests read the English ones
    (the file's own words)."""
    with translation.override("en"):
        yield


def _model_2017() -> dict[str, Any]:
    return json.loads(MODEL_2017_FILE.read_text(encoding="utf-8"))


def _new_version(code: str = "2099", year: int = 2099) -> dict[str, Any]:
    document = _model_2017()
    document["version"] = code
    document["year"] = year
    return document


def _write(tmp_path: Path, document: Any, name: str = "model.json") -> Path:
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _element(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(e for e in document["elements"] if e["code"] == code)


def _indicator(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in document["indicators"] if i["code"] == code)


def _refused(tmp_path: Path, document: Any) -> str:
    """Import ``document``; assert it is refused and nothing is stored; return the message."""
    before = _counts()
    path = _write(tmp_path, document)
    with pytest.raises(CommandError) as excinfo:
        call_command("import_model", str(path))
    assert _counts() == before
    assert not ModelVersion.objects.filter(code="2099").exists()
    message = str(excinfo.value)
    assert "not imported" in message or "JSON" in message
    return message


# --- Malformed files: refused, named, nothing stored ----------------------------------------


def _unknown_element(d: dict[str, Any]) -> None:
    _indicator(d, "I11")["formula"] = "E999 / P01 * 100"


def _import_call(d: dict[str, Any]) -> None:
    _indicator(d, "I12")["formula"] = "__import__('os')"


def _rule_not_comparison(d: dict[str, Any]) -> None:
    d["rules"][0]["expression"] = "E101 + P01"


def _missing_weight(d: dict[str, Any]) -> None:
    del _indicator(d, "I21")["weight"]


def _duplicate_element(d: dict[str, Any]) -> None:
    d["elements"].append(copy.deepcopy(_element(d, "E102")))


def _duplicate_indicator(d: dict[str, Any]) -> None:
    d["indicators"].append(copy.deepcopy(_indicator(d, "I22")))


def _points_not_100(d: dict[str, Any]) -> None:
    d["dimensions"][0]["points"] = 25


def _unknown_dimension(d: dict[str, Any]) -> None:
    _indicator(d, "I13")["dimension"] = "D9"


def _goalposts_inverted(d: dict[str, Any]) -> None:
    _indicator(d, "I52")["normalisation"] = {"kind": "goalposts", "lower": 50, "upper": 50}


def _ordinal_without_max_level(d: dict[str, Any]) -> None:
    del _element(d, "E603")["max_level"]


def _constant_formula(d: dict[str, Any]) -> None:
    _indicator(d, "I12")["formula"] = "100"


def _tiers_sharing_a_total(d: dict[str, Any]) -> None:
    d["tiers"].append({"code": "also", "min_total": 65, "label_zh": "并列"})


MALFORMED: dict[str, tuple[Callable[[dict[str, Any]], None], list[str]]] = {
    "unknown element in a formula": (_unknown_element, ["I11", "unknown element code", "E999"]),
    "__import__ as a formula": (_import_call, ["I12", "Call is not allowed"]),
    "rule that is not a comparison": (
        _rule_not_comparison, ["E101_LE_P01", "must be a comparison"],
    ),
    "missing weight": (_missing_weight, ["I21", "weight is missing"]),
    "duplicate element codes": (_duplicate_element, ["elements: duplicate code E102"]),
    "duplicate indicator codes": (_duplicate_indicator, ["indicators: duplicate code I22"]),
    "points not summing to 100": (_points_not_100, ["points sum to 105", "not 100"]),
    "indicator in an unknown dimension": (_unknown_dimension, ["I13", "unknown dimension 'D9'"]),
    "goalposts lower >= upper": (_goalposts_inverted, ["I52", "lower 50 must be below upper 50"]),
    "ordinal element without max_level": (
        _ordinal_without_max_level, ["E603", "max_level is missing"],
    ),
    "formula reading no element": (_constant_formula, ["I12", "reads no data element"]),
    "two tiers from the same total": (
        _tiers_sharing_a_total, ["tiers (also)", "min_total 65 is also the min_total of leading"],
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_it_refuses_a_malformed_model_and_stores_nothing(bootstrapped, tmp_path, case):
    mutate, expected = MALFORMED[case]
    document = _new_version()
    mutate(document)
    message = _refused(tmp_path, document)
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_it_refuses_invalid_json(bootstrapped, tmp_path):
    message = _refused(tmp_path, '{"version": "2099", "year": 2099,')
    assert "not a JSON document" in message


def test_it_refuses_a_file_that_is_not_utf8(bootstrapped, tmp_path):
    before = _counts()
    path = tmp_path / "model.json"
    path.write_bytes(json.dumps(_new_version(), ensure_ascii=False).encode("gb18030"))
    with pytest.raises(CommandError, match="not a JSON document"):
        call_command("import_model", str(path))
    assert _counts() == before


@pytest.mark.parametrize("document", [[], ["version", "2099"], "2099", 42, None])
def test_it_refuses_a_document_that_is_not_an_object(bootstrapped, tmp_path, document):
    message = _refused(tmp_path, json.dumps(document))
    assert "must be a JSON object" in message


def test_it_refuses_a_file_that_cannot_be_read(bootstrapped, tmp_path):
    before = _counts()
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_model", str(tmp_path / "missing.json"))
    assert _counts() == before


def test_it_reports_every_problem_of_a_file_at_once(bootstrapped, tmp_path):
    document = _new_version()
    for mutate in (_unknown_element, _missing_weight, _rule_not_comparison, _points_not_100,
                   _ordinal_without_max_level):
        mutate(document)
    message = _refused(tmp_path, document)
    problems = [line for line in message.splitlines() if line.startswith("  - ")]
    assert len(problems) == 5, message
    for fragment in ("E999", "I21", "weight is missing", "must be a comparison",
                     "points sum to 105", "E603"):
        assert fragment in message


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: _element(d, "E102").__setitem__("kind", ["number"]),
        lambda d: _indicator(d, "I11").__setitem__("dimension", ["D1"]),
        lambda d: d["rules"][0].__setitem__("severity", {"level": "error"}),
        lambda d: _indicator(d, "I11")["normalisation"].__setitem__("kind", ["goalposts"]),
    ],
    ids=["element kind a list", "dimension a list", "severity an object",
         "normalisation kind a list"],
)
def test_it_refuses_values_of_the_wrong_json_type_with_a_message(bootstrapped, tmp_path, mutate):
    # BUG (indicators/model_io.py): membership tests such as ``kind not in ELEMENT_KINDS`` on a
    # set raise TypeError ("unhashable type") for a list or object value, so the command
    # crashes with a traceback instead of reporting the problem.
    document = _new_version()
    mutate(document)
    before = _counts()
    path = _write(tmp_path, document)
    try:
        call_command("import_model", str(path))
    except CommandError:
        pass
    except TypeError as exc:
        pytest.fail(f"import_model crashed with TypeError ({exc}) instead of a CommandError")
    else:
        pytest.fail("a value of the wrong JSON type was accepted")
    assert _counts() == before


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.__setitem__("version", "v" * 30),
        lambda d: [
            item.__setitem__(key, "D" + "X" * 20)
            for item, key in [(d["dimensions"][0], "code")]
            + [(i, "dimension") for i in d["indicators"] if i["dimension"] == "D1"]
        ],
        lambda d: _indicator(d, "I11").__setitem__("code", "I" + "1" * 25),
    ],
    ids=["version longer than 20", "dimension code longer than 10",
         "indicator code longer than 20"],
)
def test_it_refuses_codes_longer_than_the_database_columns(bootstrapped, tmp_path, mutate):
    # BUG (indicators/model_io.py): codes are checked against CODE_RE (up to 32 characters) and
    # the version not at all, but the columns are shorter (ModelVersion.code 20, Dimension.code
    # 10, Indicator.code and DataElement.code 20). SQLite stores the long value silently;
    # PostgreSQL raises DataError (a traceback, not a CommandError).
    from django.db import DatabaseError

    document = _new_version()
    mutate(document)
    path = _write(tmp_path, document)
    before = ModelVersion.objects.count()
    try:
        call_command("import_model", str(path))
    except CommandError:
        assert ModelVersion.objects.count() == before
        return
    except DatabaseError as exc:
        pytest.fail(f"import_model crashed with {type(exc).__name__} instead of a CommandError")
    pytest.fail("a code longer than its database column was accepted")


# --- Valid files -----------------------------------------------------------------------------


def test_it_imports_a_valid_new_version(bootstrapped, tmp_path, capsys):
    path = _write(tmp_path, _new_version())
    call_command("import_model", str(path))
    assert "model version 2099: imported" in capsys.readouterr().out
    version = ModelVersion.objects.get(code="2099")
    assert version.year == 2099
    assert set(ModelVersion.objects.values_list("code", flat=True)) == {"2017", "2099"}
    assert version.dimensions.count() == 6
    assert version.elements.count() == 26
    assert version.indicators.count() == 22
    assert version.rules.count() == 5
    # The new version's indicators hang off the new version's dimensions, not 2017's.
    assert set(Indicator.objects.filter(version=version)
               .values_list("dimension__version__code", flat=True)) == {"2099"}
    assert AuditEntry.objects.filter(action="model.import", object_id=str(version.pk)).exists()


def test_it_lists_the_new_version_among_the_known_ones(bootstrapped, tmp_path):
    call_command("import_model", str(_write(tmp_path, _new_version())))
    with pytest.raises(CommandError) as excinfo:
        call_command("export_model", "--version", "1999", "-o", str(tmp_path / "out.json"))
    assert "2099" in str(excinfo.value)
    assert "2017" in str(excinfo.value)


def test_it_treats_importing_the_same_file_twice_as_a_no_op(bootstrapped, tmp_path, capsys):
    path = _write(tmp_path, _new_version())
    call_command("import_model", str(path))
    after_first = _counts()
    capsys.readouterr()
    call_command("import_model", str(path))
    assert "already present, unchanged" in capsys.readouterr().out
    assert _counts() == after_first


def test_it_treats_the_shipped_2017_file_as_already_present(bootstrapped, capsys):
    operator_user()  # the account commands act as, made by the first command run
    before = _counts()
    call_command("import_model", str(MODEL_2017_FILE))
    assert "model version 2017: already present" in capsys.readouterr().out
    assert _counts() == before


def test_it_refuses_a_different_file_under_the_code_of_a_frozen_version(bootstrapped, tmp_path):
    CycleFactory(year=2017)  # a cycle uses 2017: it is frozen
    operator_user()
    document = _model_2017()
    _indicator(document, "I52")["normalisation"]["upper"] = 40
    before = _counts()
    stored = ModelVersion.objects.get(code="2017").source
    with pytest.raises(CommandError, match="Index model 2017 is used by the reporting cycle of "
                                           "2017 and can no longer change"):
        call_command("import_model", str(_write(tmp_path, document)))
    assert _counts() == before
    assert ModelVersion.objects.get(code="2017").source == stored
    assert Indicator.objects.get(version__code="2017", code="I52").upper == 50


def test_it_replaces_a_draft_by_a_different_file_under_its_code(bootstrapped, tmp_path, capsys):
    path = _write(tmp_path, _new_version())
    call_command("import_model", str(path))
    document = _new_version()
    _indicator(document, "I52")["normalisation"]["upper"] = 40
    call_command("import_model", str(_write(tmp_path, document, "changed.json")))
    assert "model version 2099: updated" in capsys.readouterr().out
    version = ModelVersion.objects.get(code="2099")
    assert Indicator.objects.get(version=version, code="I52").upper == 40
    assert version.indicators.count() == 22  # replaced, not added to
    entry = AuditEntry.objects.filter(action="model.update").get()
    assert entry.data["how"] == "import"

"""No formula in any workbook or CSV the platform writes (issue 16, point 1).

An officer's note ``=HYPERLINK("http://x","y")`` was written into ``template.xlsx`` as a live
formula. Each writer is fed hostile text where people's text stands (a note, a user name, a
region's or a dimension's name) and its file is opened: with openpyxl for a workbook (no cell
of type formula, no text cell that starts like one), with the csv module for a CSV (no field
that starts like one). The hostile text must be there, escaped, so that a writer that drops
the text cannot pass."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audit.services import log_action
from common.exports import FORMULA_PREFIXES, escape_formula, render_table, unescape_formula
from indicators.models import Dimension, Region
from scoring import statistics
from submissions.models import Version
from submissions.services.versions import (
    EditedValue,
    version_create_from_edit,
    version_create_from_upload,
)
from submissions.template import TemplateRow, build_template
from tests.factories import UserFactory, verified_login
from tests.public.conftest import empty_cycle, load, score_and_publish
from tests.submissions.helpers import valid_values

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def xlsx_cells(content: bytes) -> list[Any]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula_in_xlsx(content: bytes, expected: list[str]) -> None:
    cells = xlsx_cells(content)
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert not formulas, formulas
    live = [(c.coordinate, c.value) for c in cells
            if isinstance(c.value, str) and c.value.startswith(FORMULA_PREFIXES)]
    assert not live, live
    # A carriage return may come back as a line feed (XML's line-end normalisation).
    texts = "\n".join(str(c.value) for c in cells if isinstance(c.value, str))
    for text in expected:
        escaped = escape_formula(text)
        assert escaped in texts or escaped.replace("\r", "\n") in texts, \
            f"{text!r} is missing from the workbook"


# A number in a CSV is text too: "-1.50" is a number to a spreadsheet, not a formula.
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_fields(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [field for row in csv.reader(io.StringIO(text, newline="")) for field in row]


def assert_no_formula_in_csv(content: bytes, expected: list[str]) -> None:
    fields = csv_fields(content)
    live = [f for f in fields if f.startswith(FORMULA_PREFIXES) and not NUMBER.fullmatch(f)]
    assert not live, live
    # The text stands escaped as a field of its own, or inside a longer one (a title naming
    # the dimension), which the check above found not to start like a formula.
    for text in expected:
        assert any(escape_formula(text) in f or text in f for f in fields), \
            f"{text!r} is missing from the CSV"


# --- the escaping itself ---------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_it_escapes_every_formula_prefix_and_undoes_it(text):
    escaped = escape_formula(text)
    assert escaped == "'" + text
    assert unescape_formula(escaped) == text


def test_it_leaves_numbers_and_plain_text_alone():
    assert escape_formula(-5) == -5 and escape_formula(Decimal("-1.5")) == Decimal("-1.5")
    assert escape_formula("北京") == "北京"
    assert unescape_formula("'北京") == "'北京"  # an apostrophe of the officer's own stays


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_table_writers_escape_headers_as_well_as_cells(fmt):
    columns = ["code", HOSTILE[0]]
    rows = [{"code": text, HOSTILE[0]: Decimal("-1.50")} for text in HOSTILE]
    content = render_table(fmt, columns, rows)
    check = assert_no_formula_in_csv if fmt == "csv" else assert_no_formula_in_xlsx
    check(content, HOSTILE)


# --- the template ----------------------------------------------------------------------------


def test_the_template_writes_every_text_as_text():
    rows = [TemplateRow(code=f"E{i:03d}", name_zh=text, name_en=text, unit=text, kind="number",
                        minimum=None, minimum_exclusive=False, maximum=None, max_level=None,
                        range_note=text, last_value=Decimal("-3"), value=Decimal("-1.5"),
                        note=text)
            for i, text in enumerate(HOSTILE)]
    content = build_template(region_code="110000", region_name=HOSTILE[2], cycle_year=2017,
                             model_version=HOSTILE[1], rows=rows,
                             generated_at=datetime(2018, 1, 2, 3, 4, 5))
    assert_no_formula_in_xlsx(content, HOSTILE)
    values = [c.value for c in xlsx_cells(content) if isinstance(c.value, (int, float))]
    assert -1.5 in values and -3 in values  # numbers stay numbers


def test_the_downloaded_template_escapes_the_officers_notes(bj_client, bj_submission,
                                                            officer_bj):
    codes = list(valid_values())
    notes = dict(zip(codes, HOSTILE, strict=False))
    version_create_from_edit(submission=bj_submission, actor=officer_bj, values={
        code: EditedValue(value=value, raw=str(value), note=notes.get(code, ""))
        for code, value in valid_values().items()})
    assert Version.objects.filter(submission=bj_submission).exists()
    response = bj_client.get(reverse("submissions:template", args=[bj_submission.pk]))
    assert response.status_code == 200
    assert_no_formula_in_xlsx(response.content, HOSTILE)


# --- staff downloads -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_queue_export_escapes_region_names(reviewer_client, bj_submission, fmt):
    Region.objects.filter(pk=bj_submission.region_id).update(short_name_zh=HOSTILE[1])
    response = reviewer_client.get(reverse("submissions:queue"), {"_export": fmt})
    check = assert_no_formula_in_csv if fmt == "csv" else assert_no_formula_in_xlsx
    check(response.content, [HOSTILE[1]])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_audit_export_escapes_names_and_actions(auditor_client, bootstrapped, fmt):
    actor = UserFactory(username="=cmd|' /C calc'!A0", full_name="=1+1")
    # region_code is a six-character column (PostgreSQL enforces it): a six-character formula.
    log_action(actor=actor, action="=HYPERLINK(\"http://x\",\"y\")", region_code="@A1+B1",
               cycle_year=2017, data={"note": "=1+1"})
    response = auditor_client.get(reverse("audit:log"), {"_export": fmt})
    check = assert_no_formula_in_csv if fmt == "csv" else assert_no_formula_in_xlsx
    check(response.content, ['=HYPERLINK("http://x","y")', "@A1+B1"])


# --- rankings, the statistical audit, what-if and the national targets ------------------------


@pytest.fixture
def hostile_run(bootstrapped):
    """2017 published with 北京 and the first dimension named by an attacker."""
    admin = UserFactory(username="admin-x", is_staff=True, role_names=["administrator"])
    # The short name (what the rankings show) has room for 20 characters.
    Region.objects.filter(code="110000").update(name_zh=HOSTILE[0], short_name_zh=HOSTILE[1],
                                                name_en=HOSTILE[0])
    Dimension.objects.filter(code="D1").update(name_zh=HOSTILE[2], name_en=HOSTILE[2])
    codes = list(Region.objects.order_by("order").values_list("code", flat=True))
    empty_cycle(2016, admin)
    return score_and_publish(load(2017, codes, admin), admin), admin


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_public_downloads_escape_region_and_dimension_names(client, hostile_run, fmt):
    for table in ("overall", "D1"):
        response = client.get(f"/rankings/2017/{table}.{fmt}")
        assert response.status_code == 200
        check = assert_no_formula_in_csv if fmt == "csv" else assert_no_formula_in_xlsx
        check(response.content, [HOSTILE[1], HOSTILE[2]])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_staff_ranking_download_and_export_rankings_escape_names(
        hostile_run, tmp_path: Path, fmt):
    run, admin = hostile_run
    client = verified_login(Client(), admin)
    response = client.get(reverse("scoring:download", args=[run.pk, fmt]))
    check = assert_no_formula_in_csv if fmt == "csv" else assert_no_formula_in_xlsx
    check(response.content, [HOSTILE[1]])
    out = tmp_path / f"ranking.{fmt}"
    call_command("export_rankings", "--cycle", "2017", "--format", fmt, "-o", str(out),
                 stdout=io.StringIO())
    check(out.read_bytes(), [HOSTILE[1]])


def test_the_statistical_audit_workbook_escapes_names(hostile_run, tmp_path: Path):
    run, _admin = hostile_run
    out = tmp_path / "audit.xlsx"
    call_command("audit_index", "--run", str(run.pk), "--format", "xlsx", "-o", str(out),
                 stdout=io.StringIO())
    assert_no_formula_in_xlsx(out.read_bytes(), [HOSTILE[1]])
    report = {"indicators": {}, "correlations": {"pearson": {}, "spearman": {}},
              "cronbach_alpha": {"D1": 0.5}, "pca": {}, "uncertainty": {},
              "sensitivity": {HOSTILE[3]: 0.1}}
    content = statistics.audit_workbook(report, {"D1": HOSTILE[4]}, {})
    assert_no_formula_in_xlsx(content, [HOSTILE[3], HOSTILE[4]])


def test_the_whatif_csv_escapes_region_names(hostile_run, tmp_path: Path):
    scenario = tmp_path / "scenario.json"
    scenario.write_text('{"aggregation": "geometric"}', encoding="utf-8")
    out = tmp_path / "whatif.csv"
    call_command("whatif", "--cycle", "2017", "--scenario", str(scenario), "--format", "csv",
                 "-o", str(out), stdout=io.StringIO())
    lines = out.read_bytes().split(b"\r\n", 1)[1]  # after the watermark line
    assert_no_formula_in_csv(lines, [HOSTILE[1]])


def test_export_targets_escapes_names(bootstrapped, tmp_path: Path, monkeypatch):
    from national.management.commands import export_targets

    document = [{"code": "T1", "name": HOSTILE[0], "unit": HOSTILE[4], "group": HOSTILE[5],
                 "target": {"comparator": ">=", "value": 90.0, "year": 2020},
                 "values": {"2017": {"value": -1.5, "qualifier": HOSTILE[6]}},
                 "met": {"2017": True}, "growth": {}, "provincial": {}}]
    monkeypatch.setattr(export_targets, "targets_document", lambda: document)
    out = tmp_path / "targets.csv"
    call_command("export_targets", "--format", "csv", "-o", str(out), stdout=io.StringIO())
    assert_no_formula_in_csv(out.read_bytes(), [HOSTILE[0], HOSTILE[4], HOSTILE[5]])


def test_a_note_escaped_in_the_template_comes_back_as_written(bj_client, bj_submission,
                                                              officer_bj,
                                                              django_capture_on_commit_callbacks):
    values = valid_values()
    version_create_from_edit(submission=bj_submission, actor=officer_bj, values={
        code: EditedValue(value=value, raw=str(value), note="=1+1" if code == "P01" else "")
        for code, value in values.items()})
    template = bj_client.get(reverse("submissions:template", args=[bj_submission.pk])).content
    with django_capture_on_commit_callbacks(execute=True):
        version_create_from_upload(submission=bj_submission, content=template,
                                   filename="template.xlsx", actor=officer_bj)
    latest = Version.objects.filter(submission=bj_submission).order_by("-number").first()
    assert latest is not None and latest.number == 2 and latest.is_validated
    assert latest.values.get(element__code="P01").note == "=1+1"

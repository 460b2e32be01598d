"""`import_values`: a bulk file through the same validation, all or nothing."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from audit.models import AuditEntry
from indicators.models import DataElement
from submissions import rules, value_writer
from submissions.models import Cycle, Submission, UploadedFile, Value, Version
from tests.factories import CycleFactory
from tests.submissions.helpers import bulk_csv, bulk_rows, valid_values


def _write(tmp_path, content: bytes, name: str = "bulk.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_it_creates_the_cycle_and_one_approved_version_per_region(bootstrapped, tmp_path,
                                                                  capsys):
    path = _write(tmp_path, bulk_csv(bulk_rows(["110000", "310000", "440000"])))
    call_command("import_values", str(path), "--cycle", "2017", "--approve")
    out = capsys.readouterr().out
    assert "created cycle 2017" in out and "3 region(s) stored and approved" in out
    cycle = Cycle.objects.get(year=2017)
    assert cycle.model_version.code == "2017"
    approved = Submission.objects.filter(cycle=cycle, state=Submission.State.APPROVED)
    assert sorted(approved.values_list("region__code", flat=True)) == ["110000", "310000",
                                                                        "440000"]
    for submission in approved:
        version = submission.current_version
        assert version.source == Version.Source.BULK and version.values.count() == 26
        transition = submission.transitions.get(action="bulk_approve")
        assert transition.actor.username == "operator" and transition.from_state == "draft"
    assert AuditEntry.objects.filter(action="version.bulk_import").count() == 3
    # the other regions have their (empty) submissions, untouched
    assert Submission.objects.filter(cycle=cycle, state=Submission.State.DRAFT).count() == 29


def test_it_stores_nothing_when_any_row_has_an_error(bootstrapped, tmp_path, capsys):
    rows = bulk_rows(["110000", "310000"])
    rows[3] = ("110000", rows[3][1], "１２x", "")                  # not a number
    rows.append(("999999", "P01", "1", ""))                         # unknown region
    rows.append(("310000", "E999", "1", ""))                        # unknown element
    path = _write(tmp_path, bulk_csv(rows))
    with pytest.raises(CommandError, match="3 error"):
        call_command("import_values", str(path), "--cycle", "2017", "--approve")
    err = capsys.readouterr().err
    assert "NOT_A_NUMBER" in err and "row 5" in err and "column C" in err
    assert "UNKNOWN_REGION" in err and "UNKNOWN_ELEMENT" in err
    assert not Cycle.objects.exists() and not Version.objects.exists()


def test_it_accepts_region_names_and_chinese_headers(bootstrapped, tmp_path):
    rows = [("北京", code, value, "") for code, value in valid_values("110000").items()]
    rows += [("Shanghai", code, value, "") for code, value in valid_values("310000").items()]
    path = _write(tmp_path, bulk_csv(rows, header=("地区代码", "代码", "数值", "备注")))
    call_command("import_values", str(path), "--cycle", "2017")
    assert Version.objects.count() == 2
    # without --approve the versions are validated drafts
    assert set(Submission.objects.exclude(current_version=None)
               .values_list("state", flat=True)) == {"draft"}


def test_it_refuses_a_row_of_another_year(bootstrapped, tmp_path, capsys):
    rows = [("110000", code, value, "", "2016") for code, value in valid_values().items()]
    path = _write(tmp_path, bulk_csv(rows, header=("region_code", "element_code", "value",
                                                   "note", "year")))
    with pytest.raises(CommandError):
        call_command("import_values", str(path), "--cycle", "2017")
    assert "YEAR_MISMATCH" in capsys.readouterr().err
    assert not Version.objects.exists()


def test_it_stores_warnings_and_counts_notes_as_explanations(bootstrapped, tmp_path, capsys):
    CycleFactory(year=2016)  # bound to the 2017 model: there is no model of 2016
    call_command("import_values", str(_write(tmp_path, bulk_csv(bulk_rows(["110000"])), "a.csv")),
                 "--cycle", "2016", "--approve")
    values = valid_values()
    rows = [("110000", c, v, "") for c, v in values.items()]
    rows = [(r, c, v / 2 if c in ("E201", "E202") else v, "口径调整" if c == "E201" else n)
            for r, c, v, n in rows]
    call_command("import_values", str(_write(tmp_path, bulk_csv(rows), "b.csv")),
                 "--cycle", "2017")
    out = capsys.readouterr().out
    assert out.count("YOY_CHANGE") == 2
    version = Submission.objects.get(cycle__year=2017, region__code="110000").current_version
    assert version.warning_count == 2 and version.unexplained_warning_count == 1
    assert sorted(version.issues.values_list("element_code", flat=True)) == ["E201", "E202"]


def test_it_refuses_to_overwrite_an_approved_submission(bootstrapped, tmp_path):
    path = _write(tmp_path, bulk_csv(bulk_rows(["110000"])))
    call_command("import_values", str(path), "--cycle", "2017", "--approve")
    with pytest.raises(CommandError, match="审核通过"):
        call_command("import_values", str(path), "--cycle", "2017", "--approve")
    assert Version.objects.count() == 1


def test_it_names_a_missing_file(bootstrapped, tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_values", str(tmp_path / "nope.csv"), "--cycle", "2017")


def test_it_reports_a_broken_file_without_storing(bootstrapped, tmp_path, capsys):
    path = _write(tmp_path, b"PK\x03\x04broken", "bulk.xlsx")
    with pytest.raises(CommandError):
        call_command("import_values", str(path), "--cycle", "2017")
    assert "FILE_CORRUPT" in capsys.readouterr().err
    assert not Cycle.objects.exists()


def test_it_needs_a_model_for_a_new_cycle(bootstrapped, tmp_path, capsys):
    path = _write(tmp_path, bulk_csv(bulk_rows(["110000"])))
    with pytest.raises(CommandError):
        call_command("import_values", str(path), "--cycle", "2016")
    assert "NO_MODEL" in capsys.readouterr().err


# --- values written while the file is parsed (submissions/value_writer.py) -------------------


@pytest.fixture
def small_batches(monkeypatch):
    """A COPY batch of a few values, so that a load of a few regions spans many batches,
    each checked on its own (on PostgreSQL) while the next regions are parsed."""
    monkeypatch.setattr(value_writer, "BATCH_ROWS", 7)


REGIONS = ["110000", "120000", "130000", "310000", "440000", "650000"]


def test_it_stores_every_value_of_a_load_in_many_batches(bootstrapped, tmp_path,
                                                         small_batches):
    rows = bulk_rows(REGIONS)
    call_command("import_values", str(_write(tmp_path, bulk_csv(rows))), "--cycle", "2017")
    stored = set(Value.objects.values_list("version__submission__region__code",
                                           "element__code", "raw"))
    assert stored == {(region, code, str(value)) for region, code, value, _note in rows}


def test_an_error_in_the_last_region_leaves_nothing_of_the_others(bootstrapped, tmp_path,
                                                                  small_batches):
    rows = bulk_rows(REGIONS)
    rows[-1] = (rows[-1][0], rows[-1][1], "abc", "")  # the last row of the file
    content = bulk_csv(rows)
    path = _write(tmp_path, content)
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_values", str(path), "--cycle", "2017", "--approve")
    assert not Cycle.objects.exists() and not Version.objects.exists()
    assert not Value.objects.exists() and not UploadedFile.objects.exists()
    assert not AuditEntry.objects.filter(action="version.bulk_import").exists()
    # and the file's bytes were never written
    digest = hashlib.sha256(content).hexdigest()
    assert not default_storage.exists(f"uploads/{digest[:2]}/{digest}")


def test_an_error_found_by_the_rules_after_the_values_leaves_nothing(bootstrapped, tmp_path,
                                                                    small_batches):
    rows = [row for row in bulk_rows(REGIONS) if not (row[0] == "650000" and row[1] == "P01")]
    with pytest.raises(CommandError):  # 新疆 misses a value: a completeness error
        call_command("import_values", str(_write(tmp_path, bulk_csv(rows))), "--cycle", "2017")
    assert not Version.objects.exists() and not Value.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the threaded COPY writer exists on PostgreSQL only; elsewhere the "
                           "values are one bulk_create, checked by the tests above")
@pytest.mark.django_db(transaction=True)
def test_a_database_error_in_the_writer_reaches_the_caller(bootstrapped, small_batches):
    cell = rules.Cell("P01", Decimal(1), "1", "", rules.Position("", 2, "C"), False)
    element_ids = {"P01": DataElement.objects.filter(code="P01").values_list("pk")[0][0]}
    with pytest.raises(IntegrityError, match="version"), transaction.atomic(), \
            value_writer.value_writer(element_ids) as writer:
        for version_id in range(987654321, 987654341):
            writer.write(version_id, {"P01": cell})  # no such version
    assert not Value.objects.exists()


def test_it_refuses_a_file_above_the_bulk_limit_before_reading_it(bootstrapped, tmp_path,
                                                                   settings):
    settings.BULK_MAX_BYTES = 1024
    path = _write(tmp_path, bulk_csv(bulk_rows(["110000", "310000"])))
    size = f"{round(path.stat().st_size / 1024, 1):g} KB"
    with translation.override("zh-hans"), pytest.raises(CommandError) as caught:
        call_command("import_values", str(path), "--cycle", "2017")
    assert str(caught.value) == f"文件大小 {size} 超过上限 1 KB"
    assert not Cycle.objects.exists()


# --- issue 15: a closed cycle, a late load with its reason, a dry run --------------------


def _counts() -> dict[str, int]:
    """The rows of every table of the apps (the operator account made first: its creation is
    audited, and is not the import's)."""
    from django.apps import apps

    from accounts.selectors import operator_user

    operator_user(None)

    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label in {"submissions", "audit", "scoring", "indicators"}}


def test_it_refuses_a_closed_cycle_unless_late_with_a_reason(bootstrapped, tmp_path, capsys):
    CycleFactory(state=Cycle.State.CLOSED)
    path = _write(tmp_path, bulk_csv(bulk_rows(["110000"])))
    before = _counts()
    with pytest.raises(CommandError) as caught:
        call_command("import_values", str(path), "--cycle", "2017")
    assert "已截止" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        call_command("import_values", str(path), "--cycle", "2017", "--late")
    assert "--reason" in str(caught.value)
    assert _counts() == before
    call_command("import_values", str(path), "--cycle", "2017", "--late", "--reason",
                 "统计局更正后补录")
    entry = AuditEntry.objects.get(action="version.bulk_import")
    assert entry.data["late"] is True and entry.data["late_reason"] == "统计局更正后补录"
    assert Version.objects.count() == 1


def test_it_still_creates_an_open_cycle_for_a_year_without_one(bootstrapped, tmp_path):
    call_command("import_values", str(_write(tmp_path, bulk_csv(bulk_rows(["110000"])))),
                 "--cycle", "2017")
    cycle = Cycle.objects.get(year=2017)
    assert cycle.state == Cycle.State.OPEN
    assert all(v.is_validated for v in Version.objects.all())


def test_a_dry_run_reports_the_same_and_stores_nothing(bootstrapped, tmp_path, capsys):
    CycleFactory(year=2016)
    call_command("import_values", str(_write(tmp_path, bulk_csv(bulk_rows(["110000"])), "a.csv")),
                 "--cycle", "2016", "--approve")
    rows = [(r, c, v / 2 if c in ("E201", "E202") else v, n)
            for r, c, v, n in bulk_rows(["110000", "310000"])]
    path = _write(tmp_path, bulk_csv(rows), "b.csv")
    capsys.readouterr()
    before = _counts()
    files = sorted(p.name for p in tmp_path.iterdir())
    call_command("import_values", str(path), "--cycle", "2017", "--approve", "--dry-run")
    dry = capsys.readouterr().out
    assert _counts() == before
    assert not Cycle.objects.filter(year=2017).exists()
    assert "dry run" in dry and "2 region(s) checked" in dry and "would create cycle 2017" in dry
    assert "nothing was stored" in dry
    assert sorted(p.name for p in tmp_path.iterdir()) == files
    call_command("import_values", str(path), "--cycle", "2017")
    real = capsys.readouterr().out
    warnings = [line for line in dry.splitlines() if line.startswith("warning:")]
    assert warnings and warnings == [line for line in real.splitlines()
                                     if line.startswith("warning:")]


def test_a_dry_run_lists_the_errors_and_exits_non_zero(bootstrapped, tmp_path, capsys):
    rows = [(r, c, "abc" if c == "E101" else v, n) for r, c, v, n in bulk_rows(["110000"])]
    before = _counts()
    with pytest.raises(CommandError):
        call_command("import_values", str(_write(tmp_path, bulk_csv(rows))), "--cycle",
                     "2017", "--dry-run")
    assert "E101" in capsys.readouterr().err
    assert _counts() == before


def test_it_refuses_to_replace_a_submitted_version_unless_it_approves(bootstrapped, tmp_path):
    from indicators.models import Region

    cycle = CycleFactory()
    submission = Submission.objects.get_or_create(
        cycle=cycle, region=Region.objects.get(code="110000"))[0]
    Submission.objects.filter(pk=submission.pk).update(state=Submission.State.AWAITING_REVIEW)
    path = _write(tmp_path, bulk_csv(bulk_rows(["110000"])))
    with pytest.raises(CommandError) as caught:
        call_command("import_values", str(path), "--cycle", "2017")
    assert "正在审核" in str(caught.value)
    assert not Version.objects.exists()
    call_command("import_values", str(path), "--cycle", "2017", "--approve")
    submission.refresh_from_db()
    assert submission.state == Submission.State.APPROVED
    assert submission.approved_version_id == submission.current_version_id


def test_a_load_over_earlier_values_records_each_change_old_and_new(bootstrapped, tmp_path):
    """The audit log's old → new for a bulk load (issue 15, point 9), as for an upload: the
    first load of a region has no earlier values (its file, by SHA-256, is the record)."""
    rows = bulk_rows(["110000", "310000"])
    call_command("import_values", str(_write(tmp_path, bulk_csv(rows), "a.csv")),
                 "--cycle", "2017")
    first = AuditEntry.objects.filter(action="version.bulk_import")
    assert [entry.data.get("changes") for entry in first] == [None, None]

    code = rows[0][1]
    changed = [(region, element, "4321.5" if (region, element) == ("110000", code) else value,
                "人口普查修订" if (region, element) == ("110000", code) else note)
               for region, element, value, note in rows]
    call_command("import_values", str(_write(tmp_path, bulk_csv(changed), "b.csv")),
                 "--cycle", "2017")
    second = {entry.region_code: entry.data
              for entry in AuditEntry.objects.filter(action="version.bulk_import")
              .order_by("-sequence")[:2]}
    assert second["310000"]["changes"] == []  # the same values again: nothing changed
    [change] = second["110000"]["changes"]
    element = DataElement.objects.filter(code=code).first()
    assert change == {"code": code, "old": str(Decimal(str(rows[0][2]))), "new": "4321.5",
                      "old_note": rows[0][3], "new_note": "人口普查修订",
                      "name_zh": element.name_zh, "name_en": element.name_en}

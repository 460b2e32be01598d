"""An officer's upload: stored as received, a new version, validated after commit."""

from __future__ import annotations

import hashlib

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from common.errors import ApplicationError
from submissions.models import Submission, ValidationIssue, Version
from submissions.services import progress, validation
from submissions.services.files import file_check_size
from submissions.services.versions import version_create_from_upload
from tests.factories import CycleFactory
from tests.submissions.helpers import template_csv, valid_values


@pytest.fixture
def submission(officer_bj):
    cycle = CycleFactory()
    return Submission.objects.get_or_create(cycle=cycle, region=officer_bj.region)[0]


def _upload(submission, officer, content: bytes, django_capture_on_commit_callbacks,
            name: str = "北京.csv") -> Version:
    with django_capture_on_commit_callbacks(execute=True):
        version = version_create_from_upload(submission=submission, content=content,
                                             filename=name, actor=officer)
    version.refresh_from_db()
    return version


def test_it_stores_the_file_as_received_and_validates_it(
        submission, officer_bj, django_capture_on_commit_callbacks):
    content = template_csv(valid_values())
    version = _upload(submission, officer_bj, content, django_capture_on_commit_callbacks)
    assert version.number == 1 and version.source == Version.Source.UPLOAD
    assert version.file.sha256 == hashlib.sha256(content).hexdigest()
    assert version.file.size == len(content) and version.file.uploaded_by == officer_bj
    with version.file.file.open("rb") as handle:
        assert handle.read() == content
    assert version.validation == Version.Validation.VALID
    assert version.values.count() == 26 and version.error_count == 0
    submission.refresh_from_db()
    assert submission.current_version == version
    assert submission.state == Submission.State.DRAFT
    assert AuditEntry.objects.filter(action="version.upload", object_id=str(version.pk)).exists()


def test_it_reports_problems_at_their_cells(
        submission, officer_bj, django_capture_on_commit_callbacks):
    values = valid_values()
    values["E101"] = values["P01"] * 2
    values["E601"] = "５"
    version = _upload(submission, officer_bj, template_csv(values),
                      django_capture_on_commit_callbacks)
    assert version.validation == Version.Validation.INVALID
    issues = {(i.rule_code, i.element_code): i for i in version.issues.all()}
    assert set(issues) == {("E101_LE_P01", "E101"), ("NOT_ORDINAL", "E601")}
    ordinal = issues[("NOT_ORDINAL", "E601")]
    assert (ordinal.row, ordinal.column) == (list(values).index("E601") + 2, "C")


def test_it_keeps_the_current_data_when_a_file_cannot_be_read(
        submission, officer_bj, django_capture_on_commit_callbacks):
    good = _upload(submission, officer_bj, template_csv(valid_values()),
                   django_capture_on_commit_callbacks)
    broken = _upload(submission, officer_bj, b"MZ\x90\x00" + b"\x00" * 200,
                     django_capture_on_commit_callbacks, name="table.xlsx")
    assert broken.validation == Version.Validation.REJECTED
    assert broken.values.count() == 0
    assert broken.issues.get().rule_code == "FILE_NOT_SPREADSHEET"
    submission.refresh_from_db()
    assert submission.current_version == good


def test_it_refuses_an_empty_file_before_storing_anything(submission, officer_bj):
    with pytest.raises(ApplicationError) as caught:
        version_create_from_upload(submission=submission, content=b"", filename="x.csv",
                                   actor=officer_bj)
    assert caught.value.code == "FILE_EMPTY"
    assert not Version.objects.exists()


@override_settings(UPLOAD_MAX_BYTES=2048)
def test_it_refuses_a_file_above_the_size_limit(submission, officer_bj):
    with pytest.raises(ApplicationError) as caught:
        version_create_from_upload(submission=submission, content=b"x" * 4096,
                                   filename="x.csv", actor=officer_bj)
    assert "2 KB" in caught.value.message
    assert not Version.objects.exists()


def test_it_refuses_an_upload_to_an_approved_submission(submission, officer_bj):
    Submission.objects.filter(pk=submission.pk).update(state=Submission.State.APPROVED)
    submission.refresh_from_db()
    with pytest.raises(ApplicationError) as caught:
        version_create_from_upload(submission=submission, content=template_csv(valid_values()),
                                   filename="x.csv", actor=officer_bj)
    assert caught.value.code == "NOT_EDITABLE"
    assert not Version.objects.exists()


def test_it_starts_a_returned_submission_again_at_draft(
        submission, officer_bj, django_capture_on_commit_callbacks):
    Submission.objects.filter(pk=submission.pk).update(state=Submission.State.RETURNED)
    submission.refresh_from_db()
    _upload(submission, officer_bj, template_csv(valid_values()),
            django_capture_on_commit_callbacks)
    submission.refresh_from_db()
    assert submission.state == Submission.State.DRAFT
    transition = submission.transitions.get()
    assert (transition.from_state, transition.to_state) == ("returned", "draft")


def test_it_writes_progress_that_a_request_can_read(
        submission, officer_bj, django_capture_on_commit_callbacks):
    version = _upload(submission, officer_bj, template_csv(valid_values()),
                      django_capture_on_commit_callbacks)
    assert progress.progress_get(version_id=version.pk) == {"percent": 100, "stage": "done"}


def test_it_validates_a_redelivered_task_only_once(
        submission, officer_bj, django_capture_on_commit_callbacks):
    values = valid_values()
    values["E102"] = 120
    version = _upload(submission, officer_bj, template_csv(values),
                      django_capture_on_commit_callbacks)
    validation.version_validate(version_id=version.pk)  # the same task delivered again
    assert version.issues.count() == 1
    assert version.values.count() == 26


def test_it_refuses_the_template_of_another_region_in_both_languages(
        sh_client, sh_submission, bj_submission, officer_bj,
        django_capture_on_commit_callbacks):
    template = sh_client.get(reverse("submissions:template", args=[sh_submission.pk])).content
    with django_capture_on_commit_callbacks(execute=True):
        version = version_create_from_upload(submission=bj_submission, content=template,
                                             filename="template.xlsx", actor=officer_bj)
    issue = version.issues.get(rule_code="TEMPLATE_OTHER_REGION")
    assert issue.severity == ValidationIssue.Severity.ERROR
    assert issue.message_zh == "此模板属于 上海（310000），不能上传到 北京（110000）"
    assert issue.message_en == ("This template belongs to Shanghai (310000) and cannot be "
                                "uploaded to Beijing (110000)")
    # Refused whole: kept (with its file) as a rejected upload, never the current version.
    version.refresh_from_db()
    bj_submission.refresh_from_db()
    assert version.validation == Version.Validation.REJECTED
    assert version.file is not None and not version.values.exists()
    assert bj_submission.current_version_id != version.pk


@pytest.mark.parametrize(("size", "limit", "message"), [
    (1536, 1024, "文件大小 1.5 KB 超过上限 1 KB"),
    (15 * 2**20, 10 * 2**20, "文件大小 15 MB 超过上限 10 MB"),
    (1000, 500, "文件大小 1000 B 超过上限 500 B"),
])
def test_it_gives_sizes_with_one_decimal_at_most(size, limit, message):
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as caught:
        file_check_size(size=size, limit=limit)
    assert (caught.value.code, caught.value.message) == ("FILE_TOO_LARGE", message)


def test_it_refuses_the_template_of_another_year_whole(
        bj_client, bj_submission, officer_bj, django_capture_on_commit_callbacks):
    from tests.factories import CycleFactory

    older = Submission.objects.get_or_create(cycle=CycleFactory(year=2016),
                                             region=officer_bj.region)[0]
    template = bj_client.get(reverse("submissions:template", args=[older.pk])).content
    with django_capture_on_commit_callbacks(execute=True):
        version = version_create_from_upload(submission=bj_submission, content=template,
                                             filename="template.xlsx", actor=officer_bj)
    version.refresh_from_db()
    assert version.validation == Version.Validation.REJECTED
    issue = version.issues.get()
    assert issue.rule_code == "TEMPLATE_OTHER_YEAR"
    assert issue.message_zh == "此模板属于 2016 年度，不能上传到 2017 年度的填报"
    bj_submission.refresh_from_db()
    assert bj_submission.current_version_id != version.pk


def test_the_page_says_whose_template_it_is_in_words_in_both_languages(
        sh_client, sh_submission, bj_client, bj_submission, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    template = sh_client.get(reverse("submissions:template", args=[sh_submission.pk])).content
    with django_capture_on_commit_callbacks(execute=True):
        bj_client.post(reverse("submissions:upload", args=[bj_submission.pk]),
                       {"file": SimpleUploadedFile("template.xlsx", template)})
    detail = reverse("submissions:detail", args=[bj_submission.pk])
    page = bj_client.get(detail).content.decode()
    assert "此模板属于 上海（310000），不能上传到 北京（110000）" in page
    assert "[TEMPLATE_OTHER_REGION]" not in page
    english = bj_client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ("This template belongs to Shanghai (310000) and cannot be uploaded to Beijing"
            in english)

from __future__ import annotations

from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from submissions.models import Version
from tests.submissions.helpers import template_csv, valid_values


def _post(client, submission, content: bytes, name: str = "data.csv"):
    return client.post(reverse("submissions:upload", args=[submission.pk]),
                       {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_it_accepts_an_officers_upload_and_shows_the_result(
        bj_client, bj_submission, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(bj_client, bj_submission, template_csv(valid_values()))
    assert response.status_code == 200
    assert "正在校验" in response.content.decode()  # the worker runs after the request
    version = Version.objects.get(submission=bj_submission)
    assert version.validation == Version.Validation.VALID
    page = bj_client.get(reverse("submissions:detail", args=[bj_submission.pk]))
    assert "校验通过" in page.content.decode()


def test_it_answers_404_to_another_regions_officer(sh_client, bj_submission):
    response = _post(sh_client, bj_submission, template_csv(valid_values()))
    assert response.status_code == 404
    assert not Version.objects.exists()


def test_it_forbids_reviewers_and_auditors_to_upload(reviewer_client, auditor_client,
                                                     bj_submission):
    for client in (reviewer_client, auditor_client):
        assert _post(client, bj_submission, template_csv(valid_values())).status_code == 403
    assert not Version.objects.exists()


def test_it_sends_anonymous_visitors_to_the_login(anon_client, bj_submission):
    response = anon_client.post(reverse("submissions:upload", args=[bj_submission.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_says_an_empty_file_is_empty(bj_client, bj_submission):
    response = _post(bj_client, bj_submission, b"")
    # Django refuses an empty upload in the form already: nothing is stored either way.
    assert response.status_code == 200
    assert "文件为空" in response.content.decode()
    assert not Version.objects.exists()


def test_it_shows_an_unreadable_file_and_keeps_the_data(
        bj_client, bj_submission, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(bj_client, bj_submission, template_csv(valid_values()))
    with django_capture_on_commit_callbacks(execute=True):
        _post(bj_client, bj_submission, b"MZ" + b"\x00" * 100, name="x.xlsx")
    page = bj_client.get(reverse("submissions:detail", args=[bj_submission.pk])).content.decode()
    assert "最近上传的文件无法读取" in page
    bj_submission.refresh_from_db()
    assert bj_submission.current_version.number == 1


@override_settings(UPLOAD_MAX_BYTES=2048)
def test_it_refuses_a_file_above_the_limit_before_reading_it(bj_client, bj_submission):
    with mock.patch("django.core.files.uploadedfile.InMemoryUploadedFile.chunks") as chunks:
        response = _post(bj_client, bj_submission, b"x" * 4096)
    chunks.assert_not_called()
    assert "文件大小 4 KB 超过上限 2 KB" in response.content.decode()
    assert not Version.objects.exists()

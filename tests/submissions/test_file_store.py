"""The file store: content-addressed, written whole or not at all (issue 16, point 8).

Found with the file store full: an upload answered a bare 500 and left an 8,192-byte partial
file under the SHA-256 name of the whole file; when space came back, the same upload was
"stored" as that partial file and its version rejected as corrupt, for ever. Now the bytes go
to a temporary name outside the stored names, are checked (size, SHA-256) and renamed into
place; a failure removes the temporary file and answers 503 in the user's language."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.errors import ApplicationError
from submissions.models import UploadedFile, Version
from submissions.services import files
from submissions.services.versions import version_create_from_upload
from tests.submissions.helpers import template_csv, valid_values

PARTIAL = 8192


@pytest.fixture(autouse=True)
def _own_file_store(settings, tmp_path):
    """A file store of this test's own: it damages files on purpose."""
    settings.MEDIA_ROOT = tmp_path / "files"


def stored_path(content: bytes) -> Path:
    sha = hashlib.sha256(content).hexdigest()
    return Path(settings.MEDIA_ROOT) / "uploads" / sha[:2] / sha


def every_file() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def big_upload() -> bytes:
    """A valid upload larger than the partial write (its note column padded)."""
    values = valid_values()
    return template_csv(values, notes={code: "说明" * 200 for code in values})


@pytest.fixture
def disk_full_midway(monkeypatch):
    """The disk fills after the first 8,192 bytes of a file."""
    real = files._write_chunk

    def write(fd: int, chunk: bytes) -> int:
        written = os.lseek(fd, 0, os.SEEK_CUR)
        if written + len(chunk) > PARTIAL:
            real(fd, chunk[:max(0, PARTIAL - written)])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, chunk)

    monkeypatch.setattr(files, "_write_chunk", write)


def test_a_write_that_fails_midway_leaves_nothing_and_says_so(bj_submission, officer_bj,
                                                              big_upload, disk_full_midway):
    before = set(every_file())
    with pytest.raises(ApplicationError) as refused:
        version_create_from_upload(submission=bj_submission, content=big_upload,
                                   filename="d.csv", actor=officer_bj)
    assert refused.value.code == "STORAGE_UNAVAILABLE"
    assert set(every_file()) == before  # no partial file, under any name
    assert not stored_path(big_upload).exists()
    assert not Version.objects.exists() and not UploadedFile.objects.exists()


def test_the_upload_view_answers_503_in_the_users_language(bj_client, bj_submission,
                                                           big_upload, disk_full_midway):
    url = reverse("submissions:upload", args=[bj_submission.pk])
    response = bj_client.post(url, {"file": SimpleUploadedFile("d.csv", big_upload)})
    assert response.status_code == 503
    assert response["Retry-After"]
    assert str(files.STORAGE_UNAVAILABLE) in response.content.decode()
    english = bj_client.post(url, {"file": SimpleUploadedFile("d.csv", big_upload)},
                             HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 503
    assert "storage" in english.content.decode().lower()
    assert not Version.objects.exists()


def test_once_space_returns_the_same_file_is_stored_whole(
        bj_submission, officer_bj, big_upload, monkeypatch, django_capture_on_commit_callbacks):
    real = files._write_chunk

    def full(fd: int, chunk: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_write_chunk", full)
    with pytest.raises(ApplicationError):
        version_create_from_upload(submission=bj_submission, content=big_upload,
                                   filename="d.csv", actor=officer_bj)
    monkeypatch.setattr(files, "_write_chunk", real)
    with django_capture_on_commit_callbacks(execute=True):
        version = version_create_from_upload(submission=bj_submission, content=big_upload,
                                             filename="d.csv", actor=officer_bj)
    assert stored_path(big_upload).read_bytes() == big_upload
    version.refresh_from_db()
    assert version.validation == Version.Validation.VALID


def test_a_partial_file_left_by_the_old_code_is_not_taken_as_the_stored_file(
        bj_submission, officer_bj, big_upload, django_capture_on_commit_callbacks):
    path = stored_path(big_upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(big_upload[:PARTIAL])  # the old code's leftover, under the full name
    with django_capture_on_commit_callbacks(execute=True):
        version = version_create_from_upload(submission=bj_submission, content=big_upload,
                                             filename="d.csv", actor=officer_bj)
    assert path.read_bytes() == big_upload
    version.refresh_from_db()
    assert version.validation == Version.Validation.VALID


def test_a_second_upload_of_the_same_file_writes_nothing_new(bj_submission, officer_bj,
                                                             big_upload, monkeypatch):
    version_create_from_upload(submission=bj_submission, content=big_upload,
                               filename="a.csv", actor=officer_bj)
    stamp = stored_path(big_upload).stat().st_mtime_ns

    def no_write(fd: int, chunk: bytes) -> int:
        raise AssertionError("written again")

    monkeypatch.setattr(files, "_write_chunk", no_write)
    version_create_from_upload(submission=bj_submission, content=big_upload,
                               filename="b.csv", actor=officer_bj)
    assert stored_path(big_upload).stat().st_mtime_ns == stamp


def test_a_stored_file_that_no_longer_matches_its_name_is_not_rejected_as_the_officers(
        bj_submission, officer_bj, big_upload, django_capture_on_commit_callbacks):
    """Bytes changed on the disk after the upload: not the officer's file, so not a
    "file cannot be read" verdict on their version; the validation fails and is retried."""
    version = version_create_from_upload(submission=bj_submission, content=big_upload,
                                         filename="d.csv", actor=officer_bj)
    stored_path(big_upload).write_bytes(big_upload[:PARTIAL])
    from submissions.services.validation import version_validate

    with pytest.raises(files.StoredFileCorrupt):
        version_validate(version_id=version.pk)
    version.refresh_from_db()
    assert not version.is_validated

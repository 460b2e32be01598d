"""`check_files`: every stored file whose bytes do not match its SHA-256 name, exit non-zero
when there is any (issue 16, point 8)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from submissions.services.versions import version_create_from_upload
from tests.submissions.helpers import template_csv, valid_values


@pytest.fixture(autouse=True)
def _own_file_store(settings, tmp_path):
    """A file store of this test's own: it damages files on purpose."""
    settings.MEDIA_ROOT = tmp_path / "files"


def _path(content: bytes) -> Path:
    sha = hashlib.sha256(content).hexdigest()
    return Path(settings.MEDIA_ROOT) / "uploads" / sha[:2] / sha


def _check() -> str:
    out = io.StringIO()
    call_command("check_files", stdout=out)
    return out.getvalue()


def test_it_passes_when_every_file_matches_its_name(bj_submission, officer_bj):
    version_create_from_upload(submission=bj_submission, content=template_csv(valid_values()),
                               filename="d.csv", actor=officer_bj)
    assert "0 problems" in _check()


def test_it_names_a_partial_file_and_exits_non_zero(bj_submission, officer_bj):
    content = template_csv(valid_values())
    version_create_from_upload(submission=bj_submission, content=content, filename="d.csv",
                               actor=officer_bj)
    _path(content).write_bytes(content[:100])
    with pytest.raises(CommandError) as failed:
        _check()
    assert "1 stored file" in str(failed.value)


def test_it_reports_every_bad_file_with_its_path_and_the_versions_that_use_it(
        bj_submission, officer_bj, capsys):
    contents = [template_csv(valid_values(), notes={"P01": str(i)}) for i in range(3)]
    for content in contents:
        version_create_from_upload(submission=bj_submission, content=content,
                                   filename="d.csv", actor=officer_bj)
    _path(contents[0]).write_bytes(b"")
    _path(contents[2]).unlink()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_files", stdout=out)
    report = out.getvalue()
    assert hashlib.sha256(contents[0]).hexdigest() in report
    assert hashlib.sha256(contents[2]).hexdigest() in report
    assert hashlib.sha256(contents[1]).hexdigest() not in report
    assert "v1" in report and "v3" in report

"""Two uploads for one region at the same moment both end as versions, in a defined order."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from submissions.models import Submission, Version
from submissions.services.versions import version_create_from_upload
from tests.factories import CycleFactory
from tests.submissions.helpers import template_csv, valid_values


@pytest.mark.django_db(transaction=True)
def test_it_keeps_both_of_two_simultaneous_uploads(officer_bj):
    submission = Submission.objects.get_or_create(cycle=CycleFactory(),
                                                  region=officer_bj.region)[0]
    contents = []
    for delta in (1, 2):
        values = valid_values()
        values["E102"] = values["E102"] - delta
        contents.append(template_csv(values))
    barrier = threading.Barrier(2)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def upload(content: bytes) -> None:
        try:
            barrier.wait()
            version = version_create_from_upload(submission=submission, content=content,
                                                 filename="data.csv", actor=officer_bj)
            numbers.append(version.number)
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(c,)) for c in contents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(numbers) == [1, 2]
    versions = list(Version.objects.filter(submission=submission).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert {v.file.sha256 for v in versions} == {
        __import__("hashlib").sha256(c).hexdigest() for c in contents}
    assert all(v.validation == Version.Validation.VALID for v in versions)
    submission.refresh_from_db()
    assert submission.version_count == 2
    # the later number wins, whatever finished last
    assert submission.current_version == versions[1]

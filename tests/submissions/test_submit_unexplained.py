"""No submission with unexplained warnings (issue 15, point 4): the submit service refuses
(WARNINGS_UNEXPLAINED) until every warning's value has a note; the page lists the warnings
lacking one, each linked to its cell; reviewers see each explanation beside its value."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from common.errors import ApplicationError
from submissions.models import Submission
from submissions.services.review import WARNINGS_UNEXPLAINED, submission_submit
from submissions.services.versions import (
    EditedValue,
    version_create_from_edit,
    version_create_from_upload,
)
from tests.factories import CycleFactory
from tests.submissions.helpers import bulk_csv, bulk_rows, template_csv, valid_values

S = Submission.State


@pytest.fixture
def warned(bj_submission, officer_bj, tmp_path, django_capture_on_commit_callbacks):
    """北京 2017 with E201 and E202 halved against 2016's approved values: two warnings."""
    CycleFactory(year=2016)
    path = tmp_path / "2016.csv"
    path.write_bytes(bulk_csv(bulk_rows(["110000"])))
    call_command("import_values", str(path), "--cycle", "2016", "--approve")
    values = {c: (v / 2 if c in ("E201", "E202") else v) for c, v in valid_values().items()}
    with django_capture_on_commit_callbacks(execute=True):
        version_create_from_upload(submission=bj_submission, content=template_csv(values),
                                   filename="data.csv", actor=officer_bj)
    bj_submission.refresh_from_db()
    assert bj_submission.current_version.unexplained_warning_count == 2
    return bj_submission


def _explain(submission, officer, capture, codes=("E201", "E202")) -> None:
    current = {v.element.code: v for v in submission.current_version.values.all()}
    edited = {code: EditedValue(value=v.value, raw=v.raw, note="口径调整" if code in codes
                                else v.note) for code, v in current.items()}
    with capture(execute=True):
        version_create_from_edit(submission=submission, values=edited, actor=officer)
    submission.refresh_from_db()


def test_it_refuses_to_submit_until_every_warning_is_explained(
        warned, officer_bj, django_capture_on_commit_callbacks):
    with pytest.raises(ApplicationError) as caught:
        submission_submit(submission_id=warned.pk, actor=officer_bj)
    assert caught.value.code == WARNINGS_UNEXPLAINED
    assert "2" in caught.value.message
    _explain(warned, officer_bj, django_capture_on_commit_callbacks, codes=("E201",))
    with pytest.raises(ApplicationError):
        submission_submit(submission_id=warned.pk, actor=officer_bj)
    _explain(warned, officer_bj, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=warned.pk, actor=officer_bj)
    warned.refresh_from_db()
    assert warned.state == S.AWAITING_REVIEW


def test_the_submit_page_lists_the_unexplained_warnings_linked_to_their_cells(
        warned, bj_client):
    url = reverse("submissions:detail", args=[warned.pk])
    page = bj_client.get(url).content.decode()
    block = page.split('id="unexplained-warnings"')[1].split("</div>")[0]
    assert "还有 2 个警告没有说明" in block
    edit = reverse("submissions:edit", args=[warned.pk])
    assert f'href="{edit}#id_note_E201"' in block and f'href="{edit}#id_note_E202"' in block
    english = bj_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 warnings have no explanation" in english


def test_a_posted_submit_says_why_it_is_refused(warned, bj_client):
    response = bj_client.post(reverse("submissions:submit", args=[warned.pk]), follow=True)
    assert "还有 2 个警告没有说明" in response.content.decode()
    warned.refresh_from_db()
    assert warned.state == S.DRAFT


def test_reviewers_see_each_explanation_beside_its_value(
        warned, officer_bj, reviewer_client, django_capture_on_commit_callbacks):
    _explain(warned, officer_bj, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=warned.pk, actor=officer_bj)
    page = reviewer_client.get(reverse("submissions:detail", args=[warned.pk])).content.decode()
    row = page.split('id="value-E201"')[1].split("</tr>")[0]
    assert 'data-rule="YOY_CHANGE"' in row and '<td class="explanation">口径调整</td>' in row

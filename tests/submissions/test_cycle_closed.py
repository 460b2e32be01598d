"""A cycle that is not open refuses every officer's change in the services (issue 15, point
1): upload, online edit, explanation, submit; nothing is stored. Late-but-open submissions
are marked late; closed pages say 已截止 with the date, never a negative countdown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from common.errors import ApplicationError
from submissions.models import Cycle, Submission, Version
from submissions.services.cycles import CYCLE_CLOSED, cycle_close, cycle_reopen
from submissions.services.review import submission_submit
from submissions.services.versions import (
    EditedValue,
    version_create_from_edit,
    version_create_from_upload,
)
from tests.submissions.helpers import template_csv, valid_values

S = Submission.State


def table_counts() -> dict[str, int]:
    """The number of rows of every table of the project's apps."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in {"submissions", "audit", "scoring", "indicators",
                                         "accounts", "public", "api"}}


def _valid_upload(submission, officer, capture) -> Version:
    with capture(execute=True):
        version = version_create_from_upload(submission=submission,
                                             content=template_csv(valid_values()),
                                             filename="data.csv", actor=officer)
    version.refresh_from_db()
    return version


def _edited(note: str = "") -> dict[str, EditedValue]:
    return {code: EditedValue(value=Decimal(v), raw=str(v), note=note)
            for code, v in valid_values().items()}


@pytest.fixture
def closed(bj_submission, administrator):
    cycle_close(cycle=bj_submission.cycle, actor=administrator)
    bj_submission.refresh_from_db()
    return bj_submission


def test_it_refuses_an_upload_to_a_closed_cycle_and_stores_nothing(closed, officer_bj):
    before = table_counts()
    with pytest.raises(ApplicationError) as caught:
        version_create_from_upload(submission=closed, content=template_csv(valid_values()),
                                   filename="data.csv", actor=officer_bj)
    assert caught.value.code == CYCLE_CLOSED
    assert table_counts() == before


@pytest.mark.parametrize("note", ["", "口径调整"])  # a value, or only its explanation
def test_it_refuses_an_edit_or_an_explanation_in_a_closed_cycle(closed, officer_bj, note):
    before = table_counts()
    with pytest.raises(ApplicationError) as caught:
        version_create_from_edit(submission=closed, values=_edited(note), actor=officer_bj)
    assert caught.value.code == CYCLE_CLOSED
    assert table_counts() == before


def test_it_refuses_a_submit_in_a_closed_cycle(bj_submission, officer_bj, administrator,
                                               django_capture_on_commit_callbacks):
    _valid_upload(bj_submission, officer_bj, django_capture_on_commit_callbacks)
    cycle_close(cycle=bj_submission.cycle, actor=administrator)
    before = table_counts()
    with pytest.raises(ApplicationError) as caught:
        submission_submit(submission_id=bj_submission.pk, actor=officer_bj)
    assert caught.value.code == CYCLE_CLOSED
    assert table_counts() == before
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.DRAFT


def test_it_says_why_in_both_languages(closed, officer_bj):
    with pytest.raises(ApplicationError) as caught:
        submission_submit(submission_id=closed.pk, actor=officer_bj)
    with translation.override("zh-hans"):
        assert caught.value.message.startswith("2017 年度填报已截止（截止日期 2018-03-31")
    with translation.override("en"):
        assert caught.value.message.startswith("Reporting for 2017 is closed (deadline "
                                               "2018-03-31")


def test_it_accepts_again_after_a_reopening_and_marks_a_late_submission(
        closed, officer_bj, administrator, django_capture_on_commit_callbacks):
    with pytest.raises(ApplicationError):
        cycle_reopen(cycle=closed.cycle, actor=administrator, reason="  ")
    cycle_reopen(cycle=closed.cycle, actor=administrator, reason="北京补报")
    _valid_upload(closed, officer_bj, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=closed.pk, actor=officer_bj)
    closed.refresh_from_db()
    # The deadline (2018-03-31) has passed, the cycle is open: accepted, and marked late.
    assert closed.state == S.AWAITING_REVIEW
    assert closed.submitted_late
    assert closed.transitions.filter(action="submit").get().version == closed.current_version


def test_it_does_not_mark_a_submission_before_the_deadline_late(
        bj_submission, officer_bj, django_capture_on_commit_callbacks):
    Cycle.objects.filter(pk=bj_submission.cycle_id).update(deadline="2999-12-31")
    bj_submission.refresh_from_db()
    _valid_upload(bj_submission, officer_bj, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=bj_submission.pk, actor=officer_bj)
    bj_submission.refresh_from_db()
    assert not bj_submission.submitted_late


# --- through the views ------------------------------------------------------------------


def test_the_officer_sees_closed_with_the_date_and_no_upload_form(closed, bj_client):
    page = bj_client.get(reverse("submissions:detail", args=[closed.pk])).content.decode()
    assert "已截止（2018-03-31）" in page
    assert 'id="upload-button"' not in page and 'id="submit-button"' not in page
    assert "还有 -" not in page and "天）" not in page
    home = bj_client.get(reverse("submissions:officer_home")).content.decode()
    assert "已截止（2018-03-31）" in home
    assert "填报已截止，不能再修改或提交" in home


def test_the_officer_sees_closed_in_english(closed, bj_client):
    page = bj_client.get(reverse("submissions:detail", args=[closed.pk]),
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Closed (2018-03-31)" in page


def test_a_posted_upload_to_a_closed_cycle_is_refused_with_the_message(closed, bj_client):
    response = bj_client.post(reverse("submissions:upload", args=[closed.pk]),
                              {"file": SimpleUploadedFile("data.csv",
                                                          template_csv(valid_values()))},
                              follow=True)
    assert "2017 年度填报已截止" in response.content.decode()
    assert not Version.objects.filter(submission=closed).exists()


def test_a_posted_submit_to_a_closed_cycle_is_refused(closed, bj_client):
    response = bj_client.post(reverse("submissions:submit", args=[closed.pk]), follow=True)
    assert "2017 年度填报已截止" in response.content.decode()
    closed.refresh_from_db()
    assert closed.state == S.DRAFT


def test_an_open_cycle_past_its_deadline_says_so_without_a_negative_count(
        bj_submission, bj_client):
    page = bj_client.get(reverse("submissions:detail", args=[bj_submission.pk])).content.decode()
    assert "已过，现在提交将记为逾期" in page
    assert "-" not in page.split("deadline overdue")[1].split("</span>")[0].replace(
        "2018-03-31", "")


def test_the_queue_says_closed_instead_of_a_negative_count(closed, reviewer_client):
    page = reviewer_client.get(reverse("submissions:queue")).content.decode()
    assert "已截止" in page

from __future__ import annotations

from django.urls import reverse

from submissions.models import Submission
from submissions.services.versions import version_create_from_upload
from tests.submissions.helpers import template_csv, valid_values


def test_it_submits_and_the_worker_moves_it_to_review(
        bj_client, bj_submission, officer_bj, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version_create_from_upload(submission=bj_submission, content=template_csv(valid_values()),
                                   filename="d.csv", actor=officer_bj)
    with django_capture_on_commit_callbacks(execute=True):
        response = bj_client.post(reverse("submissions:submit", args=[bj_submission.pk]))
    assert response.status_code == 302
    bj_submission.refresh_from_db()
    assert bj_submission.state == Submission.State.AWAITING_REVIEW


def test_it_explains_why_it_cannot_submit(bj_client, bj_submission):
    response = bj_client.post(reverse("submissions:submit", args=[bj_submission.pk]),
                              follow=True)
    assert "还没有可提交的数据" in response.content.decode()


def test_it_answers_404_to_another_regions_officer(sh_client, bj_submission):
    assert sh_client.post(reverse("submissions:submit",
                                  args=[bj_submission.pk])).status_code == 404


def test_it_forbids_the_auditor(auditor_client, bj_submission):
    assert auditor_client.post(reverse("submissions:submit",
                                       args=[bj_submission.pk])).status_code == 403

"""Upload-then-submit within a second, with a real worker, in both orders of validation and
submit (issue 15, point 10): never approved with another version than the one submitted."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions.models import Submission, Version
from submissions.services.review import submission_transition
from submissions.workflow import Action, Actor
from tests.integration.conftest import upload, validated, wait_for
from tests.submissions.helpers import template_csv, valid_values

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

S = Submission.State
WITH_ERROR = {**valid_values(), "E102": "150"}


def _submit(client, submission: Submission) -> str:
    """The page's message after the submit."""
    response = client.post(reverse("submissions:submit", args=[submission.pk]), follow=True)
    return response.content.decode()


def _settled(submission: Submission) -> Submission:
    def probe() -> bool:
        submission.refresh_from_db()
        return submission.state not in (S.SUBMITTED, S.VALIDATING)

    wait_for(probe, what="the submission check")
    return submission


def _approve_if_due(submission: Submission, reviewer) -> None:
    submission.refresh_from_db()
    if submission.state == S.AWAITING_REVIEW:
        submission_transition(submission_id=submission.pk, action=Action.APPROVE,
                              actor=reviewer, actor_role=Actor.REVIEWER)


def _never_another_version(submission: Submission) -> None:
    submission.refresh_from_db()
    if submission.state == S.APPROVED:
        assert submission.approved_version_id == submission.submitted_version_id
        approved = Version.objects.get(pk=submission.approved_version_id)
        assert approved.validation == Version.Validation.VALID and not approved.error_count


def test_submit_while_the_new_upload_awaits_its_validation_is_refused(
        celery_worker_thread, worker_gate, bj_client, bj_submission, reviewer):
    first = validated(upload(bj_client, bj_submission, template_csv(valid_values())))
    worker_gate.close()
    try:
        second = upload(bj_client, bj_submission, template_csv(WITH_ERROR))
        page = _submit(bj_client, bj_submission)  # within the second, before the validation
        assert f"第 {second.number} 版还在校验" in page
    finally:
        worker_gate.open()
    assert validated(second).validation == Version.Validation.INVALID
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.DRAFT
    assert bj_submission.current_version_id == second.pk != first.pk
    _approve_if_due(bj_submission, reviewer)
    _never_another_version(bj_submission)


def test_submit_after_the_new_uploads_validation_submits_exactly_it(
        celery_worker_thread, bj_client, bj_submission, reviewer):
    validated(upload(bj_client, bj_submission, template_csv(valid_values())))
    second = validated(upload(bj_client, bj_submission, template_csv(WITH_ERROR)))
    assert "个错误" in _submit(bj_client, bj_submission)
    third = validated(upload(bj_client, bj_submission, template_csv(valid_values())))
    _submit(bj_client, bj_submission)
    _settled(bj_submission)
    assert bj_submission.submitted_version_id == third.pk != second.pk
    _approve_if_due(bj_submission, reviewer)
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.APPROVED
    assert bj_submission.approved_version_id == third.pk
    _never_another_version(bj_submission)


def test_an_upload_right_after_a_submit_never_replaces_the_submitted_version(
        celery_worker_thread, worker_gate, bj_client, bj_submission, reviewer):
    first = validated(upload(bj_client, bj_submission, template_csv(valid_values())))
    worker_gate.close()  # the check of the submit waits in the worker
    try:
        _submit(bj_client, bj_submission)
        response = bj_client.post(reverse("submissions:upload", args=[bj_submission.pk]),
                                  {"file": SimpleUploadedFile("data.csv",
                                                              template_csv(WITH_ERROR))},
                                  follow=True)
        assert "不能修改" in response.content.decode()
    finally:
        worker_gate.open()
    _settled(bj_submission)
    assert Version.objects.filter(submission=bj_submission).count() == 1
    _approve_if_due(bj_submission, reviewer)
    bj_submission.refresh_from_db()
    assert bj_submission.approved_version_id == first.pk == bj_submission.submitted_version_id
    _never_another_version(bj_submission)

"""What is submitted is what is approved and scored (issue 15, point 10): submit is refused
while a newer version awaits validation, a version whose validation ends after a submit never
replaces the submitted one, approval pins the version it approved, scoring reads that one."""

from __future__ import annotations

import numpy as np
import pytest

from common.errors import ApplicationError
from scoring.selectors import approved_inputs
from submissions.models import Submission, Version
from submissions.selectors import approved_versions
from submissions.services.review import submission_submit, submission_transition
from submissions.services.validation import version_validate
from submissions.services.versions import version_create_from_upload
from submissions.workflow import Action, Actor
from tests.submissions.helpers import template_csv, valid_values

S = Submission.State


def _upload(submission, officer, values, capture=None) -> Version:
    content = template_csv(values)
    if capture is None:  # queued, not yet validated
        return version_create_from_upload(submission=submission, content=content,
                                          filename="data.csv", actor=officer)
    with capture(execute=True):
        version = version_create_from_upload(submission=submission, content=content,
                                             filename="data.csv", actor=officer)
    version.refresh_from_db()
    return version


def test_it_refuses_a_submit_while_a_newer_upload_awaits_validation(
        bj_submission, officer_bj, django_capture_on_commit_callbacks):
    first = _upload(bj_submission, officer_bj, valid_values(), django_capture_on_commit_callbacks)
    second = _upload(bj_submission, officer_bj, {**valid_values(), "E102": "150"})  # an error
    with pytest.raises(ApplicationError) as caught:
        submission_submit(submission_id=bj_submission.pk, actor=officer_bj)
    assert caught.value.code == "SUBMIT_VALIDATION_PENDING"
    version_validate(version_id=second.pk)
    bj_submission.refresh_from_db()
    assert bj_submission.current_version_id == second.pk != first.pk
    with pytest.raises(ApplicationError) as caught:
        submission_submit(submission_id=bj_submission.pk, actor=officer_bj)
    assert caught.value.code == "SUBMIT_HAS_ERRORS"


def test_a_version_validated_after_the_submit_never_replaces_the_submitted_one(
        bj_submission, officer_bj, reviewer, django_capture_on_commit_callbacks):
    """The fault-injection trial's order, forced: the new version exists (pending) before
    the submit under the old code; here it is created by the validation's writer after the
    submit, as a late worker would."""
    first = _upload(bj_submission, officer_bj, valid_values(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=bj_submission.pk, actor=officer_bj)
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.AWAITING_REVIEW
    assert bj_submission.submitted_version_id == first.pk
    # A version that slipped in (the old race) and is validated now, with an error:
    late = Version.objects.create(submission=bj_submission, number=2, source="edit",
                                  created_by=officer_bj)
    version_validate(version_id=late.pk)
    bj_submission.refresh_from_db()
    assert bj_submission.current_version_id == first.pk
    submission_transition(submission_id=bj_submission.pk, action=Action.APPROVE,
                          actor=reviewer, actor_role=Actor.REVIEWER)
    bj_submission.refresh_from_db()
    assert bj_submission.approved_version_id == first.pk
    assert [a.version_id for a in approved_versions(bj_submission.cycle)] == [first.pk]


def test_scoring_reads_the_approved_version_even_if_current_moved(
        bj_submission, officer_bj, reviewer, django_capture_on_commit_callbacks):
    first = _upload(bj_submission, officer_bj, valid_values(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=bj_submission.pk, actor=officer_bj)
    submission_transition(submission_id=bj_submission.pk, action=Action.APPROVE,
                          actor=reviewer, actor_role=Actor.REVIEWER)
    other = Version.objects.create(submission=bj_submission, number=9, source="edit",
                                   created_by=officer_bj, validation="invalid")
    Submission.objects.filter(pk=bj_submission.pk).update(current_version=other)  # forced
    inputs = approved_inputs(bj_submission.cycle, ("E101",))
    assert inputs.versions == [first.pk]
    assert not np.isnan(inputs.values[0, 0])


def test_reopening_unpins_and_a_new_approval_pins_the_new_version(
        bj_submission, officer_bj, reviewer, administrator, django_capture_on_commit_callbacks):
    first = _upload(bj_submission, officer_bj, valid_values(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=bj_submission.pk, actor=officer_bj)
    submission_transition(submission_id=bj_submission.pk, action=Action.APPROVE,
                          actor=reviewer, actor_role=Actor.REVIEWER)
    submission_transition(submission_id=bj_submission.pk, action=Action.REOPEN,
                          actor=administrator, actor_role=Actor.ADMINISTRATOR, reason="更正")
    bj_submission.refresh_from_db()
    assert bj_submission.approved_version_id is None
    second = _upload(bj_submission, officer_bj, {**valid_values(), "E102": "90"},
                     django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=bj_submission.pk, actor=officer_bj)
    submission_transition(submission_id=bj_submission.pk, action=Action.APPROVE,
                          actor=reviewer, actor_role=Actor.REVIEWER)
    bj_submission.refresh_from_db()
    assert bj_submission.approved_version_id == second.pk != first.pk


def test_approval_is_refused_when_the_current_version_is_not_the_submitted_one(
        bj_submission, officer_bj, reviewer, django_capture_on_commit_callbacks):
    _upload(bj_submission, officer_bj, valid_values(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=bj_submission.pk, actor=officer_bj)
    other = Version.objects.create(submission=bj_submission, number=9, source="edit",
                                   created_by=officer_bj, validation="valid")
    Submission.objects.filter(pk=bj_submission.pk).update(current_version=other)  # forced
    with pytest.raises(ApplicationError) as caught:
        submission_transition(submission_id=bj_submission.pk, action=Action.APPROVE,
                              actor=reviewer, actor_role=Actor.REVIEWER)
    assert caught.value.code == "APPROVE_NOT_SUBMITTED"
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.AWAITING_REVIEW and bj_submission.approved_version is None

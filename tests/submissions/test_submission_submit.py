"""Submitting: draft → submitted → validating → invalid | awaiting review, in the worker."""

from __future__ import annotations

from decimal import Decimal

import pytest

from common.errors import ApplicationError
from submissions.models import Submission, Version
from submissions.services.review import SUBMIT_HAS_ERRORS, submission_submit
from submissions.services.versions import (
    EditedValue,
    version_create_from_edit,
    version_create_from_upload,
)
from tests.factories import CycleFactory
from tests.submissions.helpers import template_csv, valid_values


@pytest.fixture
def submission(officer_bj):
    return Submission.objects.get_or_create(cycle=CycleFactory(), region=officer_bj.region)[0]


def _upload(submission, officer, values, capture) -> Version:
    with capture(execute=True):
        version = version_create_from_upload(submission=submission, content=template_csv(values),
                                             filename="data.csv", actor=officer)
    version.refresh_from_db()
    return version


def test_it_moves_a_valid_submission_to_awaiting_review(
        submission, officer_bj, django_capture_on_commit_callbacks):
    _upload(submission, officer_bj, valid_values(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=submission.pk, actor=officer_bj)
    submission.refresh_from_db()
    assert submission.state == Submission.State.AWAITING_REVIEW
    steps = list(submission.transitions.values_list("from_state", "to_state", "actor"))
    assert steps == [("draft", "submitted", officer_bj.pk), ("submitted", "validating", None),
                     ("validating", "awaiting_review", None)]
    assert submission.submitted_at is not None


def test_it_refuses_to_submit_a_version_with_errors(
        submission, officer_bj, django_capture_on_commit_callbacks):
    values = valid_values()
    values["E102"] = "101"
    _upload(submission, officer_bj, values, django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError) as caught:
        submission_submit(submission_id=submission.pk, actor=officer_bj)
    assert caught.value.code == "SUBMIT_HAS_ERRORS"
    assert caught.value.message == str(SUBMIT_HAS_ERRORS).format(count=1)
    submission.refresh_from_db()
    assert submission.state == Submission.State.DRAFT


def test_it_refuses_to_submit_nothing(submission, officer_bj):
    with pytest.raises(ApplicationError) as caught:
        submission_submit(submission_id=submission.pk, actor=officer_bj)
    assert caught.value.code == "SUBMIT_WITHOUT_VERSION"


def test_it_refuses_to_submit_before_the_current_version_is_validated(
        submission, officer_bj, django_capture_on_commit_callbacks):
    edited = {code: EditedValue(value=v, raw=str(v), note="") for code, v in
              valid_values().items()}
    edited["P03"] = EditedValue(value=edited["P03"].value + Decimal("0.5"), raw="", note="")
    # An online correction is current at once; submitted before its validation has run, it is
    # refused (what would be submitted is not checked yet), and once checked its error is.
    version = version_create_from_edit(submission=submission, values=edited, actor=officer_bj)
    with pytest.raises(ApplicationError) as caught:
        submission_submit(submission_id=submission.pk, actor=officer_bj)
    assert caught.value.code == "SUBMIT_VALIDATION_PENDING"
    from submissions.services.validation import version_validate

    version_validate(version_id=version.pk)
    with pytest.raises(ApplicationError) as caught:
        submission_submit(submission_id=submission.pk, actor=officer_bj)
    assert caught.value.code == "SUBMIT_HAS_ERRORS"
    submission.refresh_from_db()
    assert submission.state == Submission.State.DRAFT


def test_it_saves_an_online_correction_as_a_new_version_with_its_diff(
        submission, officer_bj, django_capture_on_commit_callbacks):
    values = valid_values()
    values["E102"] = "101"
    first = _upload(submission, officer_bj, values, django_capture_on_commit_callbacks)
    edited = {code: EditedValue(value=v, raw=str(v), note="") for code, v in
              valid_values().items()}
    edited["E102"] = EditedValue(value=valid_values()["E102"], raw="82.85", note="已更正")
    with django_capture_on_commit_callbacks(execute=True):
        second = version_create_from_edit(submission=submission, values=edited,
                                          actor=officer_bj)
    second.refresh_from_db()
    assert second.number == 2 and second.based_on == first
    assert second.validation == Version.Validation.VALID
    assert [d["code"] for d in second.diff] == ["E102"]
    assert second.diff[0]["old"] == "101" and second.diff[0]["new_note"] == "已更正"
    assert first.values.get(element__code="E102").value == 101  # the old version is kept

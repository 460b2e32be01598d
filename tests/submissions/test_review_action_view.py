"""Approving, returning and reopening from the submission page: the reason goes through a form
with a length bound; the transition table decides the rest."""

from __future__ import annotations

from django.urls import reverse

from submissions.forms import REASON_MAX_LENGTH
from submissions.models import Submission

S = Submission.State


def _in_state(submission, state):
    Submission.objects.filter(pk=submission.pk).update(state=state)
    return submission


def _return(client, submission, reason: str):
    return client.post(reverse("submissions:review", args=[submission.pk, "return"]),
                       {"reason": reason}, follow=True)


def test_it_returns_with_a_reason_of_the_longest_length_allowed(reviewer_client, bj_submission):
    _in_state(bj_submission, S.AWAITING_REVIEW)
    reason = "请" * REASON_MAX_LENGTH
    assert "已处理" in _return(reviewer_client, bj_submission, reason).content.decode()
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.RETURNED
    assert bj_submission.transitions.get().reason == reason


def test_it_refuses_a_longer_reason_and_changes_nothing(reviewer_client, bj_submission):
    _in_state(bj_submission, S.AWAITING_REVIEW)
    page = _return(reviewer_client, bj_submission, "请" * (REASON_MAX_LENGTH + 1))
    assert f"原因最多 {REASON_MAX_LENGTH} 个字（现在 {REASON_MAX_LENGTH + 1} 个字）" in (
        page.content.decode())
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.AWAITING_REVIEW and not bj_submission.transitions.exists()


def test_it_says_a_return_needs_a_reason(reviewer_client, bj_submission):
    _in_state(bj_submission, S.AWAITING_REVIEW)
    assert "请填写原因" in _return(reviewer_client, bj_submission, "  ").content.decode()
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.AWAITING_REVIEW


def test_it_refuses_a_reopening_with_a_reason_too_long(admin_client_, bj_submission):
    _in_state(bj_submission, S.APPROVED)
    url = reverse("submissions:reopen", args=[bj_submission.pk])
    admin_client_.post(url, {"reason": "错" * (REASON_MAX_LENGTH + 1)})
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.APPROVED
    admin_client_.post(url, {"reason": "数据更正"})
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.DRAFT


def test_it_shows_the_review_buttons_only_while_a_decision_is_due(reviewer_client,
                                                                  bj_submission):
    detail = reverse("submissions:detail", args=[bj_submission.pk])
    assert "approve-button" not in reviewer_client.get(detail).content.decode()
    _in_state(bj_submission, S.AWAITING_REVIEW)
    assert "approve-button" in reviewer_client.get(detail).content.decode()

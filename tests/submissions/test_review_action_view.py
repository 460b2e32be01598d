"""Approving, returning and reopening from the submission page: the reason goes through a form
with a length bound; the transition table decides the rest."""

from __future__ import annotations

from django.urls import reverse

from audit.models import AuditEntry
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
    assert "已退回 北京市 2017 年填报，理由已通知填报员" in (
        _return(reviewer_client, bj_submission, reason).content.decode())
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.RETURNED
    assert bj_submission.transitions.get().reason == reason


def test_it_refuses_a_longer_reason_and_changes_nothing(reviewer_client, bj_submission):
    _in_state(bj_submission, S.AWAITING_REVIEW)
    page = _return(reviewer_client, bj_submission, "请" * (REASON_MAX_LENGTH + 1))
    assert page.status_code == 400
    assert f"原因最多 {REASON_MAX_LENGTH} 个字（现在 {REASON_MAX_LENGTH + 1} 个字）" in (
        _field_error(page, "id_reason"))
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.AWAITING_REVIEW and not bj_submission.transitions.exists()


def _field_error(page, field_id: str) -> str:
    """The error shown at a field (the element the field's aria-describedby names)."""
    html = page.content.decode()
    marker = f'id="{field_id}-error"'
    assert marker in html, "no error at the field"
    start = html.index(marker)
    return html[start:html.index("</", start)]


def test_a_5_mb_reason_is_refused_at_its_field_stored_nowhere(reviewer_client, bj_client,
                                                              bj_submission):
    """Found by the probe: a 5 MB reason was stored, shown on the officer's home page and
    written to the audit log (issue 16, point 5)."""
    _in_state(bj_submission, S.AWAITING_REVIEW)
    page = _return(reviewer_client, bj_submission, "长" * 550_000)  # 5 MB as sent
    assert page.status_code == 400
    assert "原因最多" in _field_error(page, "id_reason")
    assert len(page.content) < 100_000  # the text is not sent back whole
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.AWAITING_REVIEW and not bj_submission.transitions.exists()
    assert not AuditEntry.objects.filter(action__startswith="submission.").exists()
    assert "长长长" not in bj_client.get(reverse("submissions:officer_home")).content.decode()


def test_the_refused_reason_is_shown_again_to_be_corrected(reviewer_client, bj_submission):
    _in_state(bj_submission, S.AWAITING_REVIEW)
    page = _return(reviewer_client, bj_submission, "写" * (REASON_MAX_LENGTH + 10))
    textarea = page.content.decode().split('id="id_reason"', 1)[1].split("</textarea>", 1)[0]
    assert "写" * REASON_MAX_LENGTH in textarea and "写" * (REASON_MAX_LENGTH + 1) not in textarea


def test_it_says_a_return_needs_a_reason(reviewer_client, bj_submission):
    _in_state(bj_submission, S.AWAITING_REVIEW)
    page = _return(reviewer_client, bj_submission, "  ")
    assert page.status_code == 400
    assert "请填写原因" in _field_error(page, "id_reason")
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.AWAITING_REVIEW


def test_it_refuses_a_reopening_with_a_reason_too_long(admin_client_, bj_submission):
    _in_state(bj_submission, S.APPROVED)
    url = reverse("submissions:reopen", args=[bj_submission.pk])
    page = admin_client_.post(url, {"reason": "错" * (REASON_MAX_LENGTH + 1)})
    assert page.status_code == 400
    assert "原因最多" in _field_error(page, "id_reopen_reason")
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.APPROVED
    confirm = admin_client_.post(url, {"reason": "数据更正"})
    assert confirm.status_code == 200 and "确认重新打开" in confirm.content.decode()
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.APPROVED  # not before the second, deliberate action
    admin_client_.post(url, {"reason": "数据更正", "confirm": "1"})
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.DRAFT


def test_it_shows_the_review_buttons_only_while_a_decision_is_due(reviewer_client,
                                                                  bj_submission):
    detail = reverse("submissions:detail", args=[bj_submission.pk])
    assert "approve-button" not in reviewer_client.get(detail).content.decode()
    _in_state(bj_submission, S.AWAITING_REVIEW)
    assert "approve-button" in reviewer_client.get(detail).content.decode()


def test_the_service_bounds_the_reason_for_every_caller(bj_submission, reviewer):
    import pytest

    from common.errors import ApplicationError
    from submissions.services.review import submission_transition
    from submissions.workflow import Action, Actor

    _in_state(bj_submission, S.AWAITING_REVIEW)
    with pytest.raises(ApplicationError) as refused:
        submission_transition(submission_id=bj_submission.pk, action=Action.RETURN,
                              actor=reviewer, actor_role=Actor.REVIEWER,
                              reason="x" * (REASON_MAX_LENGTH + 1))
    assert refused.value.code == "REASON_TOO_LONG"
    bj_submission.refresh_from_db()
    assert bj_submission.state == S.AWAITING_REVIEW

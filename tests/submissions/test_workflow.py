"""The transition table: every transition, allowed and refused, with the reason rules."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from common.errors import ApplicationError
from submissions.models import Submission
from submissions.services.review import APPROVE_UNEXPLAINED, submission_transition
from submissions.workflow import TRANSITIONS, Action, Actor, TransitionError, next_state
from tests.factories import CycleFactory

S = Submission.State
ALL_STATES = [s.value for s in S]


@pytest.mark.parametrize(("action", "state"), [(a, s) for a in Action for s in ALL_STATES])
def test_it_allows_exactly_the_transitions_of_the_table(action, state):
    step = TRANSITIONS.get((action, state))
    actor = next(iter(step.actors)) if step else Actor.ADMINISTRATOR
    if step is None:
        with pytest.raises(TransitionError):
            next_state(action, state, actor, reason="x")
    else:
        assert next_state(action, state, actor, reason="x") == step.to_state


def test_it_follows_the_product_states():
    assert next_state(Action.SUBMIT, S.DRAFT, Actor.OFFICER) == S.SUBMITTED
    assert next_state(Action.START_VALIDATION, S.SUBMITTED, Actor.SYSTEM) == S.VALIDATING
    assert next_state(Action.VALIDATION_FAILED, S.VALIDATING, Actor.SYSTEM) == S.INVALID
    assert next_state(Action.VALIDATION_PASSED, S.VALIDATING, Actor.SYSTEM) == S.AWAITING_REVIEW
    assert next_state(Action.APPROVE, S.AWAITING_REVIEW, Actor.REVIEWER) == S.APPROVED
    assert next_state(Action.RETURN, S.AWAITING_REVIEW, Actor.REVIEWER, "缺附件") == S.RETURNED
    assert next_state(Action.NEW_VERSION, S.RETURNED, Actor.OFFICER) == S.DRAFT
    assert next_state(Action.NEW_VERSION, S.INVALID, Actor.OFFICER) == S.DRAFT
    assert next_state(Action.REOPEN, S.APPROVED, Actor.ADMINISTRATOR, "更正") == S.DRAFT


@pytest.mark.parametrize("action", [Action.RETURN, Action.REOPEN])
def test_it_requires_a_reason(action):
    state = S.AWAITING_REVIEW if action == Action.RETURN else S.APPROVED
    with pytest.raises(TransitionError):
        next_state(action, state, Actor.ADMINISTRATOR, reason="  ")


def test_it_refuses_the_wrong_role():
    with pytest.raises(TransitionError):
        next_state(Action.APPROVE, S.AWAITING_REVIEW, Actor.OFFICER)
    with pytest.raises(TransitionError):
        next_state(Action.REOPEN, S.APPROVED, Actor.REVIEWER, reason="x")
    with pytest.raises(TransitionError):
        next_state(Action.SUBMIT, S.DRAFT, Actor.REVIEWER)


def _awaiting(region) -> Submission:
    return Submission.objects.create(cycle=CycleFactory(), region=region,
                                     state=S.AWAITING_REVIEW)


def test_it_records_who_when_from_to_and_why(reviewer, officer_bj):
    submission = _awaiting(officer_bj.region)
    submission_transition(submission_id=submission.pk, action=Action.RETURN, actor=reviewer,
                          actor_role=Actor.REVIEWER, reason="请补充说明")
    transition = submission.transitions.get()
    assert (transition.from_state, transition.to_state, transition.actor, transition.reason) == (
        "awaiting_review", "returned", reviewer, "请补充说明")
    assert transition.created_at is not None


def test_it_refuses_to_approve_unexplained_warnings(reviewer, officer_bj):
    from submissions.models import Version

    submission = _awaiting(officer_bj.region)
    version = Version.objects.create(submission=submission, number=1, source="edit",
                                     created_by=officer_bj, validation="valid",
                                     warning_count=2, unexplained_warning_count=1)
    Submission.objects.filter(pk=submission.pk).update(current_version=version)
    with pytest.raises(ApplicationError) as caught:
        submission_transition(submission_id=submission.pk, action=Action.APPROVE,
                              actor=reviewer, actor_role=Actor.REVIEWER)
    assert caught.value.code == "APPROVE_UNEXPLAINED"
    assert caught.value.message == str(APPROVE_UNEXPLAINED).format(count=1)


def test_it_locks_approved_data(reviewer, officer_bj):
    from submissions.services.versions import NOT_EDITABLE, version_create_from_upload
    from tests.submissions.helpers import template_csv, valid_values

    submission = _awaiting(officer_bj.region)
    submission_transition(submission_id=submission.pk, action=Action.APPROVE, actor=reviewer,
                          actor_role=Actor.REVIEWER)
    with pytest.raises(ApplicationError) as caught:
        version_create_from_upload(submission=submission, content=template_csv(valid_values()),
                                   filename="x.csv", actor=officer_bj)
    assert caught.value.message == str(NOT_EDITABLE).format(state=S.APPROVED.label)


@pytest.mark.django_db(transaction=True)
def test_it_ends_two_simultaneous_reviews_in_one_consistent_state(officer_bj):
    from tests.factories import UserFactory

    first = UserFactory(username="reviewer-1", role_names=["reviewer"])
    second = UserFactory(username="reviewer-2", role_names=["reviewer"])
    submission = _awaiting(officer_bj.region)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(user, action, reason):
        try:
            barrier.wait()
            submission_transition(submission_id=submission.pk, action=action, actor=user,
                                  actor_role=Actor.REVIEWER, reason=reason)
            outcomes[user.username] = "done"
        except TransitionError:
            outcomes[user.username] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(first, Action.APPROVE, "")),
               threading.Thread(target=act, args=(second, Action.RETURN, "数据有误"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["done", "refused"]
    submission.refresh_from_db()
    transitions = list(submission.transitions.all())
    assert len(transitions) == 1
    assert submission.state == transitions[0].to_state
    assert submission.state in (S.APPROVED, S.RETURNED)

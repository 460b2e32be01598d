"""Every state-changing action writes its audit entry in the same transaction; a failed
action writes none."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from audit.models import AuditEntry
from indicators.models import ModelVersion
from submissions.models import Submission
from submissions.services.cycles import cycle_create
from submissions.services.review import comment_add, submission_transition
from submissions.services.versions import version_create_from_upload
from submissions.workflow import Action, Actor, TransitionError
from tests.factories import PASSWORD, UserFactory
from tests.submissions.helpers import template_csv, valid_values


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))


@pytest.fixture
def cycle(administrator):
    return cycle_create(year=2017, model_version=ModelVersion.objects.get(code="2017"),
                        opens_on="2018-01-01", deadline="2018-03-31", actor=administrator)


def test_it_logs_upload_comment_transitions_with_who_and_where(cycle, officer_bj, reviewer):
    submission = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    version_create_from_upload(submission=submission, content=template_csv(valid_values()),
                               filename="d.csv", actor=officer_bj)
    comment_add(submission=submission, author=reviewer, body="请核对 E101")
    entries = {e.action: e for e in AuditEntry.objects.all()}
    upload = entries["version.upload"]
    assert upload.actor == officer_bj and upload.region_code == "110000"
    assert upload.cycle_year == 2017 and len(upload.data["sha256"]) == 64
    assert entries["submission.comment"].data["body"] == "请核对 E101"
    assert "cycle.create" in entries


def test_it_writes_nothing_for_a_refused_transition(cycle, officer_bj, reviewer):
    submission = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    before = AuditEntry.objects.count()
    with pytest.raises(TransitionError):
        submission_transition(submission_id=submission.pk, action=Action.APPROVE,
                              actor=reviewer, actor_role=Actor.REVIEWER)
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_it_rolls_back_the_entry_with_a_failed_change(officer_bj, administrator):
    cycle = cycle_create(year=2017, model_version=ModelVersion.objects.get(code="2017"),
                         opens_on="2018-01-01", deadline="2018-03-31", actor=administrator)
    submission = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    before = AuditEntry.objects.count()
    from unittest import mock

    # The version row fails to insert after the audit entry of the upload is prepared: the
    # whole transaction goes, the entry with it.
    with mock.patch("submissions.services.versions.log_action",
                    side_effect=RuntimeError("disk full")), pytest.raises(RuntimeError):
        version_create_from_upload(submission=submission, content=template_csv(valid_values()),
                                   filename="d.csv", actor=officer_bj)
    assert AuditEntry.objects.count() == before
    assert submission.versions.count() == 0


def test_it_logs_logins_and_failed_logins(officer_bj):
    client = Client()
    assert client.post("/accounts/login/", {"username": "officer-bj", "password": "wrong"},
                       REMOTE_ADDR="10.0.0.9", HTTP_USER_AGENT="Firefox/140").status_code == 200
    assert client.post("/accounts/login/", {"username": "officer-bj",
                                            "password": PASSWORD}).status_code == 302
    failed = AuditEntry.objects.get(action="auth.login_failed")
    assert failed.data == {"username": "officer-bj", "ip": "10.0.0.9",
                           "user_agent": "Firefox/140"}
    assert AuditEntry.objects.filter(action="auth.login", actor=officer_bj).exists()


def test_it_locks_out_after_repeated_failures(officer_bj, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "officer-bj", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "officer-bj",
                                                "password": PASSWORD})
    assert response.status_code == 429  # locked out, even with the right password
    assert AuditEntry.objects.filter(action="auth.locked_out").exists()


def test_it_logs_user_and_role_changes(bootstrapped):
    user = UserFactory(username="new-person")
    user.groups.add(Group.objects.get(name="reviewer"))
    user.is_active = False
    user.save()
    actions = _actions()
    assert "user.create" in actions and "user.roles" in actions and "user.change" in actions
    roles = AuditEntry.objects.filter(action="user.roles").last()
    assert roles.data["groups"] == ["reviewer"]

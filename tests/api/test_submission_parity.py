"""A province's submission by API is the same submission as by the officer's pages: the same
values, the same versions and transitions, the same audit trail (the token's own use entries
aside), because each call goes through the same services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import TestCase
from django.urls import reverse

from audit.models import AuditEntry
from submissions.models import Submission
from tests.api.helpers import send_values, url
from tests.factories import make_officer
from tests.submissions.helpers import template_csv, valid_values

pytestmark = pytest.mark.django_db

NOTES = {"E102": "数据来源：省政务办", "E101": "口径调整"}
VALUES = {**valid_values(), "E101": valid_values()["E101"] * 6 / 10}  # a warning, explained


def _outcome(submission: Submission, after: int) -> dict[str, Any]:
    """What a submission became, and its audit trail since sequence ``after``."""
    submission.refresh_from_db()
    current = submission.current_version
    trail = [(e.action, e.object_type, e.region_code, e.cycle_year,
              {k: v for k, v in e.data.items() if k not in ("version_id",)})
             for e in AuditEntry.objects.filter(sequence__gt=after).order_by("sequence")
             if not e.action.startswith("api_token.")]
    return {
        "state": submission.state,
        "versions": list(submission.versions.order_by("number").values_list(
            "number", "source", "validation", "error_count", "warning_count",
            "unexplained_warning_count")),
        "values": sorted(current.values.values_list("element__code", "value", "note")),
        "transitions": list(submission.transitions.order_by("id").values_list(
            "action", "from_state", "to_state")),
        "trail": trail,
    }


def _run(path: Callable[[], None], submission: Submission) -> dict[str, Any]:
    """Run one way of submitting, read what it made, and undo it."""
    with transaction.atomic():
        after = AuditEntry.objects.order_by("-sequence").values_list("sequence",
                                                                     flat=True).first() or 0
        path()
        outcome = _outcome(submission, after)
        transaction.set_rollback(True)
    return outcome


def _upload(client, target: str, content: bytes) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(target, {"file": SimpleUploadedFile("北京2018.csv", content, "text/csv")})


def _submit(client, target: str) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(target)
        assert response.status_code in (202, 302), response.content.decode()


def test_a_file_sent_by_api_is_the_upload_of_the_web(api_world, client):
    submission = api_world.draft_bj
    officer = make_officer("110000", "officer-bj")
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    content = template_csv(VALUES, notes=NOTES)

    def web() -> None:
        _upload(client, reverse("submissions:upload", args=[submission.pk]), content)
        _submit(client, reverse("submissions:submit", args=[submission.pk]))

    def api() -> None:
        system = api_world.client("110000")
        _upload(system, url("file"), content)
        _submit(system, url("submit"))

    by_web, by_api = _run(web, submission), _run(api, submission)
    assert by_web["state"] == "awaiting_review"
    assert [t[0] for t in by_web["trail"]][:1] == ["version.upload"]
    assert {"version.validate", "submission.submit"} <= {t[0] for t in by_web["trail"]}
    assert by_api == by_web


def test_values_sent_by_api_are_the_online_form_of_the_web(api_world, client):
    submission = api_world.draft_bj
    officer = make_officer("110000", "officer-bj")
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    form = {f"value_{code}": str(value) for code, value in VALUES.items()}
    form.update({f"note_{code}": note for code, note in NOTES.items()})

    def web() -> None:
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(reverse("submissions:edit", args=[submission.pk]), form)
        _submit(client, reverse("submissions:submit", args=[submission.pk]))

    def api() -> None:
        system = api_world.client("110000")
        send_values(system, {code: str(value) for code, value in VALUES.items()}, NOTES)
        _submit(system, url("submit"))

    by_web, by_api = _run(web, submission), _run(api, submission)
    assert by_web["state"] == "awaiting_review"
    assert by_web["versions"] == [(1, "edit", "valid", 0, by_web["versions"][0][4], 0)]
    assert by_web["versions"][0][4] >= 1  # the warning, explained by its note
    assert [t[0] for t in by_web["trail"]][:1] == ["version.edit"]
    assert by_api == by_web

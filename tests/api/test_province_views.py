"""A provincial system's calls with its token: its own region's submission only, through the
services of the officer's pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import TestCase

from audit.models import AuditEntry
from submissions.models import Submission, Version
from tests.api.helpers import post_json, send_values, url
from tests.submissions.helpers import template_csv, valid_values

pytestmark = pytest.mark.django_db


def test_it_asks_for_a_token_with_401_and_www_authenticate(api_world):
    response = api_world.client().get(url("submission"))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "NOT_AUTHENTICATED"


def test_it_reads_its_own_submission(api_world):
    response = api_world.client("110000").get(url("submission"))
    assert response.status_code == 200
    data = response.json()
    assert (data["year"], data["region_code"], data["state"]) == (2018, "110000", "draft")
    assert data["current_version"] is None and data["editable"] is True


@pytest.mark.parametrize("name", ["submission", "template", "template_file", "versions"])
def test_it_answers_404_for_another_regions_submission(api_world, name):
    response = api_world.client("310000").get(url(name, "110000"))
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("name", ["values", "file", "explanations", "submit"])
def test_it_changes_nothing_of_another_region(api_world, name):
    response = post_json(api_world.client("310000"), url(name, "110000"),
                         {"values": [{"element_code": "E101", "value": 1}]})
    assert response.status_code == 404
    assert not Version.objects.filter(submission=api_world.draft_bj).exists()


def test_it_gives_the_template_data(api_world):
    data = api_world.client("110000").get(url("template")).json()
    elements = {e["element_code"]: e for e in data["elements"]}
    assert set(elements) == set(valid_values())
    # Last year's approved value, as the officer's template shows it.
    assert elements["E101"]["last_value"] == float(valid_values()["E101"])
    assert data["year"] == 2018 and data["region_code"] == "110000"


def test_it_gives_the_template_as_a_workbook(api_world):
    response = api_world.client("110000").get(url("template_file"))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"  # an xlsx is a zip


def test_it_sends_values_that_a_worker_validates(api_world):
    client = api_world.client("110000")
    response = send_values(client)
    assert response.status_code == 202, response.json()
    report = client.get(response["Location"]).json()
    assert report["validation"] == "valid" and report["current"] is True
    stored = {v["element_code"]: Decimal(str(v["value"])) for v in report["values"]}
    assert stored == {code: Decimal(value) for code, value in valid_values().items()}


def test_it_reads_values_as_an_officer_types_them(api_world):
    client = api_world.client("110000")
    values = {**valid_values(), "E101": "1,234.5"}
    response = send_values(client, values)
    assert response.status_code == 202
    version = Version.objects.get(submission=api_world.draft_bj)
    assert version.values.get(element__code="E101").value == Decimal("1234.5")


def test_it_keeps_the_values_and_notes_it_does_not_send(api_world):
    client = api_world.client("110000")
    send_values(client, notes={"E102": "unchanged note"})
    send_values(client, {"E101": 7})
    current = Submission.objects.get(pk=api_world.draft_bj.pk).current_version
    values = {v.element.code: v for v in current.values.select_related("element")}
    assert values["E101"].value == 7
    assert values["E102"].note == "unchanged note"
    assert len(values) == len(valid_values())


def test_it_refuses_unknown_elements_and_unreadable_values_naming_each(api_world):
    response = send_values(api_world.client("110000"), {"E101": "many", "X999": 1})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALUES_INVALID"
    assert {(e["code"], e["element_code"]) for e in body["errors"]} == {
        ("ELEMENT_UNKNOWN", "X999")}
    response = send_values(api_world.client("110000"), {"E101": "many"})
    assert [(e["code"], e["element_code"]) for e in response.json()["errors"]] == [
        ("VALUE_INVALID", "E101")]
    assert not Version.objects.filter(submission=api_world.draft_bj).exists()


def test_it_refuses_a_malformed_body_with_one_problem_per_field(api_world):
    response = post_json(api_world.client("110000"), url("values"),
                         {"values": [{"value": 1}]})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "INVALID_INPUT"
    assert [e["field"] for e in body["errors"]] == ["values.0.element_code"]


def test_it_sends_a_file(api_world):
    client = api_world.client("110000")
    content = template_csv(valid_values())
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url("file"), {"file": _named(content, "bj.csv")})
    assert response.status_code == 202, response.json()
    report = client.get(response["Location"]).json()
    assert report["source"] == "upload" and report["validation"] == "valid"


def test_it_gives_the_validation_report_of_a_version(api_world):
    client = api_world.client("110000")
    values = {**valid_values(), "E101": valid_values()["E101"] * 2}  # a change year on year
    report = client.get(send_values(client, values)["Location"]).json()
    warnings = [i for i in report["issues"] if i["severity"] == "warning"]
    assert {i["rule_code"] for i in warnings} >= {"YOY_CHANGE"}
    issue = next(i for i in warnings if i["element_code"] == "E101")
    assert issue["message_zh"] and issue["message_en"] and issue["year"] == 2018


def test_it_adds_explanations_to_warnings(api_world):
    client = api_world.client("110000")
    values = {**valid_values(), "E101": valid_values()["E101"] * 2}
    before = client.get(send_values(client, values)["Location"]).json()
    assert before["unexplained_warning_count"] >= 1
    warned = sorted({i["element_code"] for i in before["issues"]
                     if i["severity"] == "warning" and i["element_code"]})
    response = post_json(client, url("explanations"), {"explanations": [
        {"element_code": code, "note": "new broadband statistics"} for code in warned]})
    assert response.status_code == 202
    after = client.get(response["Location"]).json()
    assert after["unexplained_warning_count"] == 0
    assert {v["element_code"]: v["value"] for v in after["values"]} == {
        v["element_code"]: v["value"] for v in before["values"]}


def test_it_submits_and_the_worker_moves_it_to_review(api_world):
    client = api_world.client("110000")
    send_values(client)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url("submit"))
    assert response.status_code == 202
    assert client.get(url("submission")).json()["state"] == "awaiting_review"


def test_a_refused_submit_lists_the_problems(api_world):
    client = api_world.client("110000")
    send_values(client, {**valid_values(), "E101": -5})
    response = client.post(url("submit"))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "SUBMIT_HAS_ERRORS"
    assert any(e["element_code"] == "E101" and e["severity"] == "error"
               for e in body["errors"])


def test_it_refuses_a_change_once_submitted_with_the_webs_code(api_world):
    client = api_world.client("110000")
    send_values(client)
    client.post(url("submit"))
    response = send_values(client, {"E101": 1})
    assert response.status_code == 409
    assert response.json()["code"] == "NOT_EDITABLE"


def test_it_answers_in_the_language_asked(api_world):
    client = api_world.client("110000", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(url("submit"))
    assert response.json()["code"] == "SUBMIT_WITHOUT_VERSION"
    assert "upload" in response.json()["detail"].lower()
    chinese = api_world.client("110000", HTTP_ACCEPT_LANGUAGE="zh-hans").post(url("submit"))
    assert "上传" in chinese.json()["detail"]


def test_every_call_is_audited_under_the_tokens_name(api_world):
    client = api_world.client("110000")
    before = AuditEntry.objects.count()
    client.get(url("submission"))
    send_values(client)
    uses = AuditEntry.objects.filter(action="api_token.use").order_by("sequence")
    assert [e.data["token"] for e in uses] == ["stats-110000", "stats-110000"]
    assert uses.last().data["method"] == "POST"
    edit = AuditEntry.objects.get(action="version.edit")
    assert edit.actor_name == "api.stats-110000" and edit.region_code == "110000"
    assert AuditEntry.objects.count() > before + 2


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.mark.parametrize("call", ["values", "file", "explanations", "submit"])
def test_a_closed_cycle_refuses_every_change_with_409_and_its_code(api_world, call):
    from submissions.models import Cycle

    client = api_world.client("110000")
    if call == "submit":
        send_values(client)
    Cycle.objects.filter(pk=api_world.draft_bj.cycle_id).update(state=Cycle.State.CLOSED)
    versions = Version.objects.count()
    if call == "values":
        response = send_values(client)
    elif call == "file":
        response = client.post(url("file"), {"file": _named(template_csv(valid_values()),
                                                            "bj.csv")})
    elif call == "explanations":
        response = post_json(client, url("explanations"), {"explanations": [
            {"element_code": "E101", "note": "late"}]})
    else:
        response = client.post(url("submit"))
    assert response.status_code == 409
    assert response.json()["code"] == "CYCLE_CLOSED"
    assert response["Content-Type"].startswith("application/problem+json")
    assert Version.objects.count() == versions
    api_world.draft_bj.refresh_from_db()
    assert api_world.draft_bj.state == Submission.State.DRAFT


def test_a_submit_with_unexplained_warnings_answers_409(api_world):
    client = api_world.client("110000")
    halved = {c: (v / 2 if c in ("E201", "E202") else v) for c, v in valid_values().items()}
    report = client.get(send_values(client, halved)["Location"]).json()
    assert report["error_count"] == 0 and report["unexplained_warning_count"] >= 1
    response = client.post(url("submit"))
    assert response.status_code == 409
    assert response.json()["code"] == "WARNINGS_UNEXPLAINED"

"""A published figure traced back to its file, and the run verified identical."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scoring.services import run_create, run_publish
from submissions.models import Cycle, Submission
from submissions.services.versions import version_create_from_upload
from submissions.workflow import Action, Actor
from tests.submissions.helpers import template_csv, valid_values


@pytest.fixture
def published(officer_bj, administrator, django_capture_on_commit_callbacks):
    from indicators.models import ModelVersion
    from submissions.services.cycles import cycle_create
    from submissions.services.review import submission_submit, submission_transition

    cycle = cycle_create(year=2017, model_version=ModelVersion.objects.get(code="2017"),
                         opens_on="2018-01-01", deadline="2018-03-31", actor=administrator)
    submission = Submission.objects.get(cycle=cycle, region=officer_bj.region)
    content = template_csv(valid_values())
    with django_capture_on_commit_callbacks(execute=True):
        version = version_create_from_upload(submission=submission, content=content,
                                             filename="北京2017.csv", actor=officer_bj)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission_id=submission.pk, actor=officer_bj)
    submission_transition(submission_id=submission.pk, action=Action.APPROVE,
                          actor=administrator, actor_role=Actor.ADMINISTRATOR)
    run = run_create(cycle=Cycle.objects.get(pk=cycle.pk), actor=administrator)
    run_publish(run=run, actor=administrator, allow_incomplete=True)
    version.refresh_from_db()
    return run, version


def test_it_traces_a_figure_to_its_values_version_and_file(auditor_client, published):
    run, version = published
    page = auditor_client.get(reverse("scoring:trace", args=[run.pk, "110000"])).content.decode()
    assert version.file.sha256 in page and "北京2017.csv" in page
    assert reverse("submissions:file", args=[version.file.pk]) in page
    e101 = page[page.index('data-code="E101"'):]
    assert str(valid_values()["E101"]) in e101[:e101.index("</tr>")]
    assert "16.570000" in page  # D1 at full precision, as the report's 16.57


def test_it_verifies_the_run_identical(auditor_client, published):
    run, _ = published
    page = auditor_client.get(reverse("scoring:provenance", args=[run.pk]),
                              {"verify": "1"}).content.decode()
    assert 'data-identical="true"' in page and run.input_hash in page


def test_it_detects_a_changed_input(auditor_client, published):
    run, version = published
    from django.db import connection

    # Tampering below the product: a stored value changed directly in the database.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE submissions_value SET value = 1 WHERE version_id = %s "
                       "AND element_id IN (SELECT id FROM indicators_dataelement "
                       "WHERE code = 'E201')", [version.pk])
    page = auditor_client.get(reverse("scoring:provenance", args=[run.pk]),
                              {"verify": "1"}).content.decode()
    assert 'data-identical="false"' in page


def test_it_hides_provenance_from_officers(bj_client, published):
    run, _ = published
    assert bj_client.get(reverse("scoring:provenance", args=[run.pk])).status_code == 403

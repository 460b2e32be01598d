from __future__ import annotations

from django.urls import reverse

from submissions.services.versions import version_create_from_upload
from tests.submissions.helpers import template_csv, valid_values


def _url(submission) -> str:
    return reverse("submissions:detail", args=[submission.pk])


def test_it_shows_each_problem_at_its_cell(bj_client, bj_submission, officer_bj,
                                           django_capture_on_commit_callbacks):
    values = valid_values()
    values["E102"] = "１０１"
    with django_capture_on_commit_callbacks(execute=True):
        version_create_from_upload(submission=bj_submission, content=template_csv(values),
                                   filename="data.csv", actor=officer_bj)
    page = bj_client.get(_url(bj_submission)).content.decode()
    row = page[page.index('data-code="E102"'):]
    row = row[:row.index("</tr>")]
    assert 'data-rule="ABOVE_MAX"' in row and "不大于 100" in row
    assert f"C{list(values).index('E102') + 2}" in row  # the cell, e.g. C6


def test_it_shows_english_messages_in_english(bj_client, bj_submission, officer_bj,
                                              django_capture_on_commit_callbacks):
    values = valid_values()
    values["E102"] = "101"
    with django_capture_on_commit_callbacks(execute=True):
        version_create_from_upload(submission=bj_submission, content=template_csv(values),
                                   filename="data.csv", actor=officer_bj)
    page = bj_client.get(_url(bj_submission), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "must be at most 100" in page


def test_it_answers_404_to_another_regions_officer(sh_client, bj_submission):
    assert sh_client.get(_url(bj_submission)).status_code == 404


def test_it_lets_staff_read_every_region(reviewer_client, auditor_client, admin_client_,
                                         bj_submission):
    for client in (reviewer_client, auditor_client, admin_client_):
        response = client.get(_url(bj_submission))
        assert response.status_code == 200
        assert "upload-button" not in response.content.decode()  # staff cannot change values


def test_it_sends_anonymous_visitors_to_the_login(anon_client, bj_submission):
    assert anon_client.get(_url(bj_submission)).status_code == 302

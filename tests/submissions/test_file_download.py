from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.services.versions import version_create_from_upload
from tests.submissions.helpers import template_csv, valid_values


def test_it_gives_back_the_file_as_received(bj_client, auditor_client, bj_submission, officer_bj):
    content = template_csv(valid_values(), encoding="gb18030")
    version = version_create_from_upload(submission=bj_submission, content=content,
                                         filename="北京 数据.csv", actor=officer_bj)
    url = reverse("submissions:file", args=[version.file.pk])
    for client in (bj_client, auditor_client):
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert "attachment" in response["Content-Disposition"]


def test_it_answers_404_to_another_regions_officer(sh_client, bj_submission, officer_bj):
    version = version_create_from_upload(submission=bj_submission,
                                         content=template_csv(valid_values()),
                                         filename="d.csv", actor=officer_bj)
    assert sh_client.get(reverse("submissions:file", args=[version.file.pk])).status_code == 404


@pytest.mark.parametrize("filename", ["x.js", "x.html", "x.svg", "x.htm", "x.xml", "x.csv",
                                      'a"b\r\nSet-Cookie: x=1.xlsx', "../../etc/passwd"])
def test_it_serves_a_stored_file_as_data_whatever_its_name(bj_client, bj_submission, officer_bj,
                                                           filename):
    """A name from the uploader (``.js``, ``.html``, ``.svg``) chose the type: a same-origin
    script gadget (issue 16, point 6)."""
    content = b"<script>alert(1)</script>\n" + template_csv(valid_values())
    version = version_create_from_upload(submission=bj_submission, content=content,
                                         filename=filename, actor=officer_bj)
    response = bj_client.get(reverse("submissions:file", args=[version.file.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "\n" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content

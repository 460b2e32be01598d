"""Bodies refused by their Content-Length before they are read (issue 16, point 7).

A 400 MB upload, even from an anonymous client, was received in full (written to a temporary
file by Django's multipart parser) before the 10 MB check of the upload view. The body is now
refused by its announced length, before any middleware or view reads a byte of it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from config.middleware import BODY_TOO_LARGE, body_limit
from submissions.models import Version
from tests.submissions.helpers import template_csv, valid_values

HUGE = 400 * 1024 * 1024


class Unreadable:
    """A request body that must not be read."""

    read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    def readline(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


def post_huge(client: Client, path: str, length: int = HUGE, **extra):
    return client.generic("POST", path, b"x", content_type="multipart/form-data; boundary=x",
                          CONTENT_LENGTH=str(length), **{"wsgi.input": Unreadable()}, **extra)


def test_it_refuses_a_huge_upload_of_an_anonymous_client_unread(bj_submission):
    client = Client()
    response = post_huge(client, reverse("submissions:upload", args=[bj_submission.pk]))
    assert response.status_code == 413
    assert "400 MB" in response.content.decode()
    assert not Version.objects.exists()


def test_it_refuses_a_huge_login_post_unread(bootstrapped):
    assert post_huge(Client(), reverse("accounts:login")).status_code == 413


def test_it_refuses_an_officers_huge_upload_in_the_language_of_the_request(bj_client,
                                                                           bj_submission):
    url = reverse("submissions:upload", args=[bj_submission.pk])
    chinese = post_huge(bj_client, url).content.decode()
    english = post_huge(bj_client, url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "上限" in chinese
    assert "limit" in english and "上限" not in english


def test_the_limit_is_the_upload_limit_plus_the_forms_overhead(bj_submission):
    assert settings.REQUEST_MAX_BYTES > settings.UPLOAD_MAX_BYTES
    url = reverse("submissions:upload", args=[bj_submission.pk])
    assert post_huge(Client(), url, settings.REQUEST_MAX_BYTES + 1).status_code == 413


def test_it_refuses_a_malformed_length(bootstrapped):
    response = Client().generic("POST", reverse("accounts:login"), b"x",
                                CONTENT_LENGTH="12abc", **{"wsgi.input": Unreadable()})
    assert response.status_code == 400


def test_an_upload_under_the_limit_goes_through(bj_client, bj_submission,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = bj_client.post(reverse("submissions:upload", args=[bj_submission.pk]),
                                  {"file": SimpleUploadedFile("d.csv",
                                                              template_csv(valid_values()))})
    assert response.status_code == 302
    assert Version.objects.count() == 1


def test_the_bulk_load_page_has_the_bulk_limit(bootstrapped, settings):
    client = Client(raise_request_exception=False)
    url = reverse("submissions:bulk_import")
    assert body_limit(url) == settings.BULK_MAX_BYTES + 1024 * 1024 > settings.REQUEST_MAX_BYTES
    larger = client.generic("POST", url, b"x", CONTENT_LENGTH=str(settings.BULK_MAX_BYTES))
    assert larger.status_code != 413  # let through to the view (which asks for a login)
    assert post_huge(client, url).status_code == 413
    assert body_limit(url + "x") == settings.REQUEST_MAX_BYTES  # the page itself, no prefix


def test_the_message_names_the_size_and_the_limit():
    assert "{size}" in str(BODY_TOO_LARGE) and "{limit}" in str(BODY_TOO_LARGE)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_it_refuses_other_methods_with_bodies_too(bootstrapped, method):
    response = Client().generic(method, "/accounts/login/", b"x", CONTENT_LENGTH=str(HUGE),
                                **{"wsgi.input": Unreadable()})
    assert response.status_code == 413

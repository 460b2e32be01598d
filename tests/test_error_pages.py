"""The error pages (403, 404, 500, a refused form, a locked login): in the person's language,
in the site's frame, with a plain explanation and a link to ``/``; a refusal in the log is one
line, not a traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from common.log_filters import RefusalWithoutTraceback
from config.views import server_error

pytestmark = pytest.mark.django_db


def _framed(page: str) -> None:
    assert 'class="site-header"' in page and 'class="site-footer"' in page
    assert 'id="error-home" href="/"' in page


def test_an_officer_on_the_audit_log_gets_the_403_page_in_chinese(bj_client):
    response = bj_client.get("/audit/")
    assert response.status_code == 403
    page = response.content.decode()
    _framed(page)
    assert "无权访问" in page and "安全管理员" in page


def test_the_403_page_is_english_for_an_english_reader(bj_client):
    page = bj_client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Access denied" in page and "无权访问" not in page


def test_a_foreign_regions_submission_is_not_found_in_the_persons_language(
        bj_client, sh_submission):
    response = bj_client.get(reverse("submissions:detail", args=[sh_submission.pk]))
    assert response.status_code == 404
    _framed(response.content.decode())
    assert "页面不存在" in response.content.decode()
    english = bj_client.get(reverse("submissions:detail", args=[sh_submission.pk]),
                            HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page not found" in english and "页面不存在" not in english


def test_an_unknown_address_is_not_found_for_the_public(anon_client):
    response = anon_client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    page = response.content.decode()
    _framed(page)
    assert "Page not found" in page


def test_a_form_from_an_expired_page_gets_the_sites_page(officer_bj):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"),
                           {"username": "officer-bj", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    _framed(page)
    assert "页面已过期" in page and "CSRF" not in page
    english = client.post(reverse("accounts:login"), {"username": "officer-bj"},
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This page has expired" in english


def test_a_server_error_gets_the_sites_page(rf, anon_client):
    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    _framed(page)
    assert "系统出错" in page


def test_a_server_error_without_a_frame_still_explains_itself(rf):
    request = rf.get("/")  # no user: the frame cannot be drawn
    response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错" in page and 'href="/"' in page and "site-header" not in page


def test_a_locked_login_gets_the_sites_page_in_the_persons_language(officer_bj, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = Client().post(reverse("accounts:login"),
                                 {"username": "officer-bj", "password": "wrong"},
                                 REMOTE_ADDR="10.0.0.9", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    page = response.content.decode()
    _framed(page)
    assert "Sign-in temporarily locked" in page and "15 minutes" in page
    chinese = Client().post(reverse("accounts:login"),
                            {"username": "officer-bj", "password": "wrong"},
                            REMOTE_ADDR="10.0.0.9").content.decode()
    assert "登录已暂时锁定" in chinese and "15 分钟" in chinese


def test_a_refusal_is_logged_as_one_line_without_a_traceback(bj_client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        bj_client.get("/audit/")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.exc_info is None for r in records)
    assert "Forbidden" in records[0].getMessage()


def test_the_filter_keeps_the_traceback_of_a_server_error():
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None,
                                   sys.exc_info())
    record.status_code = 500
    assert RefusalWithoutTraceback().filter(record) and record.exc_info is not None

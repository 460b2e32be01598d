"""Every query parameter parsed strictly (issue 16, point 4).

``?run=²`` (a superscript two passes ``str.isdigit()`` and fails ``int()``) answered 500 to
anonymous visitors on the public rankings, grid, region, dimension and CSV URLs, and ``?a=²``
on the timeline. A malformed parameter now answers 400 (or 404 for a well-formed id of nothing)
in the page's language, and nothing is logged with a traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from common.params import PARAMETER_INVALID
from indicators.models import Region
from tests.factories import UserFactory
from tests.public.conftest import empty_cycle, load, score_and_publish

# Not ASCII digits, or not a whole number a database holds.
BAD_NUMBERS = ["²", "٣", "１", "-1", "1.0", "1e3", " 1", "abc", "9" * 50, "0x1"]

PUBLIC_URLS = [
    "/rankings/2017/",
    "/rankings/2017/grid/",
    "/rankings/2017/regions/110000/",
    "/rankings/2017/dimensions/D1/",
    "/rankings/2017/overall.csv",
    "/rankings/2017/D1.xlsx",
    "/rankings/2017/overall.pdf",
    "/rankings/2017/weights/",
]


@pytest.fixture
def published(bootstrapped):
    admin = UserFactory(username="admin-q", is_staff=True, role_names=["administrator"])
    codes = list(Region.objects.order_by("order").values_list("code", flat=True))
    empty_cycle(2016, admin)
    return score_and_publish(load(2017, codes, admin), admin)


def assert_refused(response, *, english: bool = False) -> None:
    assert response.status_code in (400, 404), response.status_code
    if response.status_code == 400:
        body = response.content.decode()
        text = "is not valid" if english else "无效"
        assert text in body, body[:500]


def no_traceback_logged(caplog) -> None:
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not bad, [(r.name, r.getMessage()) for r in bad]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_a_malformed_run_is_refused_on_every_public_page(published, url, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        for value in BAD_NUMBERS:
            response = client.get(url, {"run": value})
            assert response.status_code == 400, (url, value, response.status_code)
            assert_refused(response)
    no_traceback_logged(caplog)


def test_the_refusal_is_in_the_language_of_the_page(published):
    client = Client(raise_request_exception=False)
    english = client.get("/rankings/2017/", {"run": "²"}, HTTP_ACCEPT_LANGUAGE="en")
    assert_refused(english, english=True)
    assert "run" in english.content.decode()
    chinese = client.get("/rankings/2017/", {"run": "²"})
    assert_refused(chinese)


def test_a_well_formed_run_of_nothing_is_404(published):
    client = Client(raise_request_exception=False)
    for value in ("999999", "0", "9" * 30):
        assert client.get("/rankings/2017/", {"run": value}).status_code == 404
    assert client.get("/rankings/2017/", {"run": str(published.pk)}).status_code == 200


def test_the_region_finder_refuses_junk(published):
    client = Client(raise_request_exception=False)
    assert client.get(reverse("public:region_find"), {"code": "²"}).status_code in (400, 404)
    assert client.get(reverse("public:region_find"), {"code": "110000"}).status_code == 302


def test_the_timeline_refuses_malformed_versions(bj_client, bj_submission, caplog):
    url = reverse("submissions:timeline", args=[bj_submission.pk])
    bj_client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        for value in BAD_NUMBERS:
            for params in ({"a": value}, {"b": value}, {"a": "1", "b": value}):
                response = bj_client.get(url, params)
                assert response.status_code == 400, (params, response.status_code)
                assert_refused(response)
    assert bj_client.get(url, {"a": "1", "b": "2"}).status_code == 200  # no such versions yet
    no_traceback_logged(caplog)


@pytest.mark.parametrize("params", [
    {"page": "²"}, {"per_page": "²"}, {"sort": "²"}, {"cycle": "²"}, {"region": "²"},
    {"state": "²"}, {"_export": "²"}, {"unexplained": "²"},
])
def test_the_queue_never_answers_500(reviewer_client, bj_submission, params, caplog):
    reviewer_client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        response = reviewer_client.get(reverse("submissions:queue"), params)
    assert response.status_code in (200, 400, 404)
    no_traceback_logged(caplog)


@pytest.mark.parametrize("params", [
    {"page": "²"}, {"per_page": "²"}, {"sort": "²"}, {"cycle": "²"}, {"since": "²"},
    {"until": "2017-02-30"}, {"_export": "²"},
])
def test_the_audit_log_never_answers_500(auditor_client, bootstrapped, params, caplog):
    auditor_client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        response = auditor_client.get(reverse("audit:log"), params)
    assert response.status_code in (200, 400, 404)
    no_traceback_logged(caplog)


def test_the_message_names_the_parameter():
    assert "{name}" in str(PARAMETER_INVALID)

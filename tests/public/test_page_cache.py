"""The whole-page cache of the public pages for anonymous visitors (public/page_cache.py,
public/middleware.py): what it keeps, for whom, and when it starts over."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from public import page_cache
from tests.factories import verified_login
from tests.public.conftest import (
    count_queries,
    empty_caches,
    english,
    page,
    score,
    score_and_publish,
)

URL = "/rankings/2017/"
PAGES = [URL, "/rankings/2017/grid/", "/rankings/2017/dimensions/D1/",
         "/rankings/2017/regions/110000/", "/rankings/publications/"]


def signed_in(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


@pytest.mark.parametrize("url", PAGES)
def test_it_serves_the_next_anonymous_visitor_without_a_query(world, url: str):
    first = Client().get(url)
    assert count_queries(Client(), url) == 0
    again = Client().get(url)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Content-Language"] == "zh-hans"
    assert "Accept-Language" in again["Vary"]


def test_it_keeps_the_languages_apart(world, client: Client):
    page(client, URL)
    english(client, URL)
    _r, chinese = page(Client(), URL)
    _r, by_header = english(Client(), URL)
    by_cookie = Client()
    by_cookie.cookies["django_language"] = "en"
    _r, from_cookie = page(by_cookie, URL)
    assert chinese.tables["ranking-table"][0][1] == "北京"
    assert by_header.tables["ranking-table"][0][1] == "Beijing"
    assert from_cookie.tables["ranking-table"][0][1] == "Beijing"


def test_it_builds_the_page_for_a_signed_in_person(world, officer_bj):
    page(Client(), URL)  # kept for anonymous visitors
    officer = signed_in(officer_bj)
    assert count_queries(officer, URL) > 0
    assert str(officer_bj) in officer.get(URL).content.decode()
    # and what the officer saw is not kept for the next anonymous visitor
    assert str(officer_bj) not in Client().get(URL).content.decode()


def test_it_keeps_nothing_for_a_visitor_with_other_cookies(world):
    visitor = Client()
    visitor.cookies["messages"] = "anything"
    assert count_queries(visitor, URL) > 0
    assert count_queries(visitor, URL) > 0
    assert not page_cache._pages


@pytest.mark.parametrize("query", ["x=1", "run=1&x=1", "run=abc", "run=" + "9" * 30])
def test_it_keeps_no_page_for_another_query_string(world, query: str):
    for _ in range(2):
        Client().get(f"{URL}?{query}")
    assert not page_cache._pages


def test_a_page_pinned_to_a_publication_is_kept_under_its_run(world):
    url = f"{URL}?run={world.run2017.pk}"
    page(Client(), url)
    assert count_queries(Client(), url) == 0
    assert [key[2] for key in page_cache._pages] == [url]


def test_it_keeps_no_answer_but_a_page(world):
    unpublished = score(world.cycle2017, world.admin)
    for _ in range(2):
        assert Client().get(f"{URL}?run={unpublished.pk}").status_code == 404
        assert Client().get("/rankings/1999/").status_code == 404
        assert Client().get("/rankings/").status_code == 302
    assert not page_cache._pages


def test_a_publication_starts_over_in_this_process_at_once(world):
    page(Client(), URL)
    revision = score_and_publish(world.cycle2017, world.admin, note="更正数据")
    content = Client().get(URL).content.decode()
    assert f"?run={revision.pk}" in content and "更正数据" in content


def test_a_committed_publication_starts_over_in_every_process(
        world, django_capture_on_commit_callbacks, monkeypatch):
    before = page_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        score_and_publish(world.cycle2017, world.admin, note="更正数据")
    assert page_cache.generation() not in (None, before)

    # Another process published: this one sees the new generation at its next check.
    page(Client(), URL)
    assert count_queries(Client(), URL) == 0
    cache.set(page_cache.GENERATION_KEY, "published elsewhere", None)
    monkeypatch.setattr(page_cache, "GENERATION_CHECK_SECONDS", 0.0)
    assert count_queries(Client(), URL) > 0


def test_a_page_is_rebuilt_after_its_time(world, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(page_cache, "_clock", lambda: now[0])
    page(Client(), URL)
    now[0] += page_cache.MAX_KEEP_SECONDS - 1
    assert count_queries(Client(), URL) == 0
    now[0] += 1
    assert count_queries(Client(), URL) > 0


def test_it_is_off_with_the_cache(world, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    page(Client(), URL)
    assert count_queries(Client(), URL) > 0
    assert not page_cache._pages


def test_it_builds_every_page_when_the_shared_cache_is_unreachable(world, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    empty_caches()
    monkeypatch.setattr(cache, "get_or_set", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    for _ in range(2):
        _r, html = page(Client(), URL)
        assert html.tables["ranking-table"][0][1] == "北京"
    assert not page_cache._pages


def test_a_host_not_allowed_is_refused_also_from_the_cache(world):
    page(Client(), URL)
    assert Client().get(URL, HTTP_HOST="evil.example").status_code == 400


def test_it_keeps_at_most_its_bound(world, monkeypatch):
    monkeypatch.setattr(page_cache, "MAX_PAGES", 2)
    for url in PAGES[:3]:
        page(Client(), url)
    assert [key[2] for key in page_cache._pages] == PAGES[1:3]

"""通知公告: the public list (`/notices/`) and each announcement, the latest first, in the
reader's language, drafts and withdrawn ones never shown; the home page's latest five; the
administrators' page (`/notices/manage/`) that writes, publishes and withdraws them."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

from django.test import Client
from django.urls import reverse

from public.models import Announcement
from public.services import announcement_create, announcement_withdraw
from tests.public.conftest import Tables

TEXTS = {"title_zh": "2018 年度填报开始", "title_en": "Reporting for 2018 opens",
         "body_zh": "请各地区按时填报。\n截止日期为 3 月 31 日。",
         "body_en": "Please report on time.\nThe deadline is 31 March."}


def _make(actor, n: int, *, publish: bool = True) -> Announcement:
    texts = {k: f"{v} #{n}" for k, v in TEXTS.items()}
    moment = datetime(2018, 1, n, 8, 0, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return announcement_create(actor=actor, publish=publish, **texts)


def _titles(client: Client, url: str, **extra) -> list[str]:
    response = client.get(url, **extra)
    assert response.status_code == 200
    return [text for href, text in Tables(response.content.decode()).links
            if href.startswith("/notices/") and href[9:-1].isdigit()]


def test_the_public_sees_the_published_ones_latest_first(administrator, anon_client,
                                                        django_assert_num_queries):
    for n in (1, 2, 3):
        _make(administrator, n)
    _make(administrator, 4, publish=False)
    withdrawn = _make(administrator, 5)
    announcement_withdraw(announcement=withdrawn, actor=administrator)
    with django_assert_num_queries(2):  # the count and the page
        titles = _titles(anon_client, "/notices/")
    assert titles == [f"{TEXTS['title_zh']} #{n}" for n in (3, 2, 1)]
    assert _titles(anon_client, "/notices/", HTTP_ACCEPT_LANGUAGE="en") == [
        f"{TEXTS['title_en']} #{n}" for n in (3, 2, 1)]


def test_an_announcement_reads_in_the_readers_language(administrator, anon_client):
    item = _make(administrator, 9)
    content = anon_client.get(f"/notices/{item.pk}/").content.decode()
    assert "<h1>2018 年度填报开始 #9</h1>" in content
    assert "请各地区按时填报。<br>截止日期为 3 月 31 日。 #9" in content
    assert "2018-01-09 16:00" in content  # 08:00 UTC is 16:00 in Beijing
    english = anon_client.get(f"/notices/{item.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>Reporting for 2018 opens #9</h1>" in english.content.decode()


def test_a_draft_or_withdrawn_announcement_is_not_found(administrator, anon_client):
    draft = _make(administrator, 1, publish=False)
    gone = _make(administrator, 2)
    announcement_withdraw(announcement=gone, actor=administrator)
    assert anon_client.get(f"/notices/{draft.pk}/").status_code == 404
    assert anon_client.get(f"/notices/{gone.pk}/").status_code == 404
    assert anon_client.get("/notices/999999/").status_code == 404


def test_the_text_is_escaped(administrator, anon_client):
    item = announcement_create(actor=administrator, publish=True,
                               **{**TEXTS, "body_zh": "<script>alert(1)</script>"})
    content = anon_client.get(f"/notices/{item.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_the_list_is_paged(administrator, anon_client):
    for n in range(1, 23):
        _make(administrator, n)
    assert len(_titles(anon_client, "/notices/")) == 20
    assert len(_titles(anon_client, "/notices/?page=2")) == 2
    assert "第 1 页，共 2 页" in anon_client.get("/notices/").content.decode()


def test_the_home_page_shows_the_latest_five(administrator, anon_client):
    for n in range(1, 8):
        _make(administrator, n)
    titles = _titles(anon_client, "/")
    assert titles == [f"{TEXTS['title_zh']} #{n}" for n in (7, 6, 5, 4, 3)]


def test_an_administrator_writes_and_publishes_one(admin_client_, anon_client):
    response = admin_client_.post(reverse("site:announcements_manage"),
                                  {**TEXTS, "publish": "on"})
    assert response.status_code == 302
    item = Announcement.objects.get()
    assert item.is_published and item.body_en == TEXTS["body_en"]
    assert _titles(anon_client, "/notices/") == [TEXTS["title_zh"]]


def test_a_form_without_english_is_shown_again_with_the_field_named(admin_client_):
    response = admin_client_.post(reverse("site:announcements_manage"),
                                  {**TEXTS, "title_en": ""})
    assert response.status_code == 200 and not Announcement.objects.exists()
    assert 'class="errorlist"' in response.content.decode()


def test_an_administrator_edits_withdraws_and_publishes_again(administrator, admin_client_,
                                                              anon_client):
    item = _make(administrator, 1)
    edit = reverse("site:announcement_edit", args=[item.pk])
    assert admin_client_.get(edit).status_code == 200
    response = admin_client_.post(edit, {**TEXTS, "title_zh": "更正：2018 年度填报开始"})
    assert response.status_code == 302
    assert _titles(anon_client, "/notices/") == ["更正：2018 年度填报开始"]
    admin_client_.post(reverse("site:announcement_withdraw", args=[item.pk]))
    assert _titles(anon_client, "/notices/") == []
    admin_client_.post(reverse("site:announcement_publish", args=[item.pk]))
    assert _titles(anon_client, "/notices/") == ["更正：2018 年度填报开始"]
    page = admin_client_.get(reverse("site:announcements_manage")).content.decode()
    assert "已发布" in page and "更正：2018 年度填报开始" in page


def test_only_administrators_manage_them(administrator, reviewer_client, auditor_client,
                                         bj_client):
    item = _make(administrator, 1)
    for client in (reviewer_client, auditor_client, bj_client):
        assert client.get(reverse("site:announcements_manage")).status_code == 403
        assert client.post(reverse("site:announcement_withdraw",
                                   args=[item.pk])).status_code == 403
    item.refresh_from_db()
    assert item.is_published

"""The pages and documents touched by issue 14's one translation mechanism, in both languages:
an English page shows no Chinese text, a Chinese page no English word — data aside (file
formats, units such as Tbps, the language switch's own "English")."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from accounts import roles
from scoring.models import ScoringRun
from submissions.models import Submission
from submissions.template import DATA_SHEET, HEADER_ROW, INSTRUCTIONS_SHEET
from tests.factories import UserFactory, make_officer, verified_login
from tests.test_translations import _visible_text, published_2017  # noqa: F401 - a fixture

CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
# An e-mail address (the footer's contact) is a name, not a word.
ENGLISH_WORD = re.compile(r"(?<![\w./#@-])[A-Za-z]{3,}(?![\w./@-])")
# Names, not words: file formats, a unit of the targets, the language switch's "English".
NAMES = {"CSV", "Excel", "PDF", "JSON", "Tbps", "English"}


def _text(client: Client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (url, response.status_code)
    return _visible_text(response.content.decode())


@pytest.fixture
def run(published_2017: int) -> ScoringRun:  # noqa: F811 - the imported fixture
    return ScoringRun.objects.get(cycle__year=published_2017)


@pytest.fixture
def admin(run: ScoringRun) -> Client:
    client = Client()
    verified_login(client, run.created_by)
    return client


def _pages(run: ScoringRun) -> list[str]:
    year = run.cycle.year
    return [
        reverse("national:cycle", args=[year]),
        reverse("national:targets"),
        reverse("scoring:runs"),
        reverse("scoring:run", args=[run.pk]),
        reverse("scoring:provenance", args=[run.pk]) + "?verify=1",
        reverse("scoring:trace", args=[run.pk, "110000"]),
        reverse("public:overall", args=[year]),
        reverse("public:dimension", args=[year, "D1"]),
        reverse("public:region", args=[year, "110000"]),
        reverse("public:grid", args=[year]),
    ]


@pytest.fixture
def auditor_of_the_log(run: ScoringRun) -> Client:
    """The audit log is the auditors' alone (separation of duties)."""
    return verified_login(Client(), UserFactory(username="i18n-auditor",
                                                role_names=[roles.AUDITOR]))


# One's own sign-in pages, which every person sees.
ACCOUNT_PAGES = ("accounts:password_change", "accounts:security")


def test_it_shows_no_chinese_on_the_english_pages(run: ScoringRun, admin: Client,
                                                  auditor_of_the_log: Client) -> None:
    found = {url: CHINESE.findall(_text(admin, url, "en"))
             for url in [*_pages(run), *map(reverse, ACCOUNT_PAGES)]}
    # The audit log too: its entries' details are data, but none is Chinese here.
    found[reverse("audit:log")] = CHINESE.findall(
        _text(auditor_of_the_log, reverse("audit:log"), "en"))
    assert not {url: words for url, words in found.items() if words}


def test_it_shows_no_english_word_on_the_chinese_pages(run: ScoringRun, admin: Client) -> None:
    found = {url: set(ENGLISH_WORD.findall(_text(admin, url, "zh-hans"))) - NAMES
             for url in [*_pages(run), *map(reverse, ACCOUNT_PAGES)]}
    assert not {url: words for url, words in found.items() if words}


def test_it_shows_the_units_in_the_language_of_the_page(run: ScoringRun, admin: Client) -> None:
    url = reverse("public:region", args=[run.cycle.year, "110000"])
    assert "%" in _text(admin, url, "en") and "个/百站" in _text(admin, url, "zh-hans")
    assert "per 100 websites" in _text(admin, url, "en")
    targets = _text(admin, reverse("national:targets"), "en")
    assert "trillion yuan" in targets and "Informatization" in targets


def test_it_writes_the_template_download_in_english(run: ScoringRun) -> None:
    officer = make_officer("110000", "officer-i18n")
    submission = Submission.objects.get(cycle=run.cycle, region=officer.region)
    client = Client()
    verified_login(client, officer)
    response = client.get(reverse("submissions:template", args=[submission.pk]),
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    lines = [str(row[0]) for row in book[INSTRUCTIONS_SHEET].iter_rows(values_only=True)]
    header = [str(c.value) for c in book[DATA_SHEET][HEADER_ROW]]
    assert header[:2] == ["Code", "Name"] and "Beijing" in lines[0]
    # The sheet name the reader looks for and the "no value" token 无 are input, not text.
    left = [line for line in lines + header
            if CHINESE.search(line.replace(DATA_SHEET, "").replace("无", ""))]
    assert not left, left

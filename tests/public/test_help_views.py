"""The help pages (`/help/`, `/help/<role>/`): one for each role, in the reader's language;
the officer's page explains every check an upload goes through — one entry for every built-in
rule code, in words, never the code — and lists the model's own rules; the public's page says
how the index is made, with the published model's dimensions."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from indicators.models import ModelVersion, Rule
from public.help import BUILT_IN_CHECKS
from submissions import values
from submissions.rules import MESSAGES
from tests.public.conftest import Tables

RAW_CODE = re.compile(r"\[[A-Z_]{4,}\]|\b[A-Z]+_[A-Z_]+\b")
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
ROLES = ["public", "officer", "reviewer", "administrator"]


def _visible(html: str) -> str:
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", body)


def test_every_built_in_rule_code_is_explained():
    codes = set(MESSAGES) | {name for name in values.__all__ if name.isupper()}
    assert {c.code for c in BUILT_IN_CHECKS} == codes


def test_the_index_lists_a_page_for_each_role(bootstrapped, client: Client):
    response = client.get("/help/")
    links = [href for href, _text in Tables(response.content.decode()).links]
    assert [f"/help/{role}/" in links for role in ROLES] == [True] * 4


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_page_reads_in_its_language_without_codes(bootstrapped, client: Client,
                                                       role: str, language: str):
    response = client.get(f"/help/{role}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    text = _visible(response.content.decode())
    assert not RAW_CODE.findall(text), RAW_CODE.findall(text)
    if language == "en":
        # 无 is what an officer types for "no value": quoted, as the template wants it
        assert set(CHINESE.findall(text)) <= {"无"}, set(CHINESE.findall(text))


def test_the_officer_page_explains_each_check_and_each_rule_of_the_model(bootstrapped,
                                                                         client: Client):
    html = Tables(client.get("/help/officer/").content.decode())
    checks = html.tables["help-checks"]
    assert len(checks) == len(BUILT_IN_CHECKS)
    assert checks[[c.code for c in BUILT_IN_CHECKS]
                                        .index("YOY_CHANGE")][:2] == ["同比变化过大", "警告"]
    model = ModelVersion.objects.get(code="2017")
    rules = list(Rule.objects.filter(version=model).order_by("order"))
    assert rules, "the shipped model has rules"
    assert [row[0] for row in html.tables["help-rules"]] == [r.message_zh for r in rules]
    assert [row[2] for row in html.tables["help-rules"]] == [r.expression for r in rules]
    english = Tables(client.get("/help/officer/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert [row[0] for row in english.tables["help-rules"]] == [r.message_en for r in rules]


def test_the_public_page_names_the_dimensions_and_their_points(bootstrapped, client: Client):
    html = Tables(client.get("/help/public/").content.decode())
    rows = html.tables["help-dimensions"]
    assert [r[0] for r in rows] == ["信息服务应用", "信息技术产业", "产业数字化", "信息基础设施",
                                    "网络安全", "政策环境"]
    assert [r[1] for r in rows] == ["20", "20", "20", "15", "15", "10"]


def test_an_unknown_role_is_not_found(bootstrapped, client: Client):
    assert client.get("/help/auditor-x/").status_code == 404

"""Nothing of one year's model is in the code: every public and staff page, every download and
``export_rankings`` show the model of the run they are about — here a model of 4 dimensions
(2030) and one of 7 (2031), with codes and names 2017 never had, in Chinese and in English.

Each page must name every dimension of its model and no dimension of another (2017's six, or
the other synthetic model's); every public ranking page names every tier of its model with its
threshold; charts take their axes from the model (each dimension's points, the total's
maximum); table downloads and ``export_rankings`` have one column per dimension of the model.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts import roles
from indicators.models import ModelVersion, Region
from scoring.models import ScoringRun
from submissions.models import Submission
from tests.factories import UserFactory, verified_login
from tests.model_worlds import (
    import_document,
    pdf_text,
    publish_year,
    synthetic_document,
    synthetic_values,
)
from tests.public.conftest import download_table, empty_caches

FOUR = synthetic_document(
    "S4", 2030,
    [("S1", "算力基础", "Compute foundations", 40), ("S2", "数据要素", "Data factor markets", 30),
     ("S3", "智慧治理", "Smart governance", 20), ("S4", "绿色低碳", "Low-carbon growth", 10)],
    [("lead", 60, "第一梯队", "First echelon"), ("mid", 40, "第二梯队", "Second echelon")])
SEVEN = synthetic_document(
    "K7", 2031,
    [("K1", "网络覆盖", "Network reach", 20), ("K2", "产业创新", "Industrial innovation", 15),
     ("K3", "融合应用", "Converged applications", 15), ("K4", "公共服务", "Public e-services", 15),
     ("K5", "安全保障", "Cyber resilience", 15), ("K6", "人才支撑", "Skilled workforce", 10),
     ("K7", "制度环境", "Institutional setting", 10)],
    [("t1", 70, "发展领先", "Frontrunners"), ("t2", 50, "发展较快", "Fast movers"),
     ("t3", 30, "发展起步", "Starters")])
NAMES_2017 = {"zh-hans": ["信息服务应用", "信息技术产业", "产业数字化", "网络基础设施", "网络安全",
                          "信息化发展环境"],
              "en": ["Information service application", "IT industry"]}
LANGUAGES = ("zh-hans", "en")
BEIJING = "110000"


@dataclass
class Year:
    document: dict[str, Any]
    run: ScoringRun

    @property
    def year(self) -> int:
        return self.run.cycle.year

    def names(self, language: str) -> list[str]:
        key = "name_en" if language == "en" else "name_zh"
        return [d[key] for d in self.document["dimensions"]]

    @property
    def codes(self) -> list[str]:
        return [d["code"] for d in self.document["dimensions"]]

    @property
    def points(self) -> list[float]:
        return [d["points"] for d in self.document["dimensions"]]

    def tier_texts(self, language: str) -> list[str]:
        """Each tier as the pages name it, with its threshold."""
        tiers = sorted(self.document["tiers"], key=lambda t: -t["min_total"])
        texts = []
        for i, tier in enumerate(tiers):
            low, high = tier["min_total"], tiers[i - 1]["min_total"] if i else None
            if language == "en":
                texts.append(f"{tier['label_en']} (total {low} or more)" if high is None
                             else f"{tier['label_en']} (total from {low} to below {high})")
            else:
                texts.append(f"{tier['label_zh']}（总分 {low} 分及以上）" if high is None
                             else f"{tier['label_zh']}（总分 {low} 分至 {high} 分以下）")
        return texts


@dataclass
class World:
    admin: Any
    officer: Any
    years: dict[int, Year]

    def other_names(self, year: int, language: str) -> list[str]:
        others = [n for y, data in self.years.items() if y != year for n in data.names(language)]
        return others + NAMES_2017[language]


def _build() -> World:
    if not Region.objects.exists():
        call_command("bootstrap", verbosity=0)
    admin = UserFactory(username="admin", role_names=[roles.ADMINISTRATOR])
    officer = UserFactory(username="officer-bj", role_names=[roles.OFFICER],
                          region=Region.objects.get(code=BEIJING))
    codes = list(Region.objects.order_by("order").values_list("code", flat=True))
    years = {}
    for document in (FOUR, SEVEN):
        model = import_document(document)
        run = publish_year(model, document["year"], codes, admin,
                           lambda code, d=document: synthetic_values(d, code))
        years[document["year"]] = Year(document, run)
    return World(admin, officer, years)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_pages(db: None) -> None:
    empty_caches()  # run ids repeat between test modules: no page of another may be kept


def _client(user: Any = None, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        verified_login(client, user)
    return client


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _check_names(world: World, year: int, language: str, text: str, where: str) -> None:
    data = world.years[year]
    missing = [n for n in data.names(language) if n not in text]
    assert not missing, f"{where}: the model's dimensions {missing} are not named"
    foreign = [n for n in world.other_names(year, language) if n in text]
    assert not foreign, f"{where}: dimensions of another model {foreign} are named"


def _public_pages(data: Year) -> list[str]:
    y = data.year
    return [reverse("public:overall", args=[y]), reverse("public:grid", args=[y]),
            reverse("public:weights", args=[y]), reverse("public:region", args=[y, BEIJING]),
            reverse("public:model", args=[data.run.model_version.code]),
            *[reverse("public:dimension", args=[y, c]) for c in data.codes]]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("year", [2030, 2031])
def test_every_public_page_shows_the_runs_model(world: World, year: int, language: str) -> None:
    data = world.years[year]
    client = _client(language=language)
    for url in _public_pages(data):
        text = _text(client, url)
        if "/dimensions/" in url:
            # A dimension's page names its own dimension and links to the others.
            assert all(n in text for n in data.names(language)), url
        else:
            _check_names(world, year, language, text, url)
        if "/models/" not in url:  # a ranking page: every tier with its threshold
            missing = [t for t in data.tier_texts(language) if t not in text]
            assert not missing, f"{url}: tiers {missing} are not named with their thresholds"


@pytest.mark.parametrize("year", [2030, 2031])
def test_the_charts_take_their_axes_from_the_model(world: World, year: int) -> None:
    data = world.years[year]
    client = _client()
    overall = _chart(_text(client, reverse("public:overall", args=[year])))
    assert overall["max"] == 100 == sum(data.points)
    region = _chart(_text(client, reverse("public:region", args=[year, BEIJING])))
    assert [axis["max"] for axis in region["indicators"]] == data.points
    assert [axis["name"] for axis in region["indicators"]] == data.names("zh-hans")
    assert len(region["region"]) == len(region["median"]) == len(data.codes)
    assert region["max"] == 100


def _chart(html: str) -> dict[str, Any]:
    start = html.index('<script id="chart-data" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_the_ranking_table_has_one_column_per_dimension_and_its_points(world: World) -> None:
    for year, data in world.years.items():
        html = _text(_client(), reverse("public:overall", args=[year]))
        header = html.split('<table id="ranking-table">', 1)[1].split("</thead>", 1)[0]
        # rank, total, change, the rank interval
        assert header.count('<th class="num">') == len(data.codes) + 4
        for name, points in zip(data.names("zh-hans"), data.points, strict=True):
            assert f'{name}<br><span class="muted">{points}</span>' in header


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("year", [2030, 2031])
def test_every_public_download_has_the_models_columns(world: World, year: int,
                                                      language: str) -> None:
    data = world.years[year]
    client = _client(language=language)
    for table in ["overall", *data.codes]:
        csv_content = _download(client, year, table, "csv")
        csv_text = csv_content.decode("utf-8-sig")
        header = download_table(csv_content, "csv").header
        xlsx_header = download_table(_download(client, year, table, "xlsx"), "xlsx").header
        assert header == xlsx_header
        if table == "overall":
            assert header[2:2 + len(data.codes)] == data.names(language)
            _check_names(world, year, language, csv_text, f"{table}.csv")
        else:
            name = data.names(language)[data.codes.index(table)]
            assert header[2].startswith(name)  # "<name>指数得分", "<name> index score"
        text = pdf_text(_download(client, year, table, "pdf"))
        if table == "overall":
            _check_names(world, year, language, text, f"{table}.pdf")


def _download(client: Client, year: int, table: str, fmt: str) -> bytes:
    response = client.get(reverse("public:download", args=[year, table, fmt]))
    assert response.status_code == 200, (year, table, fmt)
    return response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_rankings_has_the_models_columns(world: World, tmp_path, fmt: str) -> None:
    for year, data in world.years.items():
        path = tmp_path / f"{year}.{fmt}"
        call_command("export_rankings", "--cycle", str(year), "--format", fmt, "-o", str(path),
                     stdout=io.StringIO())
        expected = ["rank", "region_code", "region_name", *data.codes, "total",
                    *[f"rank_{c}" for c in data.codes], "rank_low", "rank_high"]
        if fmt == "csv":
            header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        elif fmt == "xlsx":
            sheet = openpyxl.load_workbook(path).worksheets[0]
            header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        else:
            rows = json.loads(path.read_text(encoding="utf-8"))
            header = list(rows[0])
            assert len(rows) == 31
        assert header == expected


def _staff_pages(world: World, data: Year) -> list[tuple[str, Any]]:
    run, cycle = data.run, data.run.cycle
    submission = Submission.objects.get(cycle=cycle, region__code=BEIJING)
    admin = world.admin
    return [
        (reverse("scoring:runs"), admin),
        (reverse("scoring:run", args=[run.pk]), admin),
        (reverse("scoring:trace", args=[run.pk, BEIJING]), admin),
        (reverse("scoring:studio", args=[cycle.pk]), admin),
        (reverse("scoring:audit", args=[run.pk]), admin),
        (reverse("national:cycle", args=[data.year]), admin),
        (reverse("submissions:detail", args=[submission.pk]), admin),
        (reverse("indicators:model", args=[run.model_version.pk]), admin),
        (reverse("indicators:edit", args=[run.model_version.pk, "structure"]), admin),
        (reverse("submissions:detail", args=[submission.pk]), world.officer),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("year", [2030, 2031])
def test_every_staff_page_shows_the_runs_model(world: World, year: int, language: str) -> None:
    data = world.years[year]
    for url, user in _staff_pages(world, data):
        text = _text(_client(user, language), url)
        if url in (reverse("scoring:runs"), ) or "/submissions/" in url:
            continue  # lists of cycles and a submission's values: no dimension to show
        _check_names(world, year, language, text, url)


@pytest.mark.parametrize("year", [2030, 2031])
def test_every_staff_download_has_the_models_columns(world: World, year: int) -> None:
    data = world.years[year]
    client = _client(world.admin)
    expected = ["rank", "region_code", "region_name", *data.codes, "total",
                *[f"rank_{c}" for c in data.codes], "rank_low", "rank_high"]
    for fmt in ("csv", "xlsx", "json"):
        response = client.get(reverse("scoring:download", args=[data.run.pk, fmt]))
        assert response.status_code == 200
        if fmt == "csv":
            header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        elif fmt == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
            header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        else:
            header = list(json.loads(response.content)[0])
        assert header == expected
    audit = json.loads(client.get(reverse("scoring:audit_download",
                                          args=[data.run.pk, "json"])).content)
    assert set(data.codes) <= set(json.dumps(audit, ensure_ascii=False).split('"'))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_officers_template_lists_the_models_elements_and_level_names(
        world: World, language: str) -> None:
    data = world.years[2031]
    submission = Submission.objects.get(cycle=data.run.cycle, region__code=BEIJING)
    response = _client(world.officer, language).get(
        reverse("submissions:template", args=[submission.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["填报数据"].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [e["code"] for e in data.document["elements"]]
    levels = next(r for r in rows if r[0] == "XLV")[3]
    if language == "en":
        assert levels == "level 0–4 (0 none, 1 initial, 2 progressing, 3 good, 4 complete)"
    else:
        assert levels == "等级 0–4（0 无，1 初步，2 推进，3 较好，4 完善）"


def test_rank_changes_are_against_the_previous_published_year_whatever_its_model(
        world: World) -> None:
    before = {r.region.code: r.rank for r in world.years[2030].run.results.select_related(
        "region")}
    after = world.years[2031].run
    assert after.previous_run == world.years[2030].run
    assert after.model_version != world.years[2030].run.model_version
    for result in after.results.select_related("region").filter(region__ranked=True):
        assert result.previous_rank == before[result.region.code]


def test_the_region_page_notes_that_the_years_models_differ(world: World) -> None:
    html = _text(_client(), reverse("public:region", args=[2031, BEIJING]))
    assert 'id="history-models-note"' in html
    assert reverse("public:model_diff", args=["S4", "K7"]) in html
    # No dimension has the same code in both; the indicators that do, with the same formula
    # and normalisation (J11 … J42 and JLV) are compared — under this year's names.
    assert 'id="comparison-dimensions"' not in html
    table = html.split('<table id="comparison-indicators">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + 4 * 2 + 1
    assert "网络覆盖指数" in table and "算力基础" not in html
    left_out = html.split('id="comparison-left-out">', 1)[1].split("</p>", 1)[0]
    assert all(name in left_out for name in world.years[2031].names("zh-hans"))


def test_the_models_own_pages_exist_for_both(world: World) -> None:
    for data in world.years.values():
        version = ModelVersion.objects.get(code=data.document["version"])
        assert version.is_frozen
        text = _text(_client(), reverse("public:model", args=[version.code]))
        for indicator in data.document["indicators"]:
            assert indicator["formula"].replace(" / ", " / ") in text

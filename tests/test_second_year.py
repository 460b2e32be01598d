"""The second year, end to end: a 2018 model that differs from 2017 — a dimension added (D7),
an indicator removed (I14, with its element E104), points moved (D1 20 → 15) and a second tier
(位于全国中游 from 50) — imported with ``import_model``; a 2018 cycle made on the cycles page;
北京's officer downloads the template (the 2018 elements, last year's approved values beside
them), fills it in, uploads and submits it; it is validated and approved; the other regions'
data are bulk-loaded; ``score`` and ``publish``; then the public pages, their downloads and
``export_rankings`` (csv, xlsx, json) show exactly the 2018 model's dimensions — and every
2017 page and file is what it was before.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse

from accounts import roles
from demo.data import element_values
from indicators.models import ModelVersion, Region
from scoring.models import ScoringRun
from submissions.bulk import bulk_import
from submissions.models import Cycle, Submission, Version
from tests.factories import UserFactory, make_officer, verified_login
from tests.model_worlds import (
    NEW_DIMENSION,
    NEW_ELEMENT,
    POINTS_2018,
    REMOVED_ELEMENT,
    REMOVED_INDICATOR,
    SECOND_TIER,
    model_2018_document,
    pdf_text,
    publish_year,
    values_2018,
)
from tests.public.conftest import Tables, download_table, empty_caches
from tests.submissions.helpers import bulk_csv

BEIJING = "110000"
DIMS_2018 = ["D1", "D2", "D3", "D4", "D5", "D6", "D7"]
DIMS_2017 = DIMS_2018[:6]
REMOVED_NAME = "电子健康档案城乡居民覆盖率"


@dataclass
class World:
    admin: Any
    reviewer: Any
    officer: Any
    run2017: ScoringRun
    before: dict[str, Any]        # the 2017 pages and files before 2018 existed
    run2018: ScoringRun
    template: bytes               # 北京's 2018 template as downloaded
    tmp: Any


def _client(user: Any = None, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        verified_login(client, user)
    return client


def _get(client: Client, url: str) -> bytes:
    empty_caches()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content


def _export(year: int, fmt: str, tmp: Any) -> bytes:
    path = tmp / f"ranking-{year}.{fmt}"
    call_command("export_rankings", "--cycle", str(year), "--format", fmt, "-o", str(path),
                 stdout=io.StringIO())
    return path.read_bytes()


PAGES_2017 = ("/rankings/2017/", "/rankings/2017/dimensions/D1/", "/rankings/2017/grid/")


def _snapshot_2017(tmp: Any) -> dict[str, Any]:
    """What the 2017 pages show (their tables: the rest of a page may gain a link to 2018)
    and the 2017 files, byte for byte."""
    snap: dict[str, Any] = {}
    for language in ("zh-hans", "en"):
        client = _client(language=language)
        for url in (*PAGES_2017, f"/rankings/2017/regions/{BEIJING}/"):
            tables = Tables(_get(client, url).decode())
            snap[(url, language)] = {k: v for k, v in tables.tables.items()
                                     if k != "region-history"}, tables.headers
        for table in ("overall", "D1"):
            snap[(table, "csv", language)] = _get(client, f"/rankings/2017/{table}.csv")
            # A workbook's bytes carry the time it was written: its cells are compared.
            book = openpyxl.load_workbook(io.BytesIO(
                _get(client, f"/rankings/2017/{table}.xlsx")))
            snap[(table, "xlsx", language)] = [list(row) for row in
                                               book.worksheets[0].iter_rows(values_only=True)]
    for fmt in ("csv", "json"):
        snap[("export", fmt)] = _export(2017, fmt, tmp)
    return snap


def _officer_path(world: dict[str, Any], cycle: Cycle) -> bytes:
    """北京's officer: the template, filled in, uploaded, submitted; then approved."""
    officer, reviewer = world["officer"], world["reviewer"]
    submission = Submission.objects.get(cycle=cycle, region__code=BEIJING)
    client = _client(officer)
    template = _get(client, reverse("submissions:template", args=[submission.pk]))
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book["填报数据"]
    values = values_2018(BEIJING)
    for row in sheet.iter_rows(min_row=3):
        row[5].value = float(values[row[0].value])
    filled = io.BytesIO()
    book.save(filled)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("submissions:upload", args=[submission.pk]),
                               {"file": SimpleUploadedFile("北京2018.xlsx", filled.getvalue())})
    assert response.status_code == 302
    version = Version.objects.get(submission=submission)
    assert version.validation == Version.Validation.VALID, list(version.issues.all())
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(reverse("submissions:submit", args=[submission.pk])).status_code \
            == 302
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = _client(reviewer).post(reverse("submissions:review",
                                                  args=[submission.pk, "approve"]))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == Submission.State.APPROVED
    return template


def _build(tmp: Any) -> World:
    if not Region.objects.exists():
        call_command("bootstrap", verbosity=0)
    admin = UserFactory(username="admin", role_names=[roles.ADMINISTRATOR])
    people = {"admin": admin,
              "reviewer": UserFactory(username="reviewer", role_names=[roles.REVIEWER]),
              "officer": make_officer(BEIJING, "officer-bj")}
    codes = list(Region.objects.order_by("order").values_list("code", flat=True))
    run2017 = publish_year(ModelVersion.objects.get(code="2017"), 2017, codes, admin,
                           lambda code: dict(element_values(code)))
    before = _snapshot_2017(tmp)
    # The 2018 model, from a file, on the command line.
    path = tmp / "model-2018.json"
    path.write_text(json.dumps(model_2018_document(), ensure_ascii=False), encoding="utf-8")
    call_command("import_model", str(path), stdout=io.StringIO())
    model = ModelVersion.objects.get(code="2018")
    # The 2018 cycle, on the cycles page.
    response = _client(admin).post(reverse("submissions:cycles"), {
        "year": 2018, "model_version": model.pk, "opens_on": "2019-01-01",
        "deadline": "2019-03-31"})
    assert response.status_code == 302
    cycle = Cycle.objects.get(year=2018)
    template = _officer_path(people, cycle)
    others = [(code, element, value, "") for code in codes if code != BEIJING
              for element, value in values_2018(code).items()]
    result = bulk_import(content=bulk_csv(others), filename="2018.csv", year=2018, actor=admin,
                         approve=True)
    assert result.ok, result.errors[:3]
    call_command("score", "--cycle", "2018", stdout=io.StringIO())
    call_command("publish", "--cycle", "2018", stdout=io.StringIO())
    run2018 = ScoringRun.objects.get(cycle=cycle, published_at__isnull=False)
    return World(admin, people["reviewer"], people["officer"], run2017, before, run2018,
                 template, tmp)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield _build(tmp_path_factory.mktemp("second-year"))
        finally:
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _in_db(db: None) -> None:
    empty_caches()  # run ids repeat between test modules: no page of another may be kept


# --- the officer's template ------------------------------------------------------------------


def test_the_template_lists_the_2018_elements_with_last_years_values(world: World) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(world.template))["填报数据"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    expected = [e["code"] for e in model_2018_document()["elements"]]
    assert list(rows) == expected
    assert REMOVED_ELEMENT not in rows and NEW_ELEMENT["code"] in rows
    last_year = dict(element_values(BEIJING))
    # Pre-filled with last year's approved values where the element still exists; the new
    # element has none.
    for code, row in rows.items():
        if code == NEW_ELEMENT["code"]:
            assert row[4] is None
        else:
            assert Decimal(str(row[4])) == last_year[code], code


# --- the 2018 pages ----------------------------------------------------------------------------


def test_the_2018_ranking_shows_exactly_the_2018_dimensions(world: World) -> None:
    for language, key in (("zh-hans", "name_zh"), ("en", "name_en")):
        html = _get(_client(language=language), "/rankings/2018/").decode()
        tables = Tables(html)
        header = tables.headers["ranking-table"]
        names = [d.name_zh if key == "name_zh" else d.name_en
                 for d in world.run2018.model_version.dimensions.all()]
        assert len(header) == 2 + 7 + 4  # rank, region; dimensions; total, tier, change, interval
        assert [h.rsplit(" ", 1)[0] for h in header[2:9]] == names
        assert [h.rsplit(" ", 1)[1] for h in header[2:9]] == [
            str(POINTS_2018[c]) for c in DIMS_2018]
        assert NEW_DIMENSION[key] in html
        assert len(tables.tables["ranking-table"]) == 31
        tier_2 = (f"{SECOND_TIER['label_en']} (total 50 to below 65)" if language == "en"
                  else "位于全国中游（总分 50 分至 65 分以下）")
        tier_2 = tier_2.replace("total 50 to", "total from 50 to")
        tier_1 = ("Among the national leaders (total 65 or more)" if language == "en"
                  else "位于全国前列（总分 65 分及以上）")
        assert tier_1 in html and tier_2 in html


def test_the_removed_indicator_is_on_no_2018_page(world: World) -> None:
    client = _client()
    for url in ["/rankings/2018/", f"/rankings/2018/regions/{BEIJING}/",
                *[f"/rankings/2018/dimensions/{d}/" for d in DIMS_2018]]:
        html = _get(client, url).decode()
        assert REMOVED_NAME not in html, url
    d7 = Tables(_get(client, "/rankings/2018/dimensions/D7/").decode())
    assert "政务服务网上可办率" in " ".join(d7.headers["dimension-table"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_2018_downloads_have_the_2018_columns(world: World, fmt: str) -> None:
    content = _get(_client(), f"/rankings/2018/overall.{fmt}")
    header = download_table(content, fmt).header
    names = [d.name_zh for d in world.run2018.model_version.dimensions.all()]
    assert header == ["排名", "地区", *names, "总分", "等级", "排名变化", "排名区间下限（90%）",
                      "排名区间上限（90%）", "备注"]


def test_the_2018_pdf_names_the_new_dimension(world: World) -> None:
    text = pdf_text(_get(_client(), "/rankings/2018/overall.pdf"))
    assert NEW_DIMENSION["name_zh"] in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_rankings_2018_has_exactly_the_2018_dimensions(world: World, fmt: str) -> None:
    content = _export(2018, fmt, world.tmp)
    expected = ["rank", "region_code", "region_name", *DIMS_2018, "total",
                *[f"rank_{d}" for d in DIMS_2018], "rank_low", "rank_high"]
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    elif fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    else:
        header = list(json.loads(content)[0])
    assert header == expected


def test_the_region_page_shows_both_years_and_compares_what_is_comparable(world: World) -> None:
    html = _get(_client(), f"/rankings/2018/regions/{BEIJING}/").decode()
    tables = Tables(html)
    history = tables.tables["region-history"]
    assert [row[0] for row in history] == ["2017", "2018"]
    assert history[0][3].startswith("2017") and "2018" in history[1][3]
    assert 'id="history-models-note"' in html
    assert reverse("public:model_diff", args=["2017", "2018"]) in html
    # D1 lost an indicator and 5 points, D7 is new: only D2–D6 are compared; every indicator
    # but the new I71 keeps its code, formula and normalisation.
    compared = [row[0] for row in tables.tables["comparison-dimensions"]]
    model = world.run2018.model_version
    assert compared == [model.dimensions.get(code=c).name_zh for c in DIMS_2018[1:6]]
    indicators = [row[0] for row in tables.tables["comparison-indicators"]]
    assert len(indicators) == 22 - 1  # 2017's 22 but I14; the new I71 is not compared
    assert "政务服务网上可办率" not in indicators
    result = world.run2018.results.get(region__code=BEIJING)
    before = world.run2017.results.get(region__code=BEIJING)
    assert result.previous_rank == before.rank  # rank change against 2017, another model


def test_the_model_comparison_page_lists_the_changes(world: World) -> None:
    html = _get(_client(), reverse("public:model_diff", args=["2017", "2018"])).decode()
    dims = html.split('id="diff-dimensions"', 1)[1].split("</section>", 1)[0]
    assert 'data-code="D7"' in dims.split("diff-added", 1)[1].split("</ul>", 1)[0]
    assert 'data-code="D1" data-attribute="points"' in dims
    indicators = html.split('id="diff-indicators"', 1)[1].split("</section>", 1)[0]
    assert f'data-code="{REMOVED_INDICATOR}"' in indicators.split("diff-removed", 1)[1]
    assert 'id="diff-tiers"' in html and 'data-code="middle"' in html


def test_the_methodology_of_2018_is_public_and_printable(world: World) -> None:
    html = _get(_client(), reverse("public:model", args=["2018"])).decode()
    assert NEW_DIMENSION["name_zh"] in html and REMOVED_NAME not in html
    pdf = _get(_client(), reverse("public:model_pdf", args=["2018"]))
    assert pdf.startswith(b"%PDF")


# --- 2017 as it was ------------------------------------------------------------------------------


def test_the_2017_pages_and_files_stay_as_they_were(world: World) -> None:
    after = _snapshot_2017(world.tmp)
    changed = [key for key in world.before if world.before[key] != after[key]]
    assert not changed, f"2017 changed after 2018 was published: {changed}"
    html = _get(_client(), "/rankings/2017/").decode()
    assert NEW_DIMENSION["name_zh"] not in html and SECOND_TIER["label_zh"] not in html


def test_the_2017_model_is_frozen_and_the_2018_model_too(world: World) -> None:
    assert ModelVersion.objects.get(code="2017").is_frozen
    assert ModelVersion.objects.get(code="2018").is_frozen
    assert world.run2018.model_version.code == "2018"
    assert world.run2017.model_version.code == "2017"
    assert Cycle.objects.get(year=2018).opens_on == date(2019, 1, 1)

"""`/rankings/<year>/<table>.<fmt>`: every published table — the overall ranking and the six
dimension rankings — as xlsx, csv (UTF-8 with BOM) and pdf, each one a statistician can cite:
the title, the year, the model version, the publication with its date (Asia/Shanghai) and
revision, the units and the source; the ranked units first, then the corps marked 不参与排名;
the overall ranking with each rank's 90 % interval and the line that explains it. The files
carry the numbers the pages show; the PDF embeds its font, and pdftotext finds every figure
and every region's name in it, in English as in Chinese."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from public.downloads import DECIMALS
from scoring.services import run_publish
from tests.public.conftest import (
    BEIJING,
    BEIJING_TOTAL,
    CORPS,
    LEADING,
    REPLICATIONS,
    Download,
    download_table,
    english,
    page,
    pdf_fonts,
    pdf_text,
    score,
)

DIMENSIONS = ["D1", "D2", "D3", "D4", "D5", "D6"]
NAMES = ["信息服务应用", "信息技术产业", "产业数字化", "信息基础设施", "网络安全", "政策环境"]
OVERALL_HEADER = ["排名", "地区", *NAMES, "总分", "等级", "排名变化", "排名区间下限（90%）",
                  "排名区间上限（90%）", "备注"]
SOURCE = "资料来源：各省（区、市）报送并经审核的数据，信息化发展评价数据填报平台测算发布。"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def download(client: Client, url: str, **extra) -> bytes:
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content


def table(client: Client, url: str, **extra) -> Download:
    return download_table(download(client, url, **extra), url.rsplit(".", 1)[1].split("?")[0])


def change_text(change: str | int | None) -> str:
    if change in ("", None):
        return "—"
    n = int(change)
    return f"↑{n}" if n > 0 else f"↓{-n}" if n < 0 else "="


def number(value: object) -> Decimal:
    """A cell of a file as the page writes it: 2 decimals."""
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(Decimal("0.01"))
    return Decimal(str(value).replace(",", ""))


# --- the overall ranking ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_table_parses_back_to_the_numbers_of_the_page(world, client: Client, fmt: str):
    _response, html = page(client, "/rankings/2017/")
    shown = html.tables["ranking-table"]
    got = table(client, f"/rankings/2017/overall.{fmt}")
    assert got.header == OVERALL_HEADER
    ranked = got.rows[:-1]
    assert len(ranked) == len(shown) == 31
    for row, want in zip(ranked, shown, strict=True):
        assert str(row[0]) == want[0] and row[1] == want[1]
        if fmt == "xlsx":
            assert all(isinstance(v, int | float) for v in row[2:9])  # numbers, not text
        else:
            assert all(len(str(v).split(".")[1]) == 2 for v in row[2:9])  # 2 decimals
        assert [number(v) for v in row[2:9]] == [number(v) for v in want[2:9]]
        assert (row[9] or "") == want[9]
        assert change_text(row[10]) == want[10]
        assert f"{row[11]}–{row[12]}" == want[11]  # the interval, as the page shows it
    first = [str(v) if v is not None else "" for v in got.rows[0]]
    assert first[:2] == ["1", "北京"] and first[9:11] == [LEADING, "3"]
    assert [number(v) for v in got.rows[0][2:9]] == [Decimal(v) for v in (*BEIJING,
                                                                           BEIJING_TOTAL)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_corps_comes_last_marked_not_ranked(world, client: Client, fmt: str):
    got = table(client, f"/rankings/2017/overall.{fmt}")
    corps = world.run2017.results.get(region__code=CORPS)
    last = got.rows[-1]
    assert last[0] == "不参与排名" and last[1] == corps.region.short_name_zh
    assert number(last[8]) == number(corps.total)
    assert all(row[0] != "不参与排名" for row in got.rows[:-1])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_file_says_what_it_is_and_where_it_comes_from(world, client: Client, fmt: str):
    got = table(client, f"/rankings/2017/overall.{fmt}")
    run = world.run2017
    assert got.title == "2017 年度各省（区、市）信息化发展评价指数"
    assert got.meta == {"年度": "2017", "指标体系版本": "2017",
                        "发布日期": run.published_at.astimezone(SHANGHAI).date().isoformat(),
                        "版次": "第 1 次发布", "单位": "分（各方面得分与总分）"}
    assert got.notes[0] == ("各方面及其满分：信息服务应用 20 分；信息技术产业 20 分；"
                            "产业数字化 20 分；信息基础设施 15 分；网络安全 15 分；"
                            "政策环境 10 分。")
    assert got.notes[1] == (f"排名区间（90%）：对 6 个方面的权重各随机扰动 ±20% 后重算排名 "
                            f"{REPLICATIONS} 次，取第 5 与第 95 百分位；区间越窄，排名越稳定。")
    assert got.notes[-1] == SOURCE


def test_the_rank_interval_is_the_one_stored_with_the_run(world, client: Client):
    got = table(client, "/rankings/2017/overall.xlsx")
    stored = {r.region.short_name_zh: r for r in world.run2017.results.select_related("region")}
    for row in got.rows[:-1]:
        result = stored[row[1]]
        assert (row[11], row[12]) == (int(result.rank_p05), int(result.rank_p95))
    assert got.rows[-1][11:13] == [None, None]  # the corps has no rank and no interval


def test_the_publication_date_is_the_date_in_shanghai(world, client: Client):
    """Published at 20:30 UTC on 9 May 2018: 10 May in Beijing, and the file says so."""
    moment = datetime(2018, 5, 9, 20, 30, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        revision = run_publish(run=score(world.cycle2017, world.admin), actor=world.admin,
                               note="更正北京数据")
    got = table(client, f"/rankings/2017/overall.csv?run={revision.pk}")
    assert got.meta["发布日期"] == "2018-05-10"
    assert got.meta["版次"] == "第 2 次发布（修订版：更正北京数据）"


def test_the_xlsx_shows_figures_with_their_decimals_and_separators(world, client: Client):
    book = load_workbook(io.BytesIO(download(client, "/rankings/2017/D4.xlsx")))
    sheet = book.worksheets[0]
    assert sheet["A1"].font.b  # the title, in bold
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "排名")
    first = sheet[header_row[0].row + 1]
    assert first[2].number_format == "#,##0." + "0" * DECIMALS
    assert first[0].number_format == "#,##0"
    assert sheet.freeze_panes == f"A{header_row[0].row + 1}"


# --- the dimension rankings ------------------------------------------------------------------


@pytest.mark.parametrize("code", DIMENSIONS)
def test_each_dimension_table_downloads_with_the_numbers_of_its_page(world, client: Client,
                                                                      code: str):
    _response, html = page(client, f"/rankings/2017/dimensions/{code}/")
    shown = html.tables["dimension-table"]
    rows = table(client, f"/rankings/2017/{code}.csv")
    sheet = table(client, f"/rankings/2017/{code}.xlsx")
    assert len(rows.rows) - 1 == len(sheet.rows) - 1 == len(shown) == 31
    assert rows.header[:2] == ["排名", "地区"] and rows.header == sheet.header
    for got, cells, want in zip(rows.rows[:-1], sheet.rows[:-1], shown, strict=True):
        assert got[:2] == want[:2] and [str(cells[0]), cells[1]] == want[:2]
        for text, cell, page_value in zip(got[2:], cells[2:], want[2:], strict=True):
            if page_value == "—":
                assert text == "" and cell in ("", None)
            else:
                assert number(text) == number(cell) == number(page_value)
    assert rows.rows[-1][0] == "不参与排名" and html.tables["dimension-unranked"][0][0] == \
        "不参与排名"
    assert rows.meta["单位"] == "方面得分为分；各指标的单位见列标题"
    assert rows.notes[-1] == SOURCE
    pdf = download(client, f"/rankings/2017/{code}.pdf")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1024


def test_the_indicator_columns_name_their_units(world, client: Client):
    got = table(client, "/rankings/2017/D1.csv")
    assert got.header[2] == "信息服务应用指数得分"
    assert all(h.endswith("）") for h in got.header[3:])  # 网民普及率（%）, ...
    assert "网民普及率（%）" in got.header


# --- the PDF ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("name", ["overall", "D1", "D6"])
def test_every_font_of_the_pdf_is_embedded(world, client: Client, language: str, name: str):
    fonts = pdf_fonts(download(client, f"/rankings/2017/{name}.pdf",
                               HTTP_ACCEPT_LANGUAGE=language))
    assert fonts, "pdffonts lists no font"
    assert all(f["emb"] == "yes" and f["type"] == "TrueType" for f in fonts), fonts
    assert all(f["name"].split("+")[-1] == "WenQuanYiMicroHei" for f in fonts), fonts


def test_the_model_pdf_embeds_its_font_too(world, client: Client):
    fonts = pdf_fonts(download(client, "/rankings/models/2017.pdf"))
    assert fonts and all(f["emb"] == "yes" for f in fonts), fonts


def _figures(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if re.fullmatch(r"[\d,]+\.\d\d", cell)]


def test_pdftotext_finds_every_figure_and_region_of_the_page(world, client: Client):
    text = pdf_text(download(client, "/rankings/2017/overall.pdf"))
    _response, html = page(client, "/rankings/2017/")
    assert "2017 年度各省（区、市）信息化发展评价指数" in text
    for row in html.tables["ranking-table"] + html.tables["unranked-table"]:
        line = next(line for line in text.splitlines() if f" {row[1]} " in f" {line} ")
        for figure in _figures([row]):
            assert figure in line.split(), (row[1], figure, line)
    beijing = next(line for line in text.splitlines() if "北京" in line).split()
    assert beijing[:11] == ["1", "北京", *BEIJING, BEIJING_TOTAL, LEADING, "3"]
    for words in ("年度：2017", "指标体系版本：2017", "第 1 次发布", "不参与排名", "排名区间",
                  "资料来源"):
        assert words in text, words


@pytest.mark.parametrize("code", DIMENSIONS)
def test_pdftotext_finds_every_figure_of_a_dimension_page(world, client: Client, code: str):
    text = pdf_text(download(client, f"/rankings/2017/{code}.pdf"))
    _response, html = page(client, f"/rankings/2017/dimensions/{code}/")
    for row in html.tables["dimension-table"]:
        line = next(line for line in text.splitlines() if f" {row[1]} " in f" {line} ")
        assert _figures([row]) == [w for w in line.split() if re.fullmatch(r"[\d,]+\.\d\d", w)]


def test_the_english_pdf_is_as_complete_as_the_chinese_one(world, client: Client):
    chinese = pdf_text(download(client, "/rankings/2017/overall.pdf"))
    text = pdf_text(download(client, "/rankings/2017/overall.pdf", HTTP_ACCEPT_LANGUAGE="en"))
    _response, html = english(client, "/rankings/2017/")
    assert not CHINESE.findall(text), sorted(set(CHINESE.findall(text)))
    for row in html.tables["ranking-table"] + html.tables["unranked-table"]:
        assert row[1] in text
    assert _words(r"[\d,]+\.\d\d", text) == _words(r"[\d,]+\.\d\d", chinese)
    for words in ("Year: 2017", "Index model version: 2017", "Publication 1", "Not ranked",
                  "Rank interval", "Source:", "Page 1"):
        assert words in text, words


def _words(pattern: str, text: str) -> list[str]:
    return sorted(w for w in text.split() if re.fullmatch(pattern, w))


# --- names and types -------------------------------------------------------------------------


def test_the_files_are_named_and_typed(world, client: Client):
    for fmt, content_type in (("csv", "text/csv; charset=utf-8"),
                              ("xlsx", "application/vnd.openxmlformats-officedocument."
                                       "spreadsheetml.sheet"),
                              ("pdf", "application/pdf")):
        response = client.get(f"/rankings/2017/overall.{fmt}")
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="2017-overall.{fmt}"'


# --- what there is none of -------------------------------------------------------------------


def test_an_unpublished_run_has_no_downloads(world, client: Client):
    unpublished = score(world.cycle2017, world.admin)
    for fmt in ("csv", "xlsx", "pdf", "json"):
        assert client.get(f"/rankings/2017/overall.{fmt}?run={unpublished.pk}").status_code == 404
        assert client.get(f"/rankings/2017/D1.{fmt}?run={unpublished.pk}").status_code == 404
    assert client.get("/rankings/2018/overall.csv").status_code == 404


@pytest.mark.parametrize("path", ["/rankings/2017/D1.json", "/rankings/2017/overall.html",
                                  "/rankings/2017/D9.csv", "/rankings/2017/secrets.xlsx"])
def test_unknown_tables_and_formats_are_not_found(world, client: Client, path: str):
    assert client.get(path).status_code == 404


def test_a_named_publication_downloads_its_own_numbers(world, client: Client):
    got = table(client, f"/rankings/2016/overall.csv?run={world.run2016.pk}")
    beijing = next(r for r in got.rows if r[1] == "北京")
    assert beijing[0] == "4" and beijing[10] == ""


# --- both languages --------------------------------------------------------------------------


def test_english_downloads(world, client: Client):
    _r, html = english(client, "/rankings/2017/")
    got = table(client, "/rankings/2017/overall.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert got.header[2:8] == ["Information service application", "IT industry",
                               "Industrial digitalisation", "Information infrastructure",
                               "Cybersecurity", "Policy environment"]
    assert got.rows[0][1] == "Beijing" and got.rows[0][9] == "Among the national leaders"
    assert [r[1] for r in got.rows[:-1]] == [r[1] for r in html.tables["ranking-table"]]
    assert got.rows[-1][0] == "Not ranked"
    assert list(got.meta) == ["Year", "Index model version", "Published on", "Publication",
                              "Unit"]
    every_text = [got.title, *got.meta, *got.meta.values(), *got.header, *got.notes,
                  *[str(c) for row in got.rows for c in row]]
    assert not [t for t in every_text if CHINESE.search(t)]
    sheet = table(client, "/rankings/2017/D4.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert sheet.header[2] == "Information infrastructure index score"

"""`/rankings/<year>/<table>.<fmt>`: every published table — the overall ranking and the six
dimension rankings — as xlsx, csv (UTF-8 with BOM) and pdf; the files carry the numbers the
pages show; unpublished runs have none."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.public.conftest import BEIJING, BEIJING_TOTAL, LEADING, english, page, score

DIMENSIONS = ["D1", "D2", "D3", "D4", "D5", "D6"]
OVERALL_HEADER = ["排名", "地区", "信息服务应用", "信息技术产业", "产业数字化", "信息基础设施",
                  "网络安全", "政策环境", "总分", "等级", "排名变化"]


def download(client: Client, url: str, **extra) -> bytes:
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel on a Chinese system reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def change_text(change: str | int | None) -> str:
    if change in ("", None):
        return "—"
    n = int(change)
    return f"↑{n}" if n > 0 else f"↓{-n}" if n < 0 else "="


def number(value: object) -> Decimal:
    """A cell of a file as the page writes it: 2 decimals."""
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(Decimal("0.01"))
    return Decimal(str(value))


# --- the overall ranking ---------------------------------------------------------------------


def test_the_csv_parses_back_to_the_numbers_of_the_page(world, client: Client):
    _response, html = page(client, "/rankings/2017/")
    shown = html.tables["ranking-table"]
    rows = csv_rows(download(client, "/rankings/2017/overall.csv"))
    assert rows[0] == OVERALL_HEADER
    assert len(rows) - 1 == len(shown) == 31
    for got, want in zip(rows[1:], shown, strict=True):
        assert got[:2] == want[:2]
        assert [Decimal(v) for v in got[2:9]] == [Decimal(v) for v in want[2:9]]
        assert all(len(v.split(".")[1]) == 2 for v in got[2:9])  # 2 decimals, as on the page
        assert got[9] == want[9]
        assert change_text(got[10]) == want[10]
    assert rows[1] == ["1", "北京", *BEIJING, BEIJING_TOTAL, LEADING, "3"]


def test_the_xlsx_parses_back_to_the_numbers_of_the_page(world, client: Client):
    _response, html = page(client, "/rankings/2017/")
    shown = html.tables["ranking-table"]
    rows = xlsx_rows(download(client, "/rankings/2017/overall.xlsx"))
    assert rows[0] == OVERALL_HEADER
    assert len(rows) - 1 == len(shown) == 31
    for got, want in zip(rows[1:], shown, strict=True):
        assert got[0] == int(want[0]) and got[1] == want[1]
        assert all(isinstance(v, int | float) for v in got[2:9])  # numbers, not text
        assert [number(v) for v in got[2:9]] == [Decimal(v) for v in want[2:9]]
        assert (got[9] or "") == want[9]  # an empty cell below the tier
        assert change_text(got[10]) == want[10]
    assert [number(v) for v in rows[1][2:9]] == [Decimal(v) for v in (*BEIJING, BEIJING_TOTAL)]


def pdf_text(content: bytes) -> str | None:
    """The text of a PDF by poppler's pdftotext, or None where it cannot read the file's
    Chinese font (Adobe-GB1 needs the poppler-data package)."""
    if shutil.which("pdftotext") is None:
        return None
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content,
                          capture_output=True, check=True, timeout=60)
    if b"Missing language pack" in done.stderr:
        return None
    return done.stdout.decode("utf-8")


def test_the_pdf_opens(world, client: Client, tmp_path: Path):
    response = client.get("/rankings/2017/overall.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert len(content) > 1024
    if shutil.which("pdftoppm"):
        source = tmp_path / "overall.pdf"
        source.write_bytes(content)
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(source),
                        str(tmp_path / "page")], check=True, capture_output=True, timeout=60)
        png = next(tmp_path.glob("page*.png"))
        assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 2000
    text = pdf_text(content)
    if text is not None:
        assert "2017 年度信息化发展评价指数" in text
        _response, html = page(client, "/rankings/2017/")
        for row in html.tables["ranking-table"]:
            assert row[1] in text and row[8] in text
        beijing = next(line for line in text.splitlines() if "北京" in line).split()
        assert beijing == ["1", "北京", *BEIJING, BEIJING_TOTAL, LEADING, "3"]


def test_the_files_are_named_and_typed(world, client: Client):
    for fmt, content_type in (("csv", "text/csv; charset=utf-8"),
                              ("xlsx", "application/vnd.openxmlformats-officedocument."
                                       "spreadsheetml.sheet"),
                              ("pdf", "application/pdf")):
        response = client.get(f"/rankings/2017/overall.{fmt}")
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="2017-overall.{fmt}"'


# --- the dimension rankings ------------------------------------------------------------------


@pytest.mark.parametrize("code", DIMENSIONS)
def test_each_dimension_table_downloads_with_the_numbers_of_its_page(world, client: Client,
                                                                      code: str):
    _response, html = page(client, f"/rankings/2017/dimensions/{code}/")
    shown = html.tables["dimension-table"]
    rows = csv_rows(download(client, f"/rankings/2017/{code}.csv"))
    sheet = xlsx_rows(download(client, f"/rankings/2017/{code}.xlsx"))
    assert len(rows) - 1 == len(sheet) - 1 == len(shown) == 31
    assert rows[0][:2] == ["排名", "地区"] and rows[0] == list(sheet[0])
    for got, cells, want in zip(rows[1:], sheet[1:], shown, strict=True):
        assert got[:2] == want[:2] and [str(cells[0]), cells[1]] == want[:2]
        for text, cell, page_value in zip(got[2:], cells[2:], want[2:], strict=True):
            if page_value == "—":
                assert text == "" and cell in ("", None)
            else:
                assert Decimal(text) == number(cell) == Decimal(page_value)
    pdf = download(client, f"/rankings/2017/{code}.pdf")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1024


# --- what there is none of -------------------------------------------------------------------


def test_an_unpublished_run_has_no_downloads(world, client: Client):
    unpublished = score(world.cycle2017, world.admin)
    for fmt in ("csv", "xlsx", "pdf"):
        assert client.get(f"/rankings/2017/overall.{fmt}?run={unpublished.pk}").status_code == 404
        assert client.get(f"/rankings/2017/D1.{fmt}?run={unpublished.pk}").status_code == 404
    assert client.get("/rankings/2018/overall.csv").status_code == 404


@pytest.mark.parametrize("path", ["/rankings/2017/overall.json", "/rankings/2017/overall.html",
                                  "/rankings/2017/D9.csv", "/rankings/2017/secrets.xlsx"])
def test_unknown_tables_and_formats_are_not_found(world, client: Client, path: str):
    assert client.get(path).status_code == 404


def test_a_named_publication_downloads_its_own_numbers(world, client: Client):
    rows = csv_rows(download(client, f"/rankings/2016/overall.csv?run={world.run2016.pk}"))
    beijing = next(r for r in rows if r[1] == "北京")
    assert beijing[0] == "4" and beijing[10] == ""


# --- both languages --------------------------------------------------------------------------


def test_english_downloads(world, client: Client):
    _r, html = english(client, "/rankings/2017/")
    rows = csv_rows(download(client, "/rankings/2017/overall.csv", HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[0][2:8] == ["Information service application", "IT industry",
                            "Industrial digitalisation", "Information infrastructure",
                            "Cybersecurity", "Policy environment"]
    assert rows[1][1] == "Beijing" and rows[1][9] == "Among the national leaders"
    assert [r[1] for r in rows[1:]] == [r[1] for r in html.tables["ranking-table"]]
    sheet = xlsx_rows(download(client, "/rankings/2017/D4.xlsx", HTTP_ACCEPT_LANGUAGE="en"))
    assert sheet[0][2] == "Information infrastructure"
    text = pdf_text(download(client, "/rankings/2017/overall.pdf", HTTP_ACCEPT_LANGUAGE="en"))
    if text is not None:
        assert "Beijing" in text and BEIJING_TOTAL in text

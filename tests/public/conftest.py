"""A published world for the public pages: the 2016 and 2017 cycles of all 31 provinces and
the corps (660000, scored but not ranked), loaded with ``bulk_import(..., approve=True)``,
scored with ``run_create`` and published with ``run_publish``.

2016 has no model of its own: its cycle is created first, bound to the 2017 model. Its values
are the demo values scaled per region, so that the 2017 ranking moves against 2016 (北京 is
fourth in 2016 and first in 2017: a rank change of +3).

Building the world costs a few seconds, so it is built once per test module, inside a
transaction that is rolled back after the module; each test runs in a savepoint inside it
(pytest-django's ``db``), so what a test adds (a revision, another cycle) is gone after it.
"""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts import roles
from demo.data import element_values
from indicators.models import ModelVersion, Region
from public import page_cache
from scoring.models import ScoringRun
from scoring.services import run_create, run_publish
from submissions.bulk import bulk_import
from submissions.models import Cycle
from submissions.services.cycles import cycle_create
from tests.factories import UserFactory
from tests.submissions.helpers import bulk_csv

CORPS = "660000"
REPLICATIONS = 50  # the rank intervals need some; the pages do not need 1,000
# The report's Table 3 row of 北京, as the demo values reproduce it.
BEIJING = ("16.57", "17.33", "18.32", "13.65", "7.66", "9.44")
BEIJING_TOTAL = "82.97"
LEADING = "位于全国前列"


def scale_2016(code: str) -> float:
    """北京 lower than the rest in 2016 (fourth), so that its 2017 rank change is +3."""
    return 0.85 if code == "110000" else 0.93


def load(year: int, codes: list[str], actor, *, scale: Callable[[str], float] = lambda c: 1.0
         ) -> Cycle:
    """Bulk-import and approve the demo values of ``codes`` for ``year``."""
    rows = [(code, element, value, "") for code in codes
            for element, value in element_values(code, scale=scale(code)).items()]
    result = bulk_import(content=bulk_csv(rows), filename=f"public-{year}.csv", year=year,
                         actor=actor, approve=True)
    assert result.ok, result.errors[:3]
    return Cycle.objects.get(year=year)


def empty_cycle(year: int, actor) -> Cycle:
    """A cycle bound to the 2017 model (the only model there is)."""
    return cycle_create(year=year, model_version=ModelVersion.objects.get(code="2017"),
                        opens_on=date(year + 1, 1, 1), deadline=date(year + 1, 3, 31),
                        actor=actor)


def score(cycle: Cycle, actor) -> ScoringRun:
    return run_create(cycle=cycle, actor=actor, replications=REPLICATIONS)


def score_and_publish(cycle: Cycle, actor, note: str = "", **kwargs: Any) -> ScoringRun:
    return run_publish(run=score(cycle, actor), actor=actor, note=note, **kwargs)


@dataclass
class World:
    admin: Any
    codes: list[str]        # the 31 provinces and the corps, in region order
    run2016: ScoringRun
    run2017: ScoringRun
    cycle2017: Cycle

    @property
    def provinces(self) -> list[str]:
        return [c for c in self.codes if c != CORPS]


def publish_world() -> World:
    if not Region.objects.exists():
        call_command("bootstrap", verbosity=0)
    admin = UserFactory(username="admin", role_names=[roles.ADMINISTRATOR])
    codes = list(Region.objects.order_by("order", "code").values_list("code", flat=True))
    assert len(codes) == 32 and CORPS in codes
    empty_cycle(2016, admin)
    run2016 = score_and_publish(load(2016, codes, admin, scale=scale_2016), admin)
    cycle2017 = load(2017, codes, admin)
    run2017 = score_and_publish(cycle2017, admin)
    return World(admin, codes, run2016, run2017, cycle2017)


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker) -> Iterator[World]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield publish_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(_module_world: World, db: None) -> World:
    """2016 and 2017 scored and published, all 31 provinces and the corps."""
    for run in (_module_world.run2016, _module_world.run2017):
        run.refresh_from_db()
    return _module_world


def empty_caches() -> None:
    """Forget every cached page: the content blocks in the shared cache and the whole pages
    this process keeps (``public.page_cache``)."""
    cache.clear()
    page_cache.clear()


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Pages are cached by run id, and run ids can repeat between tests (SQLite reuses the
    ids of rolled-back rows): every test starts with an empty cache."""
    empty_caches()
    yield
    empty_caches()


# --- reading pages ---------------------------------------------------------------------------


class Tables(HTMLParser):
    """The tables of a page: ``tables[id] = [[cell text, ...], ...]`` (body rows only, the
    header row under ``headers[id]``), plus every link and form on the page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.headers: dict[str, list[str]] = {}
        self.row_attrs: dict[str, list[dict[str, str]]] = {}
        self.links: list[tuple[str, str]] = []
        self.forms: list[dict[str, Any]] = []
        self._table: str | None = None
        self._count = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._head = False
        self._link: list[Any] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self._count += 1
            self._table = a.get("id") or f"table{self._count}"
            self.tables[self._table] = []
            self.row_attrs[self._table] = []
        elif tag == "thead":
            self._head = True
        elif tag == "tbody":
            self._head = False
        elif tag == "tr" and self._table:
            self._row = []
            if not self._head:
                self.row_attrs[self._table].append(a)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "a":
            self._link = [a.get("href", ""), []]
        elif tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get"),
                               "inputs": {}})
        elif tag in ("input", "button", "select") and self.forms and a.get("name"):
            self.forms[-1]["inputs"].setdefault(a["name"], []).append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            if self._head:
                self.headers[self._table] = self._row
            else:
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join("".join(self._link[1]).split())))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._link is not None:
            self._link[1].append(data)


def page(client, url: str, **extra: Any) -> tuple[Any, Tables]:
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response, Tables(response.content.decode())


def count_queries(client, url: str, **extra: Any) -> int:
    """The number of database queries one GET of ``url`` makes (it must answer 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def partial_world(world: World, year: int, codes: list[str]) -> ScoringRun:
    """Another cycle (bound to the 2017 model) with only ``codes`` approved, published as
    incomplete: a ranking of fewer regions, to see that a page's queries do not grow with
    the number of regions."""
    cycle = empty_cycle(year, world.admin)
    load(year, codes, world.admin)
    return score_and_publish(cycle, world.admin, allow_incomplete=True)


def english(client, url: str) -> tuple[Any, Tables]:
    return page(client, url, HTTP_ACCEPT_LANGUAGE="en")


# --- reading downloads -----------------------------------------------------------------------


@dataclass
class Download:
    """A public table's file as ``common.exports.Document`` lays it out: the title, the lines
    under it (label → value), the header, the rows and the notes under the table."""

    title: str
    meta: dict[str, str]
    header: list[str]
    rows: list[list[Any]]
    notes: list[str]


def _split(lines: list[list[Any]]) -> Download:
    def blank(line: list[Any]) -> bool:
        return all(cell in ("", None) for cell in line)

    title = lines[0][0]
    i = 1
    meta: dict[str, str] = {}
    while not blank(lines[i]):
        meta[lines[i][0]] = lines[i][1]
        i += 1
    header = [c for c in lines[i + 1]]
    body: list[list[Any]] = []
    i += 2
    while i < len(lines) and not blank(lines[i]):
        body.append(list(lines[i]))
        i += 1
    notes = [line[0] for line in lines[i + 1:] if not blank(line)]
    return Download(title, meta, header, body, notes)


def csv_download(content: bytes) -> Download:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel on a Chinese system reads UTF-8
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return _split(lines)


def xlsx_download(content: bytes) -> Download:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    lines = [list(row) + [None] * 2 for row in sheet.iter_rows(values_only=True)]
    found = _split(lines)
    width = len([h for h in found.header if h is not None])
    found.header = found.header[:width]
    found.rows = [row[:width] for row in found.rows]
    return found


def download_table(content: bytes, fmt: str) -> Download:
    """A CSV or xlsx download of a public table, read back."""
    return csv_download(content) if fmt == "csv" else xlsx_download(content)


def pdf_text(content: bytes) -> str:
    """The text of a PDF, by poppler's pdftotext (``.ci/run`` installs poppler-utils)."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content,
                          capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")


def pdf_fonts(content: bytes) -> list[dict[str, str]]:
    """Every font of a PDF as ``pdffonts`` lists it: name, type, emb(edded)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        done = subprocess.run(["pdffonts", file.name], capture_output=True, check=True,
                              text=True, timeout=60)
    fonts = []
    for line in done.stdout.splitlines()[2:]:
        # name, type (may hold a space: "Type 1", "CID TrueType"), encoding, emb, sub, uni, id
        parts = line.split()
        fonts.append({"name": parts[0], "type": " ".join(parts[1:-6]), "emb": parts[-5]})
    return fonts

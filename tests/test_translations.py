"""The English catalogue: complete, compiled, and in use.

The source strings are Chinese (zh-hans is the default language), so the only catalogue is
locale/en/LC_MESSAGES/django.po, shipped together with its compiled django.mo so that no one
needs gettext at run time. scripts/update_translations.sh regenerates both.

These tests read the .po with the small parser below, not with gettext's tools, so that they
run on a machine without gettext. They check that
- every entry is translated, none is fuzzy, and each translation keeps the placeholders of its
  source string;
- every literal string marked for translation in the code (``_("…")``, ``{% translate "…" %}``,
  ``{% blocktranslate %}…{% endblocktranslate %}``) is in the catalogue — a string added
  without running the script fails here;
- the .mo says what the .po says (it was compiled after the last edit of the .po);
- the pages come out in English for an English browser and stay Chinese otherwise.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What scripts/update_translations.sh does not extract from.
IGNORED_DIRS = {".venv", "var", "tests", "benchmarks", "node_modules", "staticfiles", "docs",
                "locale", ".git", "__pycache__", "migrations"}
IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


# --- reading the .po --------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") first; obsolete (#~) entries are left
    out, as msgfmt leaves them out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("", 0)

    def finish() -> None:
        nonlocal entry
        if entry is not None:
            entries.append(entry)
        entry = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgstr:  # a comment after msgstr starts a new entry
                finish()
            entry = entry or Entry(line=number)
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = "", line
        elif keyword in ("msgid", "msgctxt") and entry is not None and entry.msgstr:
            finish()
        entry = entry or Entry(line=number)
        if keyword == "msgctxt":
            entry.msgctxt, target = _unquote(rest), ("msgctxt", 0)
        elif keyword == "msgid":
            entry.msgid, target = _unquote(rest), ("msgid", 0)
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = _unquote(rest), ("msgid_plural", 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            entry.msgstr[index], target = _unquote(rest), ("msgstr", index)
        elif keyword == "":
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(rest)
            else:
                setattr(entry, name, (getattr(entry, name) or "") + _unquote(rest))
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing: run scripts/update_translations.sh"
    entries = parse_po(PO)
    assert entries and entries[0].msgid == "", "the .po has no header entry"
    return entries


@pytest.fixture(scope="module")
def messages(po_entries: list[Entry]) -> list[Entry]:
    return po_entries[1:]


def _where(entry: Entry) -> str:
    return f"{PO.relative_to(BASE)}:{entry.line}: {entry.msgid!r}"


# --- the catalogue ----------------------------------------------------------------------------


def test_it_has_an_english_header_with_two_plural_forms(po_entries: list[Entry]) -> None:
    header = po_entries[0]
    assert "fuzzy" not in header.flags, "a fuzzy header is ignored by msgfmt (no charset)"
    text = header.msgstr[0]
    assert "Language: en\n" in text
    assert "charset=UTF-8" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text


def test_it_has_translated_every_entry(messages: list[Entry]) -> None:
    assert len(messages) > 100, "the catalogue is suspiciously small"
    untranslated = []
    for entry in messages:
        expected = 2 if entry.msgid_plural is not None else 1
        forms = [entry.msgstr.get(i, "") for i in range(expected)]
        if len(entry.msgstr) != expected or not all(form.strip() for form in forms):
            untranslated.append(_where(entry))
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


def test_it_has_no_fuzzy_entry(messages: list[Entry]) -> None:
    fuzzy = [_where(e) for e in messages if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries (check the guess, then remove the flag):\n" + "\n".join(fuzzy)


def test_it_has_no_chinese_left_in_the_translations(messages: list[Entry]) -> None:
    # “无” is quoted on purpose: it is what an officer may type into a cell for "no value".
    allowed = {"无"}
    leftovers = [_where(e) for e in messages for s in e.msgstr.values()
                 if set(IDEOGRAPH.findall(s)) - allowed]
    assert not leftovers, "Chinese text in English translations:\n" + "\n".join(leftovers)


def _placeholders(text: str, flags: set[str]) -> list[str]:
    found = re.findall(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]", text)
    if "python-brace-format" in flags:
        found += re.findall(r"\{[A-Za-z_]\w*(?:![rsa])?(?::[^{}]*)?\}", text)
    return sorted(found)


def test_it_keeps_every_placeholder(messages: list[Entry]) -> None:
    wrong = []
    for entry in messages:
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        for index, translation in entry.msgstr.items():
            source = sources[min(index, len(sources) - 1)]
            if _placeholders(source, entry.flags) != _placeholders(translation, entry.flags):
                wrong.append(f"{_where(entry)} -> {translation!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


# --- the catalogue against the code ----------------------------------------------------------


GETTEXT_FUNCTIONS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext",
                     "ngettext_lazy", "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def _source_files(suffix: str) -> Iterator[Path]:
    for path in sorted(BASE.rglob(f"*{suffix}")):
        if not IGNORED_DIRS.intersection(path.relative_to(BASE).parts[:-1]):
            yield path


def _python_msgids(path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else (
            node.func.attr if isinstance(node.func, ast.Attribute) else "")
        if name not in GETTEXT_FUNCTIONS:
            continue
        args = node.args[1:] if name.startswith(("pgettext", "npgettext")) else node.args
        first = args[0] if args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            context = node.args[0].value if name.startswith(("pgettext", "npgettext")) \
                and isinstance(node.args[0], ast.Constant) else None
            key = first.value if context is None else f"{context}\x04{first.value}"
            yield key, node.lineno


TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<text>.*?)(?P=q)"""
                       r"""(?P<rest>[^%]*)%\}""", re.S)
BLOCK = re.compile(r"\{%\s*(?:blocktranslate|blocktrans)(?P<args>[^%]*)%\}(?P<body>.*?)"
                   r"\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}", re.S)
VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
TEMPLATE_FILTER_STRING = re.compile(r"""_\((?P<q>["'])(?P<text>.*?)(?P=q)\)""")


def _block_msgid(body: str, trimmed: bool) -> str:
    text = VARIABLE.sub(lambda m: "\x00(" + m.group(1) + ")s", body)
    text = text.replace("%", "%%").replace("\x00", "%")
    if trimmed:
        text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text


def _template_msgids(path: Path) -> Iterator[tuple[str, int]]:
    source = path.read_text(encoding="utf-8")

    def line(pos: int) -> int:
        return source.count("\n", 0, pos) + 1

    for match in TRANSLATE.finditer(source):
        rest = match.group("rest")
        context = re.search(r"""context\s+(["'])(.*?)\1""", rest)
        text = match.group("text").replace("%", "%%")
        yield (text if not context else f"{context.group(2)}\x04{text}"), line(match.start())
    for match in BLOCK.finditer(source):
        args = match.group("args")
        singular = re.split(r"\{%\s*plural\s*%\}", match.group("body"))[0]
        context = re.search(r"""context\s+(["'])(.*?)\1""", args)
        text = _block_msgid(singular, trimmed="trimmed" in args.split())
        yield (text if not context else f"{context.group(2)}\x04{text}"), line(match.start())
    for match in TEMPLATE_FILTER_STRING.finditer(source):
        yield match.group("text").replace("%", "%%"), line(match.start())


def test_it_has_every_string_marked_in_the_code(messages: list[Entry]) -> None:
    known = {e.key for e in messages}
    missing = []
    for path in _source_files(".py"):
        for msgid, number in _python_msgids(path):
            if msgid and msgid not in known:
                missing.append(f"{path.relative_to(BASE)}:{number}: {msgid!r}")
    for suffix in (".html", ".txt"):
        for path in _source_files(suffix):
            for msgid, number in _template_msgids(path):
                if msgid and msgid not in known:
                    missing.append(f"{path.relative_to(BASE)}:{number}: {msgid!r}")
    assert not missing, ("strings marked for translation but not in the catalogue; run "
                         "scripts/update_translations.sh and translate them:\n"
                         + "\n".join(missing))


def test_it_ships_a_compiled_catalogue_that_matches_the_po(messages: list[Entry]) -> None:
    assert MO.exists(), f"{MO} is missing: run scripts/update_translations.sh"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages:
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                translated = compiled.gettext(entry.msgid)
            else:
                translated = compiled.pgettext(entry.msgctxt, entry.msgid)
            if translated != entry.msgstr[0]:
                stale.append(_where(entry))
        else:
            for n, index in ((1, 0), (2, 1), (5, 1)):
                if compiled.ngettext(entry.msgid, entry.msgid_plural, n) != entry.msgstr[index]:
                    stale.append(f"{_where(entry)} (n={n})")
    catalog_keys = {k[0] if isinstance(k, tuple) else k for k in compiled._catalog}
    extra = catalog_keys - {e.key for e in messages} - {""}
    assert not stale and not extra, (
        "django.mo is out of date with django.po: run scripts/update_translations.sh\n"
        + "\n".join(stale + [f"only in the .mo: {k!r}" for k in sorted(extra)]))


# --- the pages --------------------------------------------------------------------------------


def _visible_text(html: str) -> str:
    """The text a reader sees, minus scripts, styles and the language switch (its "中文"
    button is meant to be Chinese)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<button[^>]*\blang=\"zh-hans\"[^>]*>.*?</button>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return " ".join(html.split())


def _chinese_in(text: str) -> list[str]:
    return sorted({text[max(0, m.start() - 30):m.end() + 30] for m in IDEOGRAPH.finditer(text)})


def _get(url: str, language: str | None) -> str:
    extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = Client().get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("url", ["/", "/accounts/login/"])
def test_it_renders_the_public_pages_in_english(bootstrapped: None, url: str) -> None:
    html = _get(url, "en")
    assert '<html lang="en">' in html
    text = _visible_text(html)
    for words in ("Informatization Development Assessment Data Reporting Platform",
                  "Public rankings", "Log in"):
        assert words in text, (url, words)
    assert not _chinese_in(text), (url, _chinese_in(text))


def test_it_renders_the_login_form_in_english(bootstrapped: None) -> None:
    text = _visible_text(_get("/accounts/login/", "en"))
    assert "Username" in text and "Password" in text


def test_it_keeps_the_pages_chinese_for_a_chinese_browser(bootstrapped: None) -> None:
    for language in ("zh-hans", "zh-CN,zh;q=0.9", None):  # None: the default language
        html = _get("/", language)
        assert '<html lang="zh-hans">' in html, language
        text = _visible_text(html)
        assert "公开排名" in text and "登录" in text, language
        assert "Public rankings" not in text and "Log in" not in text, language
    text = _visible_text(_get("/accounts/login/", "zh-hans"))
    assert "用户名" in text and "密码" in text and "Username" not in text


@pytest.fixture
def published_2017(bootstrapped: None) -> Iterator[int]:
    """The demo values of all 32 units for 2017, approved, scored and published."""
    from accounts import roles
    from demo.data import element_values
    from indicators.models import Region
    from scoring.services import run_create, run_publish
    from submissions.bulk import bulk_import
    from submissions.models import Cycle
    from tests.factories import UserFactory
    from tests.submissions.helpers import bulk_csv

    admin = UserFactory(username="i18n-admin", role_names=[roles.ADMINISTRATOR])
    codes = list(Region.objects.values_list("code", flat=True))
    rows = [(code, element, value, "") for code in codes
            for element, value in element_values(code).items()]
    result = bulk_import(content=bulk_csv(rows), filename="i18n-2017.csv", year=2017,
                         actor=admin, approve=True)
    assert result.ok, result.errors[:3]
    run = run_create(cycle=Cycle.objects.get(year=2017), actor=admin, replications=20)
    run_publish(run=run, actor=admin)
    cache.clear()  # the public pages are cached by run id, and ids repeat between tests
    yield 2017
    cache.clear()


def test_it_renders_the_ranking_pages_in_english(published_2017: int) -> None:
    year = published_2017
    overall = _visible_text(_get(f"/rankings/{year}/", "en"))
    for words in (f"Informatization Development Index of the provinces (regions) {year}",
                  "Overall ranking", "Regional map", "All publications", "Rank", "Region",
                  "Total score", "Among the national leaders", "Beijing"):
        assert words in overall, words
    assert not _chinese_in(overall), _chinese_in(overall)
    region = _visible_text(_get(f"/rankings/{year}/regions/110000/", "en"))
    assert "National median" in region and "Dimension" in region
    grid = _visible_text(_get(f"/rankings/{year}/grid/", "en"))
    assert "Regional map of the Informatization Development Index" in grid
    assert not _chinese_in(grid), _chinese_in(grid)
    chinese = _visible_text(_get(f"/rankings/{year}/", "zh-hans"))
    assert "总排名" in chinese and "Overall ranking" not in chinese

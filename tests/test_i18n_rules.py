"""One translation mechanism (issue 14): gettext for every interface string, the bilingual data
fields read through ``common.i18n`` only, and no branch on the language anywhere else.

The application code (tests, migrations, benchmarks and docs aside) is read as it is written:

- **language branches**: in Python, a call of ``get_language()``, a comparison with a language
  code (``== "en"``, ``!= "zh-hans"``), ``.startswith("en")`` and any ``<x>.LANGUAGE_CODE``
  (``request.LANGUAGE_CODE``) outside ``common/i18n.py``; in templates, an ``{% if %}`` that
  compares with a language code (``{% if LANGUAGE_CODE == "en" %}``). Choosing text by
  language is the accessor's job (``localized``, ``pick``, ``{{ obj|localized:"name" }}``);
  naming the language of a document is ``language_code()``'s.
- **text outside gettext**: in Python (``ast``), every string literal with a Chinese
  character (ideographs, CJK punctuation, full-width forms) must be an argument of a gettext
  call (``_``, ``gettext``, ``gettext_lazy``, ``pgettext``, ``ngettext``...), docstrings
  aside; in templates (Django's own ``Lexer``), every text with a Chinese character must be
  inside ``{% translate %}``/``{% blocktranslate %}`` (or a ``_("…")`` argument of a filter).

True data — input keywords and demo data — is allowed by the short list below, each entry
with its reason. Each offender is named by file and line.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

BASE = Path(settings.BASE_DIR)
SKIPPED_DIRS = {".venv", "var", "tests", "benchmarks", "node_modules", "staticfiles", "docs",
                "locale", ".git", "__pycache__", "migrations", "static", "scripts"}

# The one module that reads the active language.
ACCESSOR = "common/i18n.py"

# TEMPORARY — the lead removes this list at merge. These paths are being rewritten at the same
# time by other helpers of issue 14 (the services/views split, and the readers' move to a
# top-level ``readers/`` package), who move their literals and branches to gettext and to the
# accessor there; checking them here would only make the branches conflict.
PENDING_OTHER_HELPERS: list[str] = []

# Files whose every Chinese literal is data, not interface.
DATA_FILES = {
    # The synthetic demo data set and the demo accounts' names, written in Chinese as the
    # real data would be.
    "demo/data.py": "demo data",
    "demo/management/commands/seed_demo.py": "demo accounts, demo publication note and help",
    # The units as the model file writes them (the keys of the English-name table).
    "indicators/units.py": "units of the index model",
    # The header names and the template's sheet name the reader recognises in uploaded files:
    # input keywords (代码, 数值, 填报数据 ...), the same in every language; the readers are
    # Django-free and say nothing to people (submissions/reader_messages.py does).
    "readers/_base.py": "input keywords of uploaded files",
    "readers/_formats.py": "input keywords of uploaded files",
}
# Literals that are input: what people type or files contain, the same in every language.
ALLOWED_LITERALS = {
    # The sheet names of the upload template: the reader looks for 填报数据 in every language.
    # 无 is one of the "no value" tokens an officer may type.
    "submissions/template.py": {"填报说明", "填报数据", "无"},
    # The "no value" token and the look-alikes the value parser explains.
    "submissions/values.py": {"无", "空", "暂无"},
    # The separators people type in the model editor: between level names, in thousands.
    "indicators/forms.py": {"；", "｜", "，"},
    # The qualifiers of a printed figure (90以上, 超过90), as the report prints them.
    "indicators/targets.py": {
        "不超过", "不高于", "不大于", "不低于", "不少于", "不小于", "超过", "大于", "高于", "低于",
        "小于", "少于", "不足", "以上", "以下", "以内",
    },
}

CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy",
           "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
LANGUAGE_LITERAL = re.compile(r"^(en|zh)([-_][A-Za-z]+)*$", re.IGNORECASE)


def _relative(path: Path) -> str:
    return path.relative_to(BASE).as_posix()


def _pending(relative: str) -> bool:
    return any(relative == p or (p.endswith("/") and relative.startswith(p))
               for p in PENDING_OTHER_HELPERS)


def _application_files(suffixes: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    for folder, dirs, files in os.walk(BASE):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")
                         and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = Path(folder) / name
            relative = _relative(path)
            if path.suffix in suffixes and not _pending(relative):
                yield relative, path.read_text(encoding="utf-8")


def _templates() -> Iterator[tuple[str, str]]:
    for relative, source in _application_files((".html", ".txt")):
        if "templates" in relative.split("/")[:-1]:
            yield relative, source


# --- Python -----------------------------------------------------------------------------------


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _is_language(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and bool(LANGUAGE_LITERAL.match(node.value)))


def _branch(node: ast.AST) -> str | None:
    """What makes ``node`` a language branch, or None."""
    if isinstance(node, ast.Call):
        name = _called_name(node)
        if name == "get_language":
            return "get_language()"
        if name in ("startswith", "endswith") and any(_is_language(a) for a in node.args):
            return f".{name}() with a language code"
    if isinstance(node, ast.Compare) and any(_is_language(n)
                                             for n in (node.left, *node.comparators)):
        return "a comparison with a language code"
    if isinstance(node, ast.Attribute) and node.attr == "LANGUAGE_CODE":
        return f"{ast.unparse(node)}"
    return None


def python_branches(source: str, relative: str) -> list[str]:
    tree = ast.parse(source, filename=relative)
    found = []
    for node in ast.walk(tree):
        what = _branch(node)
        if what is not None:
            found.append(f"{relative}:{getattr(node, 'lineno', 0)}: {what}")
    return found


def _is_docstring(node: ast.Constant, parent: ast.AST | None) -> bool:
    return isinstance(parent, ast.Expr)


def _in_gettext(node: ast.Constant, parent: ast.AST | None) -> bool:
    return (isinstance(parent, ast.Call) and _called_name(parent) in GETTEXT
            and node in parent.args)


def python_literals(source: str, relative: str) -> list[str]:
    """Chinese literals of ``source`` that are neither gettext arguments nor allowed data."""
    if relative in DATA_FILES:
        return []
    allowed = ALLOWED_LITERALS.get(relative, set())
    tree = ast.parse(source, filename=relative)
    parents = _parents(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and CHINESE.search(node.value)):
            continue
        parent = parents.get(node)
        if _is_docstring(node, parent) or _in_gettext(node, parent) or node.value in allowed:
            continue
        found.append(f"{relative}:{node.lineno}: {node.value[:60]!r}")
    return found


# --- templates --------------------------------------------------------------------------------


TEMPLATE_GETTEXT = re.compile(r"""_\((["']).*?\1\)""", re.S)
TEMPLATE_BRANCH = re.compile(
    r"""(==|!=|\bin)\s*(["'])(en|zh)([-_][A-Za-z]+)*\2|(["'])(en|zh)([-_][A-Za-z]+)*\5\s*(==|!=)"""
    r"""|request\.LANGUAGE_CODE""", re.IGNORECASE)
_OPEN_BLOCKS = {"blocktranslate": "translate", "blocktrans": "translate", "comment": "comment"}
_CLOSE_BLOCKS = {"endblocktranslate", "endblocktrans", "endcomment"}


def _tag(token: object) -> str:
    words = str(getattr(token, "contents", "")).split()
    return words[0] if words else ""


def template_branches(source: str, relative: str) -> list[str]:
    found = []
    for token in Lexer(source).tokenize():
        if (token.token_type == TokenType.BLOCK and _tag(token) in ("if", "elif")
                and TEMPLATE_BRANCH.search(token.contents)):
            found.append(f"{relative}:{token.lineno}: {{% {token.contents} %}}")
    return found


def template_texts(source: str, relative: str) -> list[str]:
    """Chinese text of a template outside translate blocks, comments and ``_("…")``."""
    found = []
    inside = 0  # depth of blocktranslate / comment blocks
    for token in Lexer(source).tokenize():
        tag = _tag(token)
        if token.token_type == TokenType.BLOCK and tag in _OPEN_BLOCKS:
            inside += 1
            continue
        if token.token_type == TokenType.BLOCK and tag in _CLOSE_BLOCKS:
            inside -= 1
            continue
        if inside or token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.BLOCK and tag in ("translate", "trans"):
            continue
        text = TEMPLATE_GETTEXT.sub("", token.contents)
        chinese = CHINESE.search(text)
        if chinese:
            line = token.lineno + text[:chinese.start()].count("\n")
            found.append(f"{relative}:{line}: {text.strip()[:60]!r}")
    return found


# --- the codebase -----------------------------------------------------------------------------


def _report(title: str, offenders: list[str]) -> str:
    return f"{title} ({len(offenders)}):\n" + "\n".join(offenders)


def test_it_finds_no_language_branch_in_the_code() -> None:
    offenders = [line for relative, source in _application_files((".py",))
                 if relative != ACCESSOR for line in python_branches(source, relative)]
    assert not offenders, _report(
        "language branches outside common/i18n.py; read bilingual data with "
        "common.i18n.localized/pick, name a document's language with language_code()",
        offenders)


def test_it_finds_no_language_branch_in_the_templates() -> None:
    offenders = [line for relative, source in _templates()
                 for line in template_branches(source, relative)]
    assert not offenders, _report(
        'language branches in templates; use {% load i18n_data %}{{ obj|localized:"name" }}',
        offenders)


def test_it_finds_no_chinese_literal_outside_gettext_in_the_code() -> None:
    offenders = [line for relative, source in _application_files((".py",))
                 for line in python_literals(source, relative)]
    assert not offenders, _report(
        "Chinese literals outside gettext; wrap them in _() (or, for true data, add them to "
        "ALLOWED_LITERALS with the reason)", offenders)


def test_it_finds_no_chinese_text_outside_translate_in_the_templates() -> None:
    offenders = [line for relative, source in _templates()
                 for line in template_texts(source, relative)]
    assert not offenders, _report(
        "Chinese text outside {% translate %}/{% blocktranslate %} in templates", offenders)


def test_it_allows_nothing_that_is_not_there_any_more() -> None:
    """The allowance shrinks with the code: an allowed literal or file that is gone fails."""
    stale = [relative for relative in DATA_FILES if not (BASE / relative).is_file()]
    for relative, literals in ALLOWED_LITERALS.items():
        tree = ast.parse((BASE / relative).read_text(encoding="utf-8"))
        present = {n.value for n in ast.walk(tree)
                   if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        stale += [f"{relative}: {literal!r}" for literal in sorted(literals - present)]
    assert not stale, _report("allowed data that no longer exists", stale)


def test_it_still_checks_some_of_the_code() -> None:
    python = [relative for relative, _source in _application_files((".py",))]
    templates = [relative for relative, _source in _templates()]
    assert ACCESSOR in python and "submissions/template.py" in python and len(python) > 50
    assert "templates/base.html" in templates and len(templates) > 15


# --- the checks themselves --------------------------------------------------------------------


@pytest.mark.parametrize("code", [
    'lang = "en" if get_language().startswith("en") else "zh-hans"',
    'if request.LANGUAGE_CODE == "en":\n    pass',
    'english = translation.get_language() == "en"',
    'name = obj.name_en if lang != "zh-hans" else obj.name_zh',
    'ok = code.startswith("zh")',
])
def test_it_finds_branches_in_code(code: str) -> None:
    assert python_branches(code, "x.py")


@pytest.mark.parametrize("code", [
    'props.language = language_code()',
    'if kind == "ordinal":\n    pass',
    'name = localized(region, "name")',
])
def test_it_lets_code_without_branches_be(code: str) -> None:
    assert python_branches(code, "x.py") == []


def test_it_names_each_untranslated_literal_with_its_line() -> None:
    code = ('"""文档字符串可以是中文。"""\n'
            'a = _("已翻译")\n'
            'b = "未翻译"\n'
            'c = f"{a}：{b}"\n'
            'd = pgettext("context", "带上下文")\n'
            'e = _("甲" if a else "乙")\n'
            'f = "Chinese nowhere"\n')
    assert python_literals(code, "x.py") == [
        "x.py:3: '未翻译'", "x.py:4: '：'", "x.py:6: '甲'", "x.py:6: '乙'"]


def test_it_allows_only_the_listed_data() -> None:
    code = 'tokens = ("无", "N/A")\nother = "有"\n'
    assert python_literals(code, "submissions/values.py") == ["submissions/values.py:2: '有'"]


def test_it_finds_template_branches_and_text_outside_translate() -> None:
    source = ('{% load i18n %}{% if LANGUAGE_CODE == "en" %}x{% endif %}\n'
              '{% translate "好" %}{% blocktranslate with n=1 %}第 {{ n }} 次'
              '{% endblocktranslate %}\n'
              '{{ user|default:_("系统") }}{# 注释 #}{% comment %}说明{% endcomment %}\n'
              '<p>未翻译</p>{{ x|default:"无" }}'
              '{% if language.code == LANGUAGE_CODE %}{% endif %}\n')
    assert template_branches(source, "t.html") == [
        't.html:1: {% if LANGUAGE_CODE == "en" %}']
    assert template_texts(source, "t.html") == [
        "t.html:4: '<p>未翻译</p>'", "t.html:4: 'x|default:\"无\"'"]

"""Every file README.md and docs/*.md name exists.

Two kinds of reference are checked:

* Markdown links ``[text](path)``, relative to the document (web addresses, ``#anchors`` and
  links that leave the repository, such as ``../shared/spec/…``, are not ours to check);
* backticked paths that look like files of the repository, relative to its root:
  ``config/env.py`` or ``docs/`` (the first folder must be one at the root of the
  repository; ``common/db.bulk_insert``, a name defined in ``common/db.py``, counts), and
  bare file names such as ``model_io.py`` (some file of that name must exist). Placeholders
  are marked with angle brackets (``tests/<app>/``) and are skipped, as are commands, URLs
  and anything with a space.

A failure lists every missing file with the document and line that name it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Folders at the root that hold no sources of the repository (made at run time, or tools').
NOT_OURS = {".git", ".venv", "var", "node_modules", "__pycache__", ".mypy_cache",
            ".ruff_cache", ".pytest_cache"}
FILE_SUFFIXES = (".py", ".md", ".json", ".toml", ".html", ".txt", ".po", ".sh", ".cfg", ".ini",
                 ".yml", ".yaml")

# pending: paths other helpers are creating right now (the readers package, the services
# package) — the lead removes this at merge, once they exist.
PENDING: set[str] = set()

LINK = re.compile(r"\[[^\]]*\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
CODE = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^\s*(```|~~~)")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
PATH_LIKE = re.compile(r"^[\w.][\w./-]*$")


def _lines(document: Path) -> Iterator[tuple[int, str]]:
    """The lines of a document outside fenced code blocks (commands, examples)."""
    fenced = False
    for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


@cache
def _file_names() -> frozenset[str]:
    names = set()
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if parts and parts[0] not in NOT_OURS and "__pycache__" not in parts:
            names.add(path.name)
    return frozenset(names)


def _top_level() -> set[str]:
    existing = {p.name for p in ROOT.iterdir() if p.name not in NOT_OURS}
    return existing | {path.split("/", 1)[0] for path in PENDING}


def _link_target(document: Path, target: str) -> Path | None:
    """The file a Markdown link points at, or None when it is not ours to check."""
    if SCHEME.match(target) or target.startswith("#"):
        return None
    path = (document.parent / target.split("#", 1)[0]).resolve()
    if not path.is_relative_to(ROOT):
        return None  # ../shared/spec/…: outside the repository
    return path


def _code_target(text: str, top_level: set[str]) -> str | None:
    """The repository path a backticked text names, relative to the root, or None."""
    if not PATH_LIKE.match(text) or text.startswith(("../", "./")) or "//" in text:
        return None
    if "/" in text:
        return text if text.split("/", 1)[0] in top_level else None
    return text if text.endswith(FILE_SUFFIXES) else None


def _exists(path_text: str) -> bool:
    """The path exists; ``common/db.bulk_insert`` (a name in ``common/db.py``) counts too."""
    if (ROOT / path_text).exists():
        return True
    folder, _, last = path_text.rpartition("/")
    stem, _, name = last.partition(".")
    module = ROOT / folder / f"{stem}.py"
    return bool(name) and module.is_file() and re.search(
        rf"^\s*(def|class) {re.escape(name)}\b|^{re.escape(name)}\b",
        module.read_text(encoding="utf-8"), re.MULTILINE) is not None


def _missing() -> list[str]:
    top_level = _top_level()
    problems = []
    for document in DOCUMENTS:
        name = document.relative_to(ROOT)
        for number, line in _lines(document):
            for target in LINK.findall(line):
                path = _link_target(document, target)
                if path is not None and not path.exists():
                    problems.append(f"{name}:{number}: link ({target}) — no such file")
            for text in CODE.findall(line):
                path_text = _code_target(text, top_level)
                if path_text is None or path_text in PENDING:
                    continue
                if "/" in path_text:
                    if not _exists(path_text):
                        problems.append(f"{name}:{number}: `{text}` — no such file or folder")
                elif path_text not in _file_names():
                    problems.append(f"{name}:{number}: `{text}` — no file of that name")
    return problems


def test_every_file_the_readme_and_the_docs_name_exists():
    problems = _missing()
    assert not problems, "\n".join(["", *problems])


def test_it_finds_the_references_it_checks():
    # A checker that reads nothing passes for nothing: it must see paths it knows are there.
    top_level = _top_level()
    assert _code_target("config/env.py", top_level) == "config/env.py"
    assert _code_target("model_io.py", top_level) == "model_io.py"
    assert _code_target("tests/<app>/", top_level) is None
    assert _code_target("DATA_DIR/files", top_level) is None
    assert _code_target("redis://127.0.0.1:6379/0", top_level) is None
    assert _link_target(ROOT / "README.md", "../shared/spec/product.md") is None
    docs = ROOT / "docs"
    assert _link_target(docs / "x.md", "index-model.md") == docs / "index-model.md"
    assert _exists("common/db.bulk_insert") and not _exists("common/db.no_such_function")
    references = sum(len(CODE.findall(line)) for document in DOCUMENTS
                     for _, line in _lines(document))
    assert references > 100

"""What never imports what (docs/architecture.md, "What never imports what").

The imports of every module of the application are read with ``ast`` — nothing is imported,
and imports inside functions count as much as those at the top — and each rule fails naming
the file and the import that breaks it. The pure modules are also imported in a fresh
interpreter, which must not load Django.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("readers", "common", "indicators", "accounts", "audit", "submissions", "scoring",
            "national", "public", "api", "demo", "config")
#: Modules the scoring core is made of: NumPy and the standard library, no Django.
PURE_MODULES = ("scoring.core", "scoring.uncertainty", "indicators.expressions")

# pending: other helpers' files — the lead removes these at merge. Each is a known break of a
# rule that another engineer is removing right now (accounts' login auditing moves to audit;
# submissions' services stop importing tasks; the readers become their own package).
PENDING_IMPORTS: set[tuple[str, str]] = set()
PENDING_CYCLES: set[frozenset[str]] = set()
PENDING_APP_CYCLES: set[frozenset[str]] = set()


def _modules() -> dict[str, Path]:
    """Every module of the application (migrations aside), by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imported(module: str) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything ``module`` imports, submodules of ``from`` included."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, node)
            yield node.lineno, target
            for alias in node.names:
                if f"{target}.{alias.name}" in MODULES:
                    yield node.lineno, f"{target}.{alias.name}"


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(ROOT)}:{line}"


def _breaks(module_filter, forbidden) -> list[str]:
    """Every import of a module passing ``module_filter`` that ``forbidden`` refuses, unless it
    is pending."""
    found = []
    for module in MODULES:
        if not module_filter(module):
            continue
        path = str(MODULES[module].relative_to(ROOT))
        for line, name in _imported(module):
            if forbidden(module, name) and (path, name) not in PENDING_IMPORTS:
                found.append(f"{_where(module, line)} imports {name}")
    return sorted(set(found))


def _none(breaks: list[str]) -> None:
    assert not breaks, "\n".join(["", *breaks])


def _in(*packages: str):
    return lambda module: _top(module) in packages


def _importing(*packages: str):
    return lambda module, name: _top(name) in packages and _top(name) != _top(module)


def test_common_imports_no_app():
    apps = set(PACKAGES) - {"common"}
    _none(_breaks(_in("common"), _importing(*apps)))


def test_the_index_model_sits_below_the_data_it_describes():
    _none(_breaks(_in("indicators"),
                  _importing("submissions", "scoring", "national", "public", "demo")))


def test_intake_knows_nothing_of_scoring():
    _none(_breaks(_in("submissions"), _importing("scoring", "national", "public", "demo")))


def test_accounts_does_not_reach_up_into_audit():
    _none(_breaks(_in("accounts"), _importing("audit")))


def test_no_app_imports_the_demo_or_the_wiring():
    apps = set(PACKAGES) - {"demo", "config"}
    _none(_breaks(_in(*apps), _importing("demo", "config")))


def test_no_app_imports_the_api():
    # The API sits on top of the apps' services and selectors; nothing below knows it.
    apps = set(PACKAGES) - {"api", "demo", "config"}
    _none(_breaks(_in(*apps), _importing("api")))


def test_services_never_import_tasks():
    def is_service(module: str) -> bool:  # <app>.services or a module of <app>/services/
        return module.split(".")[1:2] == ["services"]

    def is_task(module: str, name: str) -> bool:  # common.tasks is how services queue them
        return name != "common.tasks" and (name.endswith(".tasks") or ".tasks." in name)

    _none(_breaks(is_service, is_task))


def test_the_readers_know_nothing_of_the_project():
    apps = set(PACKAGES) - {"readers"}
    _none(_breaks(_in("readers"), _importing(*apps)))


def test_pure_modules_import_only_pure_modules():
    def impure(module: str, name: str) -> bool:
        return _top(name) in PACKAGES and name not in PURE_MODULES and name != _top(name)

    _none(_breaks(lambda module: module in PURE_MODULES, impure))


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.add(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _module_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module in MODULES:
        graph.setdefault(module, set())
        for _, name in _imported(module):
            if name in MODULES and name != module:
                graph[module].add(name)
    return graph


def test_no_two_modules_import_each_other_even_round_a_circle():
    cycles = [sorted(c) for c in _cycles(_module_graph()) if c not in PENDING_CYCLES]
    _none([" ↔ ".join(cycle) for cycle in cycles])


def test_no_two_apps_import_each_other():
    graph: dict[str, set[str]] = defaultdict(set)
    for module, imports in _module_graph().items():
        graph[_top(module)] |= {_top(name) for name in imports if _top(name) != _top(module)}
    # The wiring and the demo use every app; an app that imports them is refused above.
    for package in ("config", "demo"):
        graph.pop(package, None)
    for imports in graph.values():
        imports -= {"config", "demo"}
    cycles = [sorted(c) for c in _cycles(graph) if c not in PENDING_APP_CYCLES]
    _none([" ↔ ".join(cycle) for cycle in cycles])


@pytest.mark.parametrize("module", [*PURE_MODULES,
                                    *(["readers"] if (ROOT / "readers").is_dir() else [])])
def test_pure_modules_load_without_django(module):
    code = (f"import sys, {module}\n"
            "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
            "print(loaded[:5])\n"
            "sys.exit(1 if loaded else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, f"{module} loads Django: {result.stdout}{result.stderr}"


def test_the_rules_see_the_imports_they_are_about():
    # A rule over an empty or misread graph passes for nothing: check it sees known imports.
    graph = _module_graph()
    assert "indicators.expressions" in graph["scoring.core"]
    assert "submissions.models" in graph["scoring.selectors"]
    assert "audit.services" in graph["submissions.bulk"]

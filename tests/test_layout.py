"""The dependency rules of the layout, read from the imports (``ast``), so a change that breaks them fails here.

Layers flow one way: producers → tasks → workers and db → config. Model code (``workers``) knows nothing of
Celery, SQL or the producers; no module imports, directly or through others, one that imports it back. Test
modules take their helpers from ``tests.support``, never from each other or from ``conftest``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGES = ("config", "db", "tasks", "workers", "producers", "evaluation", "training", "bench", "tests")
# package → project packages it must never import
FORBIDDEN = {
    "config": {"db", "tasks", "workers", "producers", "evaluation", "training", "bench"},
    "db": {"tasks", "workers", "producers", "evaluation", "training", "bench"},
    "workers": {"tasks", "db", "producers", "evaluation", "training", "bench"},
    "tasks": {"producers", "evaluation", "training", "bench"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name | ast.Attribute) and ast.unparse(node.test).endswith("TYPE_CHECKING")


def _imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module named by an import, at any depth (imports inside functions count), except under
    ``if TYPE_CHECKING:``, which never runs."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    """module → the project modules it imports."""
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        names = _imported(tree, module, path.name == "__init__.py")
        graph[module] = {name for name in names if name in MODULES and name != module}
    return graph


GRAPH = _graph()


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_downwards(package: str) -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if module.split(".")[0] == package
        for target in targets
        if target.split(".")[0] in FORBIDDEN[package]
    )
    assert not wrong, "\n".join(wrong)


def test_no_import_circles() -> None:
    """No module reaches itself through the imports (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert not circles, circles


def test_test_modules_share_helpers_only_through_support() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if module.startswith("tests.")
        for target in targets
        if target == "tests.conftest" or target.startswith("tests.test_")
    )
    assert not wrong, "\n".join(wrong)


def test_the_rules_see_the_imports() -> None:
    """The checks above are only as good as the graph: it must hold the arrows known to exist."""
    assert "workers.engine.encoder" in GRAPH["workers.resume.parser"]
    assert "tasks.app" in GRAPH["producers.nightly"]
    assert "tests.support" in GRAPH["tests.conftest"]

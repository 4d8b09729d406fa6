"""The packages' import graph (docs/architecture.md, "Layers"): no cycle between packages, and no import inside a
function. A module that needs one of a package above it is in the wrong layer; one that imports inside a
function to dodge a cycle hides that."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"

# Imports of engine modules inside functions; the app factory and the CLI may import late by design (they
# wire every package together) and are not counted. Imports of other libraries are not counted either (the
# PDF report loads WeasyPrint, and with it pango, only where a PDF is made). A timer worker process builds its
# own app with the factory the app hands it (`app.extensions["vb_app_factory"]`), not by importing it.
LATE_IMPORTS_AT_MOST = 0
LATE_BY_DESIGN = {ENGINE / "__init__.py", ENGINE / "app" / "cli.py"}


def _package(path: Path) -> str:
    parts = path.relative_to(ENGINE).parts
    return parts[0] if len(parts) > 1 else f"engine.{path.stem}"


def _target(path: Path, node) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = list(path.relative_to(ENGINE).parts[: -node.level])
            return [".".join(["engine", *base, *([node.module] if node.module else [])])]
        return [node.module or ""]
    return [alias.name for alias in node.names]


def _graph():
    edges, late = defaultdict(set), 0
    for path in ENGINE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        in_function = {
            id(inner)
            for fn in ast.walk(tree)
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for inner in ast.walk(fn)
        }
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for module in _target(path, node):
                parts = module.split(".")
                if parts[0] != "engine":
                    continue
                if id(node) in in_function and path not in LATE_BY_DESIGN:
                    late += 1
                if len(parts) < 2:  # the app factory itself (engine/__init__.py): not a package of the graph
                    continue
                target = parts[1] if (ENGINE / parts[1]).is_dir() else f"engine.{parts[1]}"
                if target != _package(path):
                    edges[_package(path)].add(target)
    return edges, late


def _cycles(edges) -> list[set]:
    """Strongly connected components of more than one package (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in list(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_packages():
    assert [sorted(cycle) for cycle in _cycles(_graph()[0])] == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_no_import_inside_a_function():
    late = _graph()[1]
    assert late == LATE_IMPORTS_AT_MOST, (
        f"{late} imports inside functions (at most {LATE_IMPORTS_AT_MOST}): import at the top of the module; if "
        "that makes a cycle, the code is in the wrong layer (docs/architecture.md)"
    )


def test_every_package_is_a_regular_package():
    # a folder of modules without __init__.py is a namespace package, which the build's package finder
    # ([tool.setuptools.packages.find]) leaves out of the wheel and the image
    missing = sorted(
        str(folder.relative_to(ENGINE))
        for folder in ENGINE.rglob("*")
        if folder.is_dir()
        and "migrations" not in folder.parts
        and any(folder.glob("*.py"))
        and not (folder / "__init__.py").exists()
    )
    assert missing == []

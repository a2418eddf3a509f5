"""The package's structural limits, checked on its source: small modules, no import
cycle, no private name used across modules, and no untyped mapping in a public
signature. docs/architecture.md explains the layout these keep readable."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "feedwright"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module loads (not those under TYPE_CHECKING or in functions)."""
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            todo.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            todo.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                todo.extend(handler.body)


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The package modules an import statement loads."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith("feedwright"):
                yield alias.name
        return
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if MODULES[module].name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    if not base.startswith("feedwright"):
        return
    yield base
    for alias in node.names:
        if f"{base}.{alias.name}" in MODULES:
            yield f"{base}.{alias.name}"


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text("utf-8"))
        edges = set()
        for node in _top_level_imports(tree):
            for target in _targets(module, node):
                # importing a.b.c loads a and a.b first
                parts = target.split(".")
                for i in range(1, len(parts) + 1):
                    name = ".".join(parts[:i])
                    if name in MODULES and name != module:
                        edges.add(name)
        graph[module] = edges
    return graph


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these along a real boundary: {long}"


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def test_there_is_no_import_cycle() -> None:
    graph = _graph()
    # A package's __init__ re-exporting its own submodules is not a cycle between stages.
    for module, edges in graph.items():
        graph[module] = {
            e
            for e in edges
            if not (MODULES[e].name == "__init__.py" and module.startswith(e + "."))
        }
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_private_name_is_imported_across_modules() -> None:
    found = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("feedwright"):
                found += [
                    f"{module}: from {node.module} import {a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert not found, found


def _untyped_mapping(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    text = ast.unparse(annotation)
    return any(
        shape in text.replace(" ", "")
        for shape in ("dict[str,Any]", "Mapping[str,Any]", "MutableMapping[str,Any]")
    )


def test_no_untyped_mapping_crosses_a_module_boundary() -> None:
    """Public functions, methods and dataclass fields take and give typed values. Data that
    is free-form by nature (front matter, site variables) is ``Mapping[str, object]``, which
    the type checker makes every reader narrow."""
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                args = node.args.args + node.args.kwonlyargs + node.args.posonlyargs
                if _untyped_mapping(node.returns) or any(
                    _untyped_mapping(a.annotation) for a in args
                ):
                    found.append(f"{module}.{node.name}")
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                for item in node.body:
                    if (
                        isinstance(item, ast.AnnAssign)
                        and isinstance(item.target, ast.Name)
                        and not item.target.id.startswith("_")
                        and _untyped_mapping(item.annotation)
                    ):
                        found.append(f"{module}.{node.name}.{item.target.id}")
    assert not found, f"use a typed value instead of an untyped mapping: {found}"


def test_every_error_raised_on_purpose_descends_from_the_root() -> None:
    import importlib

    from feedwright.errors import FeedwrightError

    stray = []
    for module in MODULES:
        if module.endswith("__main__"):
            continue  # running it runs the CLI
        loaded = importlib.import_module(module)
        for name, value in vars(loaded).items():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__ == module
                and not issubclass(value, FeedwrightError)
            ):
                stray.append(f"{module}.{name}")
    assert not stray, f"derive these from FeedwrightError: {stray}"

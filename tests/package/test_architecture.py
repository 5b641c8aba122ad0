"""The shape of the package: dependencies in one direction, small modules, every layer kind complete.

The import graph is read from the source (module-level imports only: imports inside
functions are lazy by design, and those under ``if TYPE_CHECKING`` are for the type
checker), so the test needs nothing imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cnncalc.layers import REGISTRY

PACKAGE = Path(__file__).resolve().parents[2] / "cnncalc"
MAX_LINES = 320  # "modules under about 300 lines" (STYLE.md)
TOP_LEVEL = {"__init__.py", "__main__.py", "errors.py", "zoo.py", "spec.py", "graph.py", "sources.py"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_imports(path: Path, modules: set[str]) -> set[str]:
    """The cnncalc modules `path` imports when it is imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:  # module level only
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node) if isinstance(node, ast.Import | ast.ImportFrom | ast.Try | ast.If) else ():
            if isinstance(sub, ast.ImportFrom) and sub.module and sub.module.startswith("cnncalc"):
                for alias in sub.names:
                    child = f"{sub.module}.{alias.name}"
                    found.add(child if child in modules else sub.module)
            elif isinstance(sub, ast.Import):
                found |= {a.name for a in sub.names if a.name.startswith("cnncalc")}
    name = module_name(path)
    return {m for m in found if m != name}


def graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): module_imports(p, modules) & modules for p in paths}


def test_no_import_cycle() -> None:
    edges = graph()
    # a package imports its submodules; importing a submodule also runs its package's __init__
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


@pytest.mark.parametrize(("below", "above"), [
    ("cnncalc.layers", "cnncalc.analysis"), ("cnncalc.layers", "cnncalc.render"), ("cnncalc.layers", "cnncalc.cli"),
    ("cnncalc.dsl", "cnncalc.analysis"), ("cnncalc.analysis", "cnncalc.render"), ("cnncalc.analysis", "cnncalc.cli"),
    ("cnncalc.analysis", "cnncalc.homework"), ("cnncalc.homework", "cnncalc.cli"), ("cnncalc.render", "cnncalc.cli"),
    ("cnncalc.layers", "cnncalc.torch"), ("cnncalc.analysis", "cnncalc.verify"), ("cnncalc.layers", "cnncalc.dsl"),
])
def test_dependencies_run_one_way(below: str, above: str) -> None:
    """Nothing in a lower package imports a higher one (text → spec → graph → layers → report → rendering/CLI)."""
    for module, imports in graph().items():
        if module.startswith(below):
            assert not [m for m in imports if m.startswith(above)], f"{module} imports {above}"


def test_modules_are_small() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_top_level_holds_only_entry_points() -> None:
    files = {p.name for p in PACKAGE.glob("*.py")}
    assert files <= TOP_LEVEL, f"move these into a package: {sorted(files - TOP_LEVEL)}"


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_kind_is_documented_and_counted(kind: str) -> None:
    cls = REGISTRY[kind]
    assert cls.__doc__ and cls.__doc__.strip()
    assert cls.FLOPS.doc, "an extra-FLOP rule says what it counts"
    for a in cls.args():
        assert a.doc, f"{kind}.{a.name} needs a documentation line"

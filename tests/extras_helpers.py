"""pyproject.toml's extras, read as pip reads them: what each installs, and what only the tests install."""

from __future__ import annotations

import re
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def extras() -> dict[str, tuple[str, ...]]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {name: tuple(reqs) for name, reqs in project["optional-dependencies"].items()}


def requirements(extra: str) -> set[str]:
    """The distributions `pip install 'cnncalc[extra]'` asks for, through cnncalc[...] references."""
    names: set[str] = set()
    for req in map(Requirement, extras()[extra]):
        if normal(req.name) == "cnncalc":
            for sub in req.extras:
                names |= requirements(sub)
        else:
            names.add(normal(req.name))
    return names


def providers(module: str) -> set[str]:
    """The installed distributions that provide the top-level `module`."""
    return {normal(d) for d in metadata.packages_distributions().get(module, [])}


def installed_closure(names: set[str]) -> set[str]:
    """`names` and every installed distribution they require, through their requirements' requirements."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for req in map(Requirement, requires):
            if req.marker is None or req.marker.evaluate({"extra": ""}):  # not only with an extra of that one
                todo.append(normal(req.name))
    return seen


def modules_only_for_tests() -> list[str]:
    """Top-level modules that `make test` installs and `make run` does not (pytest, hypothesis, mypy ...);
    not a module that `make run` installs too, as a requirement of one it asks for (Pillow, for torchvision)."""
    only = requirements("test") - installed_closure(requirements("all"))
    return sorted(m for m, dists in metadata.packages_distributions().items()
                  if dists and {normal(d) for d in dists} <= only and m.isidentifier())

"""Helpers shared by the zoo tests: the torchvision reference counts and cached analyses."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import cnncalc
from cnncalc import zoo
from cnncalc.analysis import LayerReport, Report
from cnncalc.graph import Graph

_COUNTS = Path("shared") / "reference" / "torchvision_counts.json"
# shared/ lies beside the repository (or, for a git worktree, beside a folder above it)
REFERENCE = next((p / _COUNTS for p in Path(__file__).resolve().parents[2:] if (p / _COUNTS).is_file()),
                 Path(__file__).resolve().parents[2] / _COUNTS)


def references() -> dict[str, Any]:
    """Every model's torchvision counts; a missing file fails (CI keeps shared/ beside the repository)."""
    if not REFERENCE.is_file():
        pytest.fail(f"reference counts not found at {REFERENCE}: the tests expect the shared/ folder beside "
                    "the repository (shared/reference/torchvision_counts.json)")
    models: dict[str, Any] = json.loads(REFERENCE.read_text())["models"]
    return models


def reference(key: str) -> dict[str, Any]:
    """torchvision's counts for the model `key`."""
    entry: dict[str, Any] = references()[key]
    return entry


def torchvision_pairs() -> list[tuple[str, str]]:
    """(zoo name, torchvision name) for every zoo network that is a torchvision model (`zoo.torchvision_pairs`:
    ``X_tv`` is torchvision's ``X``), by the reference counts. A placeholder pair fails if they are missing."""
    if not REFERENCE.is_file():
        return [("<reference file missing>", str(REFERENCE))]
    return zoo.torchvision_pairs(json.loads(REFERENCE.read_text())["models"])


def representatives() -> list[str]:
    """The zoo networks the torch tests build: every single-network file, and the first variant of each
    family file (the other variants differ only in their vars; `tools/verify_zoo.py` builds them all)."""
    chosen: dict[object, str] = {}
    for name, path, variant in zoo.networks():
        chosen.setdefault(path if variant is not None else name, name)
    return sorted(chosen.values())


@functools.cache
def report(name: str, size: int | None = None) -> Report:
    """The zoo network analysed at its own input, or at 3×size×size."""
    return cnncalc.analyze(name, input_shape=None if size is None else (3, size, size))


def row(name: str, layer: str, size: int | None = None) -> LayerReport:
    rows = {r.name: r for r in report(name, size).layers}
    assert layer in rows, f"{name} has no layer {layer!r}; it has {sorted(rows)[:20]} ..."
    return rows[layer]


def block_out(name: str, path: str) -> LayerReport:
    """The output layer of block instance `path`."""
    outs = {b.path: b.out for b in report(name).blocks}
    assert path in outs, f"{name} has no block instance {path!r}"
    return row(name, outs[path])


def small_graph(name: str, overrides: Mapping[str, Any] | None = None) -> Graph:
    """The network at the smallest of `zoo.SMALL_SIZES` it accepts (its own input otherwise)."""
    return cnncalc.load(name, input_shape=zoo.small_input(name, overrides), overrides=overrides)

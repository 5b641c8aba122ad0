"""The ``torch`` marker, for the tests and the doctests alike.

``pytest -m "not torch"`` runs the analytic core alone: the tests under tests/pytorch/
and the modules under cnncalc/torch, verify and bench are not collected, and any import of torch,
torchvision, fvcore or numpy is refused, which proves that the core never needs them.
"""

from __future__ import annotations

import importlib.abc
import sys
from pathlib import Path

import pytest

HEAVY = ("torch", "torchvision", "fvcore", "numpy")


class _NoHeavyImports(importlib.abc.MetaPathFinder):
    """Refuses to import torch and friends: installed while only the analytic tests run."""

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name.split(".")[0] in HEAVY:
            raise ImportError(f"the analytic tests must not import {name} (run with -m torch for the torch tests)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "torch: needs PyTorch (deselect with -m 'not torch')")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    if config.getoption("markexpr", "") == "not torch":
        sys.meta_path.insert(0, _NoHeavyImports())


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With -m "not torch", tests/pytorch/ and cnncalc's torch, verify and bench packages are not even imported."""
    if config.getoption("markexpr", "") != "not torch":
        return None
    if collection_path.name == "pytorch" or (collection_path.parent.name == "cnncalc"
                                             and collection_path.name in ("torch", "verify", "bench")):
        return True
    return None

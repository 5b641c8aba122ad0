"""Shared test settings: the helpers' folder, the ``torch`` marker, hypothesis profiles.

Tests that need PyTorch are marked ``torch``: every test under ``tests/pytorch/``,
and elsewhere those that say so. ``pytest -m "not torch"`` runs the analytic core
alone, in seconds, and then refuses any import of torch, torchvision, fvcore or
numpy, which proves that the core never needs them.

Hypothesis: ``ci`` (selected when the CI environment variable is set):
derandomized, a few hundred examples in all, no deadline (torch's first calls
are slow). ``dev`` (the default): more examples, random. Choose one with
HYPOTHESIS_PROFILE=name.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # layer_helpers, zoo_helpers, formula_eval

settings.register_profile("ci", derandomize=True, max_examples=70, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

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
    """With -m "not torch", the modules under tests/pytorch are not even imported."""
    if config.getoption("markexpr", "") == "not torch" and collection_path.name == "pytorch":
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).resolve().parent.name == "pytorch":
            item.add_marker(pytest.mark.torch)


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands speak the environment's language (LC_ALL, LC_MESSAGES, LANG): tests expect English unless
    they ask for another with --lang or their own environment."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")

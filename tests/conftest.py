"""Shared test settings: the helpers' folder, the ``torch`` marker, hypothesis profiles.

Tests that need PyTorch are marked ``torch``: every test under ``tests/pytorch/``,
and elsewhere those that say so (the root conftest.py runs ``-m "not torch"`` without
torch at all).

Hypothesis: ``ci`` (selected when the CI environment variable is set):
derandomized, a few hundred examples in all, no deadline (torch's first calls
are slow). ``dev`` (the default): more examples, random. Choose one with
HYPOTHESIS_PROFILE=name.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # layer_helpers, zoo_helpers, formula_eval
# `cnncalc list` caches the zoo's totals in the user's cache folder: the tests start from an empty one
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="cnncalc-test-cache-")

settings.register_profile("ci", derandomize=True, max_examples=70, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

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

# PyTorch models the importer's tests load by path (tests/pytorch/test_importer.py): not test modules
collect_ignore = ["fixtures/mynets.py"]

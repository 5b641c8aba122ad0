"""Random valid networks in hostile dress (the generator of tools/fuzz_exports.py, drawn by hypothesis with
derandomize): each is refused in one line on loading, or exports to a file that imports and runs with
torch, gives the analysis' output shape and parameter count, and runs no code from the input.

The long run (10,000 networks) is `python tools/fuzz_exports.py -n 10000 --seed 0`, whose last
result the README's "Errors" section records. The tests below the fuzzed one show that its
oracle can fail: executed code, a wrong shape and a traceback are each caught.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from network_strategies import networks

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import fuzz_exports

SMALL = "name: class\ninput: [1, 4, 4]\nlayers:\n  - {conv: 2, name: global}\n"  # 4 − 3 + 1 = 2: (2, 2, 2)


@settings(max_examples=60, derandomize=True, deadline=None, database=None)
@given(networks(), st.integers(0, 2**64 - 1))
def test_random_hostile_networks_export_import_and_run(network: str, salt: int) -> None:
    rng = random.Random(salt)
    text, name = fuzz_exports.case(network, rng), fuzz_exports.filename(rng)
    outcome = fuzz_exports.check(text, name)
    assert not outcome.startswith("bug"), f"{outcome}\nfile {name!r}\n{text[:3000]}"


@pytest.mark.parametrize("escape", fuzz_exports.BREAKS + fuzz_exports.REFUSED)
def test_every_way_out_of_a_string_stays_text(escape: str) -> None:
    """Each escape of the generator, with each of its statements, in the title, notes, source and file name."""
    doc: dict[str, Any] = yaml.safe_load(SMALL)
    texts = [escape.replace("{run}", run) for run in fuzz_exports.RUN]
    doc.update(title=texts[0], notes=texts[1], source=texts[2])
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    outcome = fuzz_exports.check(text, texts[3].replace("/", "|") + ".yaml")
    if escape in fuzz_exports.REFUSED or "\x85" in escape:  # control characters (YAML reads a raw NEL as a break)
        assert outcome in ("refused", "ok") and (outcome == "refused" or "\x85" in escape), outcome
    else:
        assert outcome == "ok", outcome


def test_the_oracle_sees_executed_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exported file whose docstring a title could end: the statement after it runs, and the check says so."""
    from cnncalc.torch import export

    real = export.export_source
    for run in fuzz_exports.RUN[1:]:  # (the first one starts a shell: the other three suffice)
        monkeypatch.setattr(export, "export_source", lambda *a, **k: real(*a, **k) + f"\n{run}\n")  # noqa: B023
        assert fuzz_exports.check(SMALL).startswith("bug: code from the input ran")
    monkeypatch.setattr(export, "export_source", lambda *a, **k: real(*a, **k).replace("Conv2d(1, 2", "Conv2d(2, 2"))
    assert fuzz_exports.check(SMALL).startswith("bug: RuntimeError")  # 2 input channels expected, 1 given
    monkeypatch.setattr(export, "export_source", real)
    assert fuzz_exports.check(SMALL) == "ok"
    assert fuzz_exports.check(SMALL.replace("input: [1, 4, 4]", "input: [1, 2, 2]")) == "refused"  # kernel 3 > 2


def test_the_oracle_compares_shape_and_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    from cnncalc.torch import export

    real = export.export_source
    # the analysis of a 1 → 2 conv of kernel 3 on 1×4×4: 2·(1·3·3) + 2 = 20 parameters, 4 − 3 + 1 = 2: (2, 2, 2) out
    monkeypatch.setattr(export, "export_source", lambda *a, **k: real(*a, **k).replace("=3)", "=3, bias=False)"))
    outcome = fuzz_exports.check(SMALL)
    assert outcome == "bug: 18 parameters, the analysis says 20", outcome
    monkeypatch.setattr(export, "export_source", lambda *a, **k: real(*a, **k).replace("=3)", "=3, padding=1)"))
    outcome = fuzz_exports.check(SMALL)
    assert outcome == "bug: output (2, 2, 4, 4), the analysis says (2, 2, 2, 2)", outcome

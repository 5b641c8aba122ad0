"""Random network files (the generator of tools/fuzz_documents.py, seeds drawn by hypothesis with
derandomize): each analyses, or is refused with one `CnnCalcError` line; never another exception.

The generator mixes plausible networks with issue 16's hostile pieces and damaged text;
the long run (100,000 documents) is `python tools/fuzz_documents.py -n 100000`, whose
last result the README's "Errors" section records.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import fuzz_documents


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_random_documents_analyse_or_are_refused_in_one_line(seed: int) -> None:
    text = fuzz_documents.document(random.Random(seed))
    outcome = fuzz_documents.check(text)
    assert not outcome.startswith("bug"), f"{outcome}\n{text[:3000]}"


def test_the_check_tells_a_traceback_from_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The oracle can fail: a refused document is 'refused', a crash inside cnncalc would be a 'bug'."""
    assert fuzz_documents.check("name: n\ninput: [3, 8, 8]\nlayers: [{conv: {out: 4, kernel: 9}}]\n") == "refused"
    assert fuzz_documents.check("name: n\ninput: [3, 8, 8]\nlayers: [relu]\n") == "ok"
    monkeypatch.setattr("cnncalc.analyze_text", lambda *a, **k: [][1])
    assert fuzz_documents.check("name: n").startswith("bug: IndexError")

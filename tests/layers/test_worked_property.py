"""Every worked formula, read back independently, gives exactly the number the layer reports.

Random networks (tests/network_strategies.py) and random single layers of every
registered kind are bound; each line of their working is rendered as a student
sees it, its arithmetic evaluated by `formula_eval` (a parser of the text that
knows nothing of cnncalc's formula objects), and the result compared with the
number the bound layer reports for that quantity: each output size, params,
buffers, MACs, FLOPs and the other FLOPs, and the receptive field's size, jump
and start per axis.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from formula_eval import checked_value
from hypothesis import given
from hypothesis import strategies as st
from network_strategies import networks

import cnncalc
from cnncalc.errors import LayerError
from cnncalc.layers import REGISTRY
from cnncalc.layers.base import Bound
from cnncalc.layers.rf import field_value, jump_value
from cnncalc.layers.steps import AXES

COUNTS = {"params": "params", "buffers": "buffers", "macs": "macs", "flops": "flops", "other_flops": "other"}
FIELD = {"rf": "size", "jump": "jump", "start": "start"}


def _axes(label: str, rank: int) -> list[int]:
    """The axes a line is about: ``H_out = W_out`` -> H and W; ``RF_W`` -> W; ``RF`` -> all."""
    names = AXES[rank]
    head = label.split(" = ")[0]
    if "_" in head and head.split("_")[0] in ("RF", "jump", "start"):
        return [names.index(c) for c in head.split("_", 1)[1]]
    if head.endswith("_out") and head[0] in names:
        return [names.index(part.split("_")[0]) for part in label.split(" = ") if part.endswith("_out")]
    return list(range(rank))


def check(bound: Bound) -> int:
    """Check every line of `bound`'s working; returns how many lines had arithmetic."""
    checked = 0
    out = bound.output
    for step in bound.steps():
        value = checked_value(step.formula)
        label = step.formula.split(" = ")[0]
        parts = step.formula.split(" = ")
        q = step.quantity
        if value is None:  # a shape carried through, or the whole input
            if q == "output_shape":
                assert step.value == out, step
            elif q in FIELD:  # per axis (``19×7``) or the whole input
                shown = "global" if bound.rf.whole else field_value(bound.rf) if q == "rf" else jump_value(bound.rf)
                assert step.value == shown, step
            continue
        checked += len(parts) > 2
        if q in COUNTS:
            assert value == getattr(bound, COUNTS[q]).value, step
        elif q == "output_shape":
            if label in ("C_out", "features"):
                assert value == out[0], step
            else:
                label_part = " = ".join(p for p in parts if p.endswith("_out"))
                for axis in _axes(label_part, len(out) - 1):
                    assert value == out[1 + axis], step
        elif q in FIELD:
            rf = bound.rf
            for axis in _axes(label, rf.rank):
                exact = Fraction(getattr(rf, FIELD[q])[axis])
                # a field carried through is shown in whole pixels (after a transposed conv: rounded up)
                assert value == exact or (q == "rf" and len(parts) == 2 and value == math.ceil(exact)), step
        else:
            raise AssertionError(f"a line about {q!r}: add its check here")
    return checked


@given(networks())
def test_every_line_of_random_networks(text: str) -> None:
    report = cnncalc.analyze_text(text)
    for row in report.layers:
        assert row.bound is not None
        check(row.bound)
        assert row.params == row.bound.params.value and row.macs == row.bound.macs.value


# values for arguments by name, so that every registered kind can be drawn; a new kind's
# argument fails here until it has an entry
ARGUMENTS: dict[str, st.SearchStrategy[Any]] = {
    "out": st.integers(1, 8), "kernel": st.one_of(st.integers(1, 4), st.lists(st.integers(1, 4), min_size=1,
                                                                                max_size=3)),
    "stride": st.integers(1, 3), "dilation": st.integers(1, 2), "groups": st.sampled_from([1, 2]),
    "padding": st.one_of(st.integers(0, 2), st.sampled_from(["same", "valid"])),
    "output_padding": st.integers(0, 1), "ceil_mode": st.booleans(), "count_include_pad": st.booleans(),
    "bias": st.booleans(), "affine": st.booleans(), "size": st.integers(1, 5), "levels": st.lists(
        st.integers(1, 3), min_size=1, max_size=3), "mode": st.sampled_from(["max", "avg", "row", "batch"]),
    "p": st.floats(0, 0.9), "eps": st.sampled_from([1e-5, 1e-3]), "momentum": st.sampled_from([0.1, 0.01]),
    "alpha": st.floats(0.1, 2), "beta": st.floats(0.1, 2), "k": st.floats(0.5, 2), "negative_slope": st.floats(0, 1),
    "per_channel": st.booleans(), "init": st.floats(0, 1), "approximate": st.sampled_from(["none", "tanh"]),
    "threshold": st.floats(1, 20),
    "parts": st.integers(1, 3), "sizes": st.lists(st.integers(1, 3), min_size=1, max_size=3),
    "part": st.integers(0, 2), "flatten": st.booleans(),
    "op": st.sampled_from(["F.interpolate", "torch.roll"]), "params": st.integers(0, 100),
    "table": st.lists(st.lists(st.integers(0, 1), min_size=1, max_size=2, unique=True), min_size=1, max_size=3),
    "before": st.integers(0, 3), "after": st.integers(0, 3),
}


@st.composite
def single_layers(draw: Any) -> tuple[str, dict[str, Any], list[tuple[int, ...]]]:
    kind = draw(st.sampled_from(sorted(REGISTRY)))
    cls = REGISTRY[kind]
    args = {}
    for a in cls.args():
        assert a.name in ARGUMENTS, f"{kind}: add a strategy for its argument {a.name!r}"
        if a.required or draw(st.booleans()):
            args[a.name] = draw(ARGUMENTS[a.name])
    rank = draw(st.integers(0, 3))
    shape = (draw(st.sampled_from([2, 4, 6])), *(draw(st.integers(1, 12)) for _ in range(rank)))
    return kind, args, [shape] * max(cls.MIN_INPUTS, 1)


@given(single_layers())
def test_every_line_of_random_single_layers(case: tuple[str, dict[str, Any], list[tuple[int, ...]]]) -> None:
    kind, args, ins = case
    try:
        bound = REGISTRY[kind].from_args(args).bind(ins)
    except LayerError:
        return  # arguments that do not fit this input: the error tests cover them
    check(bound)


def test_the_reader_checks_arithmetic() -> None:
    """A line whose arithmetic does not give its value is caught (the test can fail)."""
    bound = REGISTRY["conv"].from_args({"out": 10, "kernel": 5, "padding": 2}).bind([(3, 32, 32)])
    assert check(bound) >= 5
    assert checked_value("params = 5·5·3·10 + 10 = 760") == 760
    try:
        checked_value("params = 5·5·3·10 + 10 = 761")
    except AssertionError:
        pass
    else:
        raise AssertionError("a wrong sum went unnoticed")
    assert math.isclose(float(checked_value("jump = j/s = 1/2 = 1/2") or 0), 0.5)

"""FLOP rules beyond the multiply-accumulates, as small factories.

Like fvcore's ``elementwise_flop_counter``: a rule is a function of the input
shapes and the output shape. Zero is a decision written down (`free`), not a
default: a layer type without a rule is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cnncalc.layers.base import Shape, numel

FlopRule = Callable[[Sequence[Shape], Shape], int]


def free(reason: str) -> FlopRule:
    """No arithmetic at inference (`reason` says why: a reshape, a copy, a no-op)."""

    def rule(ins: Sequence[Shape], out: Shape) -> int:
        return 0

    rule.__doc__ = f"0 FLOPs: {reason}"
    return rule


def per_output(n: int) -> FlopRule:
    """`n` FLOPs per output element (activations: 1; batch norm at inference: 2 ...)."""

    def rule(ins: Sequence[Shape], out: Shape) -> int:
        return n * numel(out)

    rule.__doc__ = f"{n} per output element"
    return rule


def per_input(n: int) -> FlopRule:
    """`n` FLOPs per element of the (first) input (global pooling: 1)."""

    def rule(ins: Sequence[Shape], out: Shape) -> int:
        return n * numel(ins[0])

    rule.__doc__ = f"{n} per input element"
    return rule


def per_extra_input(n: int = 1) -> FlopRule:
    """`n` FLOPs per output element for every input beyond the first (add, mul)."""

    def rule(ins: Sequence[Shape], out: Shape) -> int:
        return n * numel(out) * (len(ins) - 1)

    rule.__doc__ = f"{n} per output element per extra input"
    return rule

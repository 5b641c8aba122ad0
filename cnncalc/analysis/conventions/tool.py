"""A counting tool as data: its call, version and unit, and its rule for one PyTorch call.

Each tool's module keys its rules the way the tool itself does (fvcore and the
dispatching counters by ATen operator, ptflops and thop by the exact torch.nn
class, ptflops' patches by function name); `Tool.count` applies them to one
`TorchOp` and returns a `Tally`: the count that tool attributes to the call, and
the rule that gave it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from cnncalc.layers.torchop import TorchOp

Number = int | Fraction | float
Shape = tuple[int, ...]


@dataclass(frozen=True)
class Tally:
    """What one tool counts for one call, and why."""

    value: Number
    rule: str


ZERO = Tally(0, "")


@dataclass(frozen=True)
class Tool:
    """A counting tool: what it is called, how it was run, its unit, and its rule per call.

    `count(op, batch)` is the tool's count for one layer's call with a batch of
    `batch`; `total(values)` adds the layers up as the tool does (an int, or thop's
    float).
    """

    id: str
    title: str
    call: str
    version: str
    unit: str
    count: Callable[[TorchOp, int], Tally]
    total: Callable[[Sequence[Number]], Number]


def int_total(values: Sequence[Number]) -> Number:
    """The sum, truncated to an integer as the tool's ``int(...)`` does."""
    return int(sum(values, Fraction(0)))


def numel(shape: Sequence[int]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def batched(shape: Shape, batch: int) -> Shape:
    return (batch, *shape)


def weight_numel(op: TorchOp) -> int:
    """A convolution's weight elements: out·(in/groups)·∏k (transposed: in·(out/groups)·∏k, the same)."""
    a = op.attrs
    return int(a["out_channels"] * (a["in_channels"] // a["groups"]) * numel(a["kernel_size"]))


def conv_spatial(op: TorchOp) -> int:
    """The positions a convolution's weight is applied at: the output's, or a transposed one's input's."""
    shape = op.inputs[0] if op.attrs["transposed"] else op.output
    return numel(shape[1:])


def walk(op: TorchOp) -> Iterator[TorchOp]:
    """The calls a module that is not a torch.nn class runs, depth first; the op itself otherwise."""
    if op.calls:
        for inner in op.calls:
            yield from walk(inner)
    else:
        yield op


def joined(tallies: Sequence[Tally]) -> Tally:
    """Several calls' tallies as one: the sum, and the rules that counted something."""
    counted = [t for t in tallies if t.value]
    if not counted:
        return Tally(0, "; ".join(dict.fromkeys(t.rule for t in tallies if t.rule)))
    value: Number = sum((t.value for t in counted), Fraction(0))
    if isinstance(value, Fraction) and value.denominator == 1:
        value = int(value)
    return Tally(value, "; ".join(dict.fromkeys(t.rule for t in counted)))


__all__ = ["ZERO", "Number", "Tally", "Tool", "batched", "conv_spatial", "int_total", "joined", "numel", "walk",
           "weight_numel"]

"""Merges: layers with two or more inputs (add, concat, mul).

The inputs come from the layer's ``from`` or its value (``{add: [a, b]}``),
resolved by the YAML expander; the kinds here only see the input shapes. A
merged unit sees what any of its inputs' units see: the receptive field is the
union of the inputs' fields (`rf.union`).

FLOPs: add and mul 1 per output element per extra input; concat is a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, saved
from cnncalc.layers.base import Bound, Layer, Shape, fmt_shape
from cnncalc.layers.formula import Num, Sum
from cnncalc.layers.registry import register
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True, kw_only=True)
class Merge(Layer):
    """A layer of two or more inputs, without arguments."""

    MIN_INPUTS = 2
    MAX_INPUTS = None

    def output_of(self, ins: tuple[Shape, ...]) -> Shape:
        raise NotImplementedError

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        out = self.output_of(ins)
        return Bound(self, ins, out, self.passed_field(out, fields), worked=self.lines(ins, out))

    def lines(self, ins: tuple[Shape, ...], out: Shape) -> tuple[Worked, ...]:
        return ()


@register("add")
@dataclass(frozen=True, kw_only=True)
class Add(Merge):
    """Elementwise sum of inputs of one shape (residual connections); FLOPs: 1 per output element per extra input."""

    FLOPS = costs.per_extra_input(1)
    TORCH_CALLS = ("+", "+=", "torch.add", "x.add", "x.add_")  # torchvision: out += identity, x + f(x)
    SAVED = saved.nothing(Msg("a sum needs no operand"), passes_grad=True, in_place=True)

    def output_of(self, ins: tuple[Shape, ...]) -> Shape:
        first = ins[0]
        for shape in ins[1:]:
            if shape != first:
                raise LayerError(f"add needs inputs of the same shape, received {fmt_shape(first)} and "
                                 f"{fmt_shape(shape)}")
        return first

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch import modules

        return modules.Add()


@register("concat")
@dataclass(frozen=True, kw_only=True)
class Concat(Merge):
    """Inputs joined along the channels: C = ΣCᵢ; the spatial sizes must agree. FLOPs: none (a copy)."""

    FLOPS = costs.free("a copy")
    TORCH_CALLS = ("torch.cat",)

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        return {"dim": 1}
    SAVED = saved.nothing(Msg("a copy"), passes_grad=True)

    def output_of(self, ins: tuple[Shape, ...]) -> Shape:
        first = ins[0]
        for shape in ins[1:]:
            if shape[1:] != first[1:]:
                raise LayerError("concat joins inputs along the channels and needs the same spatial size, "
                                 f"received {fmt_shape(first)} and {fmt_shape(shape)}")
        return (sum(shape[0] for shape in ins), *first[1:])

    def lines(self, ins: tuple[Shape, ...], out: Shape) -> tuple[Worked, ...]:
        channels = Sum(*(Num(shape[0]) for shape in ins))
        note = Msg("channels add up; the spatial size {size} is shared", size=fmt_shape(out[1:]) or "(none)")
        return (Worked("output_shape", "C_out", channels, note),)

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch import modules

        return modules.Concat(dim=1)


def broadcast(a: Shape, b: Shape) -> Shape:
    """The shape of an elementwise product of `a` and `b`: sizes equal, or 1 stretched.

    Both must have the same rank (C×1×1 gates a C×H×W map).

    >>> broadcast((64, 1, 1), (64, 56, 56))
    (64, 56, 56)
    """
    if len(a) != len(b) or any(x != y and 1 not in (x, y) for x, y in zip(a, b, strict=False)):
        raise LayerError("mul needs inputs of the same rank whose sizes are equal or 1 (a C×1×1 gate and a C×H×W "
                         f"map), received {fmt_shape(a)} and {fmt_shape(b)}")
    return tuple(max(x, y) for x, y in zip(a, b, strict=True))


@register("mul")
@dataclass(frozen=True, kw_only=True)
class Mul(Merge):
    """Elementwise product, broadcasting size-1 dimensions (SE: a C×1×1 gate times C×H×W).

    FLOPs: 1 per output element per extra input.
    """

    FLOPS = costs.per_extra_input(1)
    TORCH_CALLS = ("*", "*=", "torch.mul", "x.mul", "x.mul_")  # torchvision's SE: scale * input
    SAVED = saved.operands()

    def output_of(self, ins: tuple[Shape, ...]) -> Shape:
        out = ins[0]
        for shape in ins[1:]:
            out = broadcast(out, shape)
        return out

    def depth_inputs(self, bound: Bound) -> tuple[int, ...]:
        """A broadcast gate (SE's C×1×1) modulates the path it multiplies; it does not lengthen it.

        So SE-ResNet-50 has depth 50, as its name says, although its gate adds two 1×1 convs.
        """
        full = tuple(k for k, shape in enumerate(bound.inputs) if shape == bound.output)
        return full or tuple(range(len(bound.inputs)))

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch import modules

        return modules.Mul()


__all__ = ["Add", "Concat", "Merge", "Mul", "broadcast"]

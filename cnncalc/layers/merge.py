"""Merges: layers with two or more inputs (add, concat, mul).

The inputs come from the layer's ``from`` or its value (``{add: [a, b]}``),
resolved by the YAML expander; the classes here only see the input shapes.
A merged unit sees what any of its inputs' units see: the receptive field is the
union of the inputs' fields (the base class's default).

FLOPs: add and mul 1 per output element per input beyond the first; concat is a copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnncalc.errors import LayerError
from cnncalc.layers import costs, register
from cnncalc.layers.base import Layer, Shape, Shapes, fmt_shape
from cnncalc.layers.steps import Step, num

if TYPE_CHECKING:
    import torch


class Merge(Layer):
    """A layer of two or more inputs, without arguments."""

    MIN_INPUTS = 2
    MAX_INPUTS = None


@register("add")
class Add(Merge):
    """Elementwise sum of inputs of one shape (residual connections).

    FLOPs: 1 per output element per extra input.
    """

    FLOPS = costs.per_extra_input(1)

    def output_shape(self, ins: Shapes) -> Shape:
        first = tuple(ins[0])
        for shape in ins[1:]:
            if tuple(shape) != first:
                raise LayerError(
                    f"add needs inputs of the same shape, received {fmt_shape(first)} and {fmt_shape(shape)}"
                )
        return first

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        from cnncalc.backends import modules

        return modules.Add()


@register("concat")
class Concat(Merge):
    """Inputs joined along the channels: C = ΣCᵢ; the spatial sizes must agree.

    FLOPs: none (a copy).
    """

    FLOPS = costs.free("a copy")

    def output_shape(self, ins: Shapes) -> Shape:
        first = tuple(ins[0])
        for shape in ins[1:]:
            if tuple(shape[1:]) != first[1:]:
                raise LayerError(
                    "concat joins inputs along the channels and needs the same spatial size, "
                    f"received {fmt_shape(first)} and {fmt_shape(shape)}"
                )
        return (sum(shape[0] for shape in ins), *first[1:])

    def shape_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        channels = " + ".join(str(shape[0]) for shape in ins)
        return [Step("output_shape", f"C_out = {channels} = {num(out[0])}", out[0],
                     f"channels add up; the spatial size {fmt_shape(out[1:]) or '(none)'} is shared")]

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        from cnncalc.backends import modules

        return modules.Concat(dim=1)


def broadcast(a: Shape, b: Shape) -> Shape:
    """The shape of an elementwise product of `a` and `b`: sizes equal, or 1 stretched.

    Both must have the same rank (C×1×1 gates a C×H×W map).

    >>> broadcast((64, 1, 1), (64, 56, 56))
    (64, 56, 56)
    """
    if len(a) != len(b) or any(x != y and 1 not in (x, y) for x, y in zip(a, b, strict=False)):
        raise LayerError(
            "mul needs inputs of the same rank whose sizes are equal or 1 (a C×1×1 gate and a C×H×W map), "
            f"received {fmt_shape(a)} and {fmt_shape(b)}"
        )
    return tuple(max(x, y) for x, y in zip(a, b, strict=True))


@register("mul")
class Mul(Merge):
    """Elementwise product, broadcasting size-1 dimensions (SE: a C×1×1 gate times C×H×W).

    FLOPs: 1 per output element per extra input.
    """

    FLOPS = costs.per_extra_input(1)

    def output_shape(self, ins: Shapes) -> Shape:
        out = tuple(ins[0])
        for shape in ins[1:]:
            out = broadcast(out, tuple(shape))
        return out

    def depth_inputs(self, ins: Shapes, out: Shape) -> tuple[int, ...]:
        """A broadcast gate (SE's C×1×1) modulates the path it multiplies; it does not lengthen it.

        So SE-ResNet-50 has depth 50, as its name says, although its gate adds two 1×1 convs.
        """
        full = tuple(k for k, shape in enumerate(ins) if tuple(shape) == out)
        return full or tuple(range(len(ins)))

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        from cnncalc.backends import modules

        return modules.Mul()


__all__ = ["Add", "Concat", "Merge", "Mul", "broadcast"]

"""Fully connected layers and flatten.

`linear` applies to the flattened input, as Caffe's InnerProduct does: a
256×6×6 input is 9216 input features.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cnncalc.layers import register
from cnncalc.layers import steps as worked
from cnncalc.layers.args import Arg, boolean, positive_int
from cnncalc.layers.base import Layer, Shape, Shapes, fmt_shape, numel
from cnncalc.layers.costs import free
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Step

if TYPE_CHECKING:
    import torch


@register("linear", "fc")
class Linear(Layer):
    """Fully connected layer on the flattened input (torch.nn.Linear; Caffe InnerProduct).

    With in = numel(input): output (out,); params = in·out + out·bias;
    MACs = in·out; extra FLOPs = out (one bias add per output) when bias is on.
    Every output sees the whole input.
    """

    ARGS = (
        Arg("out", positive_int, doc="number of output features"),
        Arg("bias", boolean, True, "add a learned bias per output"),
    )
    PRIMARY = "out"
    WEIGHTED = True

    out: int
    bias: bool

    def output_shape(self, ins: Shapes) -> Shape:
        return (self.out,)

    def params(self, ins: Shapes, out: Shape) -> int:
        return numel(ins[0]) * self.out + (self.out if self.bias else 0)

    def macs(self, ins: Shapes, out: Shape) -> int:
        return numel(ins[0]) * self.out

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        """One add per output for the bias."""
        return self.out if self.bias else 0

    def receptive_field(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> RF:
        return RF.whole_input()

    def notes(self, ins: Shapes, out: Shape) -> tuple[str, ...]:
        if len(ins[0]) > 1:
            return (f"flattens {fmt_shape(ins[0])} = {numel(ins[0])} inputs",)
        return ()

    def describe(self) -> str:
        return f"{self.out}" + ("" if self.bias else " no bias")

    def biases(self, ins: Shapes, out: Shape) -> int:
        return self.out if self.bias else 0

    def shape_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        flat = f"; it flattens {fmt_shape(ins[0])} = {worked.num(numel(ins[0]))} inputs" if len(ins[0]) > 1 else ""
        return [Step("output_shape", f"features = out = {self.out}", self.out, "one output per neuron" + flat)]

    def params_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        return [worked.dense_params(ins[0], self.out, self.biases(ins, out))]

    def macs_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        return [worked.macs_step(ins[0], [self.out], self.macs(ins, out), "every input times every output")]

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        linear = nn.Linear(numel(ins[0]), self.out, bias=self.bias)
        return nn.Sequential(nn.Flatten(), linear) if len(ins[0]) > 1 else linear


@register("flatten")
class Flatten(Layer):
    """Flatten to a vector: output (numel(input),); no arithmetic (a reshape); sees the whole input."""

    FLOPS = free("a reshape")

    def output_shape(self, ins: Shapes) -> Shape:
        return (numel(ins[0]),)

    def shape_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        return [Step("output_shape", f"features = {worked.product(ins[0])} = {worked.num(out[0])}", out[0])]

    def receptive_field(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> RF:
        return RF.whole_input()

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        return nn.Flatten()


__all__ = ["Flatten", "Linear"]

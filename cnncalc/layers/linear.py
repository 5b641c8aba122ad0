"""Fully connected layers and flatten.

`linear` applies to the flattened input, as Caffe's InnerProduct does: a
256×6×6 input is 9216 input features. With ``flatten: false`` it applies over the
channels at every position instead, as torch's ``nn.Linear`` on a channels-last
tensor (ConvNeXt's pointwise MLP): a C×H×W input gives out×H×W, with C·out
weights shared by the positions and H·W·C·out MACs (as fvcore counts it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from cnncalc.layers import costs, recurrence, saved
from cnncalc.layers.args import boolean, positive_int
from cnncalc.layers.base import Bound, Layer, Shape, arg, fmt_shape, numel
from cnncalc.layers.formula import Formula, Group, Mul, Num, Sum, product
from cnncalc.layers.registry import register
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg, Plural
from cnncalc.layers.torchop import TorchOp

if TYPE_CHECKING:
    import torch


@register("linear", "fc")
@dataclass(frozen=True, kw_only=True)
class Linear(Layer):
    """Fully connected layer (torch.nn.Linear): on the flattened input (Caffe's InnerProduct), or with
    ``flatten: false`` over the channels at every position (a channels-last nn.Linear, as in ConvNeXt).

    With in = numel(input): output (out,); params = in·out + out·bias;
    MACs = in·out; extra FLOPs = out (one bias add per output) when bias is on.
    Every output sees the whole input. Per position (C×H×W): output out×H×W,
    params C·out + out·bias, MACs H·W·C·out, the field of the input.
    """

    out: int = arg(positive_int, doc="number of output features", primary=True)
    bias: bool = arg(boolean, True, "add a learned bias per output")
    flatten: bool = arg(boolean, True, "true: on the flattened input; false: over the channels at every "
                        "position (torch's nn.Linear on a channels-last tensor, as in ConvNeXt)")

    WEIGHTED = True
    FLOPS = costs.bias_adds()
    TORCH_CALLS = ("nn.Linear",)
    SAVED = saved.flat_input()

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        if not self.flatten and len(shape) > 1:
            return self._pointwise(ins, fields)
        inputs = numel(shape)
        features: Formula = Group(product(shape)) if len(shape) > 1 else Num(inputs, "in")
        weights = Mul(features, Num(self.out, "out"))
        biases: Formula = Num(self.out, "out") if self.bias else Num(0)
        params = Sum(weights, biases) if self.bias else weights
        macs = Mul(Group(product(shape)), Group(Num(self.out)))
        flattens = Msg("; it flattens {shape} = {n} inputs", shape=fmt_shape(shape), n=f"{inputs:,}") \
            if len(shape) > 1 else ""
        worked = (
            Worked("output_shape", "features", Num(self.out, "out"), Msg("one output per neuron{flat}", flat=flattens),
                   symbolic=True),
            Worked("params", "params", params, Msg("{i} × {o} = {w} + {b}", i=Plural(inputs, "input", "inputs"),
                                                   o=Plural(self.out, "output", "outputs"),
                                                   w=Plural(int(weights.value), "weight", "weights"),
                                                   b=Plural(int(biases.value), "bias", "biases"))),
            Worked("macs", "MACs", macs, Msg("every input times every output")),
        )
        notes = (Msg("flattens {shape} = {n} inputs", shape=fmt_shape(shape), n=inputs),) if len(shape) > 1 else ()
        return Bound(self, ins, (self.out,), recurrence.whole(fields), params=params, biases=biases, macs=macs,
                     worked=worked, notes=notes)

    def _pointwise(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        """Over the channels at every position: a 1×1 convolution's numbers with a Linear's weights."""
        shape = ins[0]
        c = shape[0]
        weights = Mul(Num(c, "C_in"), Num(self.out, "out"))
        biases: Formula = Num(self.out, "out") if self.bias else Num(0)
        params = Sum(weights, biases) if self.bias else weights
        macs = Mul(Group(product(shape[1:])), Num(c, "C_in"), Num(self.out, "out"))
        positions = fmt_shape(shape[1:])
        worked = (
            Worked("output_shape", "C_out", Num(self.out, "out"),
                   Msg("one output channel per neuron, at each of the {p} positions", p=positions), symbolic=True),
            Worked("params", "params", params, Msg("{i} × {o} = {w} + {b}, shared by every position",
                                                   i=Plural(c, "input", "inputs"),
                                                   o=Plural(self.out, "output", "outputs"),
                                                   w=Plural(int(weights.value), "weight", "weights"),
                                                   b=Plural(int(biases.value), "bias", "biases")), symbolic=True),
            Worked("macs", "MACs", macs, Msg("every input channel times every output, at each position")),
        )
        out = (self.out, *shape[1:])
        return Bound(self, ins, out, recurrence.passed(fields), params=params, biases=biases, macs=macs,
                     worked=worked)

    def describe(self, bound: Bound) -> str:
        per = " per position" if not self.flatten and len(bound.inputs[0]) > 1 else ""
        return f"{self.out}{per}" + ("" if self.bias else " no bias")

    def torch_op(self, bound: Bound, call: str = "") -> TorchOp:
        """nn.Linear on the flattened input (the lowering flattens first, as torchvision's
        ``torch.flatten(x, 1)`` does): a (numel,) input, always contiguous. Per position, as torch
        sees it: a channels-last (*spatial, C) input, contiguous (ConvNeXt's MLP follows a LayerNorm)."""
        op = super().torch_op(bound, call)
        shape = bound.inputs[0]
        if not self.flatten and len(shape) > 1:
            return replace(op, inputs=((*shape[1:], shape[0]),), output=(*shape[1:], self.out))
        return replace(op, inputs=((numel(shape),),))

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        shape = bound.inputs[0]
        features = shape[0] if not self.flatten and len(shape) > 1 else numel(shape)
        return {"in_features": features, "out_features": self.out, "bias": self.bias, "contiguous": True}

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        shape = bound.inputs[0]
        if not self.flatten and len(shape) > 1:
            from cnncalc.torch.modules import PointwiseLinear

            return PointwiseLinear(shape[0], self.out, bias=self.bias)
        linear = nn.Linear(numel(shape), self.out, bias=self.bias)
        return nn.Sequential(nn.Flatten(), linear) if len(shape) > 1 else linear


@register("flatten")
@dataclass(frozen=True, kw_only=True)
class Flatten(Layer):
    """Flatten to a vector: output (numel(input),); no arithmetic (a reshape); sees the whole input."""

    FLOPS = costs.free("a reshape")
    TORCH_CALLS = ("torch.flatten", "x.flatten", "nn.Flatten", "x.view", "x.reshape")
    SAVED = saved.view_or_copy()

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        features = product(ins[0])
        return Bound(self, ins, (int(features.value),), recurrence.whole(fields),
                     worked=(Worked("output_shape", "features", features),))

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        return nn.Flatten()


__all__ = ["Flatten", "Linear"]

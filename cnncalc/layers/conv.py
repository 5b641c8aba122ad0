"""Convolutions, generic over rank: one kind serves 1-D, 2-D and 3-D inputs (torch.nn.Conv1d/2d/3d).

params = out·(in/groups)·∏k + out·bias; MACs = out_numel·(in/groups)·∏k;
extra FLOPs: one add per output element for the bias.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, recurrence, saved
from cnncalc.layers.args import IntOrTuple, Padding, boolean, int_or_tuple, padding, positive_int
from cnncalc.layers.base import Bound, Shape, arg, spatial_rank
from cnncalc.layers.formula import Div, Formula, Group, Mul, Num, Sum, product
from cnncalc.layers.registry import register
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg, Plural
from cnncalc.layers.window import Window

if TYPE_CHECKING:
    import torch


def filter_params(kernel: Sequence[int], channels: int, groups: int, filters: int, bias: bool) -> tuple[
        Formula, Formula, Worked]:
    """``params = k·k·C_in·out + out`` (C_in/groups with groups): the formula, its biases and the line."""
    seen: Formula = Div(Num(channels, "C_in"), Num(groups, "groups")) if groups > 1 else Num(channels, "C_in")
    weights = Mul(*(Num(k, "k") for k in kernel), seen, Num(filters, "out"))
    biases: Formula = Num(filters, "out") if bias else Num(0)
    params = Sum(weights, biases) if bias else weights
    per_filter = Mul(*(Num(k) for k in kernel), Num(seen.value))
    note = Msg("{per} = {per.shown} weights per filter{bias}, {filters}: {weights} + {biases}",
               per=per_filter, bias=Msg(" + 1 bias") if bias else "", filters=Plural(filters, "filter", "filters"),
               weights=Plural(int(weights.value), "weight", "weights"),
               biases=Plural(int(biases.value), "bias", "biases"))
    if groups > 1:
        note = Msg("groups = {g}: each filter sees {seen} = {seen.shown} input channels; {rest}", g=groups,
                   seen=seen, rest=note)
    return params, biases, Worked("params", "params", params, note)


@register("conv", "conv2d", "conv1d", "conv3d", "convolution")
@dataclass(frozen=True, kw_only=True)
class Conv(Window):
    """Convolution over 1, 2 or 3 spatial dimensions (torch.nn.Conv1d/2d/3d).

    params = out·(in/groups)·∏k + out·bias; MACs = out_numel·(in/groups)·∏k.
    """

    out: int = arg(positive_int, doc="number of filters (output channels)", primary=True)
    kernel: IntOrTuple = arg(int_or_tuple(1), 3, "kernel size: an int or one per dimension")
    stride: IntOrTuple = arg(int_or_tuple(1), 1, "stride: an int or one per dimension")
    padding: Padding = arg(padding, 0, "an int, one per dimension, [before, after] pairs, 'same' or 'valid'")
    dilation: IntOrTuple = arg(int_or_tuple(1), 1, "spacing between kernel elements")
    groups: int = arg(positive_int, 1, "channel groups (in and out must both be divisible)")
    bias: bool = arg(boolean, True, "add a learned bias per filter")

    NOUN = "filter"
    WEIGHTED = True
    FLOPS = costs.bias_adds()
    TORCH_CALLS = ("nn.Conv{rank}d",)
    SAVED = saved.padded_input()

    def validate(self) -> None:
        if self.out % self.groups:
            raise LayerError(f"the number of filters must be evenly divisible by the number of groups. "
                             f"Received: groups={self.groups}, out={self.out}", arg="groups")

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        channels = shape[0]
        if channels % self.groups:
            raise LayerError(f"the input channels must be evenly divisible by the number of groups. "
                             f"Received: groups={self.groups}, input channels={channels}")
        g = self.geometry(shape)
        sizes, size_lines, fits = self.sizes(shape, g)
        out = (self.out, *(int(f.value) for f in sizes))
        params, biases, params_line = filter_params(g.kernel, channels, self.groups, self.out, self.bias)
        per = channels // self.groups
        macs = Mul(Group(product(out)), Group(Mul(*(Num(k) for k in g.kernel), Num(per))))
        macs_note = Msg("output elements × k·k·C_in{groups} multiply-accumulates each",
                        groups="/groups" if self.groups > 1 else "")
        worked = (Worked("output_shape", "C_out", Num(self.out, "out"), Msg("one output channel per filter"),
                         symbolic=True),
                  *size_lines, params_line, Worked("macs", "MACs", macs, macs_note))
        field = recurrence.window(fields[0], g.kernel, g.stride, g.leading, g.dilation)
        return Bound(self, ins, out, field, g, params=params, biases=biases, macs=macs,
                     worked=worked, notes=self.tiling_notes(shape, g, fits), fits=fits)

    def describe(self, bound: Bound) -> str:
        return super().describe(bound) + (f" g{self.groups}" if self.groups != 1 else "") + \
            ("" if self.bias else " no bias")

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        g = bound.geometry
        return {"in_channels": bound.inputs[0][0], "out_channels": self.out, "kernel_size": g.kernel,
                "stride": g.stride, "padding": g.leading, "dilation": g.dilation, "groups": self.groups,
                "bias": self.bias, "transposed": False}

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        rank = spatial_rank(bound.inputs[0])
        g = bound.geometry
        cls: Any = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[rank - 1]
        conv: nn.Module = cls(bound.inputs[0][0], self.out, g.kernel, g.stride, g.leading if g.symmetric else 0,
                              g.dilation, self.groups, self.bias)
        if g.symmetric:
            return conv
        # asymmetric padding ('same' with an even kernel, or explicit pairs): pad first
        return nn.Sequential(pad_module([p for pair in reversed(g.pads) for p in pair], rank), conv)


def pad_module(flat: Sequence[int], rank: int) -> torch.nn.Module:
    """Zero padding given as torch's flat (last-dim-first) before/after list."""
    import torch.nn as nn

    cls: Any = (nn.ZeroPad1d, nn.ZeroPad2d, nn.ZeroPad3d)[rank - 1]
    return cls(tuple(flat))  # type: ignore[no-any-return]


__all__ = ["Conv", "filter_params", "pad_module"]

"""Transposed convolution, generic over rank (torch.nn.ConvTranspose1d/2d/3d)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, recurrence, saved
from cnncalc.layers.args import IntOrTuple, boolean, int_or_tuple, per_dim, positive_int
from cnncalc.layers.base import Bound, Layer, Shape, arg, spatial_rank
from cnncalc.layers.formula import Div, Formula, Group, Mul, Num, Sub, Sum, product
from cnncalc.layers.registry import register
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import AXES, Worked, axis_groups
from cnncalc.layers.text import Msg
from cnncalc.layers.window import need_spatial

if TYPE_CHECKING:
    import torch

GEOMETRY = ("kernel", "stride", "padding", "output_padding", "dilation")


@register("convtranspose", "deconv", "convtranspose2d", "conv_transpose")
@dataclass(frozen=True, kw_only=True)
class ConvTranspose(Layer):
    """Transposed convolution (torch.nn.ConvTranspose1d/2d/3d).

    Output size ``(n−1)·s − 2p + d·(k−1) + output_padding + 1``;
    params = in·(out/groups)·∏k + out·bias; MACs = in_numel·(out/groups)·∏k.
    """

    out: int = arg(positive_int, doc="number of output channels", primary=True)
    kernel: IntOrTuple = arg(int_or_tuple(1), 2, "kernel size: an int or one per dimension")
    stride: IntOrTuple = arg(int_or_tuple(1), 1, "stride (the upsampling factor)")
    padding: IntOrTuple = arg(int_or_tuple(0), 0, "implicit zero padding removed from each side of the output")
    output_padding: IntOrTuple = arg(int_or_tuple(0), 0, "extra size added to one side of the output")
    dilation: IntOrTuple = arg(int_or_tuple(1), 1, "spacing between kernel elements")
    groups: int = arg(positive_int, 1, "channel groups")
    bias: bool = arg(boolean, True, "add a learned bias per output channel")

    WEIGHTED = True
    FLOPS = costs.bias_adds()
    TORCH_CALLS = ("nn.ConvTranspose{rank}d",)
    SAVED = saved.input_and_weight()

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        channels = shape[0]
        if channels % self.groups or self.out % self.groups:
            raise LayerError(f"input and output channels must be evenly divisible by the number of groups. "
                             f"Received: groups={self.groups}, input channels={channels}, out={self.out}")
        rank = need_spatial(self.KIND, shape)
        kernel, stride, pad, out_pad, dilation = (per_dim(getattr(self, n), rank, n) for n in GEOMETRY)
        keys = list(zip(shape[1:], kernel, stride, pad, out_pad, dilation, strict=True))
        sizes: list[Formula] = []
        for n, k, s, p, op, d in keys:
            if op >= max(s, d):
                raise LayerError(f"output_padding must be smaller than the stride or the dilation. "
                                 f"Received: output_padding={op}, stride={s}, dilation={d}")
            size = Sum(Sub(Mul(Sub(Num(n), 1), Num(s)), Mul(2, Num(p))), Mul(Num(d), Sub(Num(k), 1)), Num(op), 1)
            if size.value < 1:
                raise LayerError(f"the padding {p} removes the whole output (size {size.value}); use less padding")
            sizes.append(size)
        out = (self.out, *(int(f.value) for f in sizes))
        rule = Msg("(n − 1)·s − 2·p + d·(k − 1) + output_padding + 1")
        lines = [Worked("output_shape", "C_out", Num(self.out, "out"), symbolic=True)]
        lines += [Worked("output_shape", " = ".join(f"{AXES[rank][a]}_out" for a in axes), sizes[axes[0]], rule)
                  for axes in axis_groups(rank, keys)]
        outs: Formula = Div(Num(self.out), Num(self.groups)) if self.groups > 1 else Num(self.out)
        weights = Mul(*(Num(k) for k in kernel), Num(channels), outs)
        biases: Formula = Num(self.out) if self.bias else Num(0)
        params = Sum(weights, biases) if self.bias else weights
        macs = Mul(Group(product(shape)), Group(Mul(*(Num(k) for k in kernel), Num(self.out // self.groups))))
        lines += [Worked("params", "params", params, Msg("k·k·C_in·(out/groups) weights + out biases")),
                  Worked("macs", "MACs", macs, Msg("each input element is multiplied into a k×k window of "
                                                   "out/groups channels"))]
        field = recurrence.transposed(fields[0], kernel, stride, pad, dilation)
        return Bound(self, ins, out, field, (kernel, stride, pad, out_pad, dilation), params=params,
                     biases=biases, macs=macs, worked=tuple(lines))

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        kernel, stride, pad, out_pad, dilation = bound.geometry
        return {"in_channels": bound.inputs[0][0], "out_channels": self.out, "kernel_size": kernel,
                "stride": stride, "padding": pad, "output_padding": out_pad, "dilation": dilation,
                "groups": self.groups, "bias": self.bias, "transposed": True}

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        kernel, stride, pad, out_pad, dilation = bound.geometry
        cls: Any = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)[spatial_rank(bound.inputs[0]) - 1]
        module: nn.Module = cls(bound.inputs[0][0], self.out, kernel, stride, pad, out_pad, self.groups, self.bias,
                                dilation)
        return module


__all__ = ["ConvTranspose"]

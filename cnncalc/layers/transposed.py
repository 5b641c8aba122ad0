"""Transposed convolution, generic over rank (torch.nn.ConvTranspose1d/2d/3d)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cnncalc import shapes
from cnncalc.errors import LayerError
from cnncalc.layers import register
from cnncalc.layers import steps as worked
from cnncalc.layers.args import Arg, IntOrTuple, boolean, int_or_tuple, per_dim, positive_int
from cnncalc.layers.base import Layer, Shape, Shapes, numel, spatial_rank
from cnncalc.layers.conv import need_spatial
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Step

if TYPE_CHECKING:
    import torch


@register("convtranspose", "deconv", "convtranspose2d", "conv_transpose")
class ConvTranspose(Layer):
    """Transposed convolution (torch.nn.ConvTranspose1d/2d/3d).

    Output size ``(n−1)·s − 2p + d·(k−1) + output_padding + 1``;
    params = in·(out/groups)·∏k + out·bias; MACs = in_numel·(out/groups)·∏k.
    """

    ARGS = (
        Arg("out", positive_int, doc="number of output channels"),
        Arg("kernel", int_or_tuple(1), 2, "kernel size: an int or one per dimension"),
        Arg("stride", int_or_tuple(1), 1, "stride (the upsampling factor)"),
        Arg("padding", int_or_tuple(0), 0, "implicit zero padding removed from each side of the output"),
        Arg("output_padding", int_or_tuple(0), 0, "extra size added to one side of the output"),
        Arg("dilation", int_or_tuple(1), 1, "spacing between kernel elements"),
        Arg("groups", positive_int, 1, "channel groups"),
        Arg("bias", boolean, True, "add a learned bias per output channel"),
    )
    PRIMARY = "out"
    WEIGHTED = True

    out: int
    kernel: IntOrTuple
    stride: IntOrTuple
    padding: IntOrTuple
    output_padding: IntOrTuple
    dilation: IntOrTuple
    groups: int
    bias: bool

    def geometry(self, shape: Shape) -> tuple[tuple[int, ...], ...]:
        rank = need_spatial(self.KIND, shape)
        return tuple(
            per_dim(getattr(self, name), rank, name)
            for name in ("kernel", "stride", "padding", "output_padding", "dilation")
        )

    def output_shape(self, ins: Shapes) -> Shape:
        channels = ins[0][0]
        if channels % self.groups or self.out % self.groups:
            raise LayerError(
                f"input and output channels must be evenly divisible by the number of groups. "
                f"Received: groups={self.groups}, input channels={channels}, out={self.out}"
            )
        kernel, stride, pad, out_pad, dilation = self.geometry(ins[0])
        sizes = []
        for n, k, s, p, op, d in zip(ins[0][1:], kernel, stride, pad, out_pad, dilation, strict=True):
            if op >= max(s, d):
                raise LayerError(
                    f"output_padding must be smaller than the stride or the dilation. "
                    f"Received: output_padding={op}, stride={s}, dilation={d}"
                )
            size = shapes.transposed_out(n, k, s, p, d, op)
            if size < 1:
                raise LayerError(f"the padding {p} removes the whole output (size {size}); use less padding")
            sizes.append(size)
        return (self.out, *sizes)

    def params(self, ins: Shapes, out: Shape) -> int:
        kernel = self.geometry(ins[0])[0]
        return ins[0][0] * (self.out // self.groups) * numel(kernel) + (self.out if self.bias else 0)

    def macs(self, ins: Shapes, out: Shape) -> int:
        kernel = self.geometry(ins[0])[0]
        return numel(ins[0]) * (self.out // self.groups) * numel(kernel)

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        """One add per output element for the bias."""
        return numel(out) if self.bias else 0

    def receptive_field(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> RF:
        kernel, stride, pad, _, dilation = self.geometry(ins[0])
        return fields[0].through_transposed(kernel, stride, pad, dilation)

    def rf_exact(self, ins: Shapes, out: Shape) -> bool:
        """The field is the largest over output positions (see `RF.through_transposed`)."""
        return False

    def biases(self, ins: Shapes, out: Shape) -> int:
        return self.out if self.bias else 0

    def shape_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        kernel, stride, pad, out_pad, dilation = self.geometry(ins[0])
        return [Step("output_shape", f"C_out = out = {self.out}", self.out),
                *worked.transposed_steps(ins[0], out, kernel, stride, pad, out_pad, dilation)]

    def params_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        outs = self.out if self.groups == 1 else f"({self.out}/{self.groups})"
        return [worked.weights_step([*self.geometry(ins[0])[0], ins[0][0], outs], self.params(ins, out),
                                    self.biases(ins, out), "k·k·C_in·(out/groups) weights + out biases")]

    def macs_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        kernel = self.geometry(ins[0])[0]
        return [worked.macs_step(ins[0], [*kernel, self.out // self.groups], self.macs(ins, out),
                                 "each input element is multiplied into a k×k window of out/groups channels")]

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        rank = spatial_rank(ins[0])
        geometry: Any = self.geometry(ins[0])  # per-dimension tuples, as torch accepts them
        kernel, stride, pad, out_pad, dilation = geometry
        cls: Any = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)[rank - 1]
        module: nn.Module = cls(ins[0][0], self.out, kernel, stride, pad, out_pad, self.groups, self.bias, dilation)
        return module

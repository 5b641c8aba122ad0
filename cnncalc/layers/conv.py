"""Convolutions, generic over rank: one class serves 1-D, 2-D and 3-D inputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from cnncalc import shapes
from cnncalc.errors import LayerError
from cnncalc.layers import register
from cnncalc.layers import steps as worked
from cnncalc.layers.args import (
    Arg,
    IntOrTuple,
    Padding,
    boolean,
    int_or_tuple,
    pad_pairs,
    padding,
    per_dim,
    positive_int,
)
from cnncalc.layers.base import Layer, Shape, Shapes, fmt_shape, numel, spatial_rank
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Step

if TYPE_CHECKING:
    import torch


def need_spatial(kind: str, shape: Shape) -> int:
    rank = spatial_rank(shape)
    if not 1 <= rank <= 3:
        raise LayerError(
            f"{kind} needs a C×L, C×H×W or C×D×H×W input, received {fmt_shape(shape)}"
            + (" (a flattened vector: put it before flatten/linear)" if rank == 0 else "")
        )
    return rank


class Window(Layer):
    """Shared geometry of sliding-window layers (convolutions and pooling).

    Subclasses declare ``kernel``, ``stride``, ``padding`` and ``dilation`` arguments;
    this class resolves them per dimension and applies `shapes.conv_out`.
    """

    kernel: IntOrTuple
    stride: IntOrTuple | None
    padding: Padding
    dilation: IntOrTuple

    def geometry(self, shape: Shape) -> tuple[tuple[int, ...], tuple[int, ...], tuple[tuple[int, int], ...],
                                              tuple[int, ...]]:
        """kernel, stride, (pad before, pad after) and dilation, one entry per spatial dimension.

        Every rule needs it, so the last result is kept (layers are immutable once built).
        """
        cached = self.__dict__.get("_geometry")
        if cached is not None and cached[0] == shape:
            return cached[1]  # type: ignore[no-any-return]
        rank = need_spatial(self.KIND, shape)
        kernel = per_dim(self.kernel, rank, "kernel")
        stride = per_dim(self.stride if self.stride is not None else self.kernel, rank, "stride")
        dilation = per_dim(self.dilation, rank, "dilation")
        pads = pad_pairs(self.padding, rank)
        if pads == "valid":
            pads = ((0, 0),) * rank
        elif pads == "same":
            pads = tuple(
                shapes.same_padding(n, k, s, d) for n, k, s, d in zip(shape[1:], kernel, stride, dilation, strict=True)
            )
        assert not isinstance(pads, str)
        self.__dict__["_geometry"] = (shape, (kernel, stride, pads, dilation))
        return kernel, stride, pads, dilation

    def rounds_up(self) -> bool:
        """Whether output sizes round up (pooling's ceil_mode); convolutions floor."""
        return False

    def spatial_out(self, shape: Shape) -> tuple[int, ...]:
        kernel, stride, pads, dilation = self.geometry(shape)
        out = []
        for n, k, s, (lo, hi), d in zip(shape[1:], kernel, stride, pads, dilation, strict=True):
            k_eff = shapes.effective_kernel(k, d)
            if k_eff > n + lo + hi:
                raise LayerError(
                    f"the {'×'.join(map(str, kernel))} kernel"
                    + (f" (dilated to {k_eff})" if d > 1 else "")
                    + f" is larger than the padded input ({n} + {lo} + {hi} = {n + lo + hi}); "
                    "use a smaller kernel, more padding, or a larger input"
                )
            out.append(shapes.conv_out(n, k, s, lo, hi, d, self.rounds_up()))
        return tuple(out)

    def fits(self, ins: Shapes) -> bool:
        kernel, stride, pads, dilation = self.geometry(ins[0])
        return all(
            shapes.conv_exact(n, k, s, lo, hi, d)
            for n, k, s, (lo, hi), d in zip(ins[0][1:], kernel, stride, pads, dilation, strict=True)
        )

    def notes(self, ins: Shapes, out: Shape) -> tuple[str, ...]:
        if self.fits(ins):
            return ()
        how = "rounded up (ceil_mode)" if self.rounds_up() else "floored, the last row/column is ignored"
        return (f"{Window.describe(self)} does not tile the {fmt_shape(ins[0][1:])} input evenly: output size {how}",)

    def receptive_field(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> RF:
        kernel, stride, pads, dilation = self.geometry(ins[0])
        return fields[0].through(kernel, stride, tuple(p[0] for p in pads), dilation)

    NOUN: ClassVar[str] = "window"  # what the worked formulas call the kernel ("filter" for convolutions)

    def channel_step(self, ins: Shapes, out: Shape) -> Step:
        return Step("output_shape", f"C_out = C_in = {out[0]}", out[0], "pooling works on each channel alone")

    def shape_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        kernel, stride, pads, dilation = self.geometry(ins[0])
        return [self.channel_step(ins, out),
                *worked.window_steps(ins[0], out, kernel, stride, pads, dilation, self.rounds_up(), self.NOUN)]

    def rf_steps(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> list[Step]:
        kernel, stride, _, dilation = self.geometry(ins[0])
        return worked.window_field_steps(fields[0], self.receptive_field(fields, ins, out), kernel, stride, dilation)

    def describe(self) -> str:
        """Window geometry as papers write it: ``3×3/2 p1`` (kernel/stride, padding, dilation).

        Per dimension once the input's rank is known (after the first rule ran), else as written.
        """
        cached = self.__dict__.get("_geometry")
        if cached is not None:
            kernel, stride, pads, dilation = cached[1]
            text = _dims(kernel) + ("" if set(stride) == {1} else "/" + _compact_arg(
                stride[0] if len(set(stride)) == 1 else stride))
            if any(p != (0, 0) for p in pads):
                symmetric = all(lo == hi for lo, hi in pads)
                before = tuple(lo for lo, _ in pads)
                text += " p" + (_compact_arg(before[0] if len(set(before)) == 1 else before) if symmetric
                                else _compact_arg(pads))
            return text + ("" if set(dilation) == {1} else " d" + _compact_arg(
                dilation[0] if len(set(dilation)) == 1 else dilation))
        stride = self.stride if self.stride is not None else self.kernel
        text = _compact_arg(self.kernel) + ("" if stride == 1 else "/" + _compact_arg(stride))
        return text + ("" if self.padding in (0, (0,)) else f" p{_compact_arg(self.padding)}")


@register("conv", "conv2d", "conv1d", "conv3d", "convolution")
class Conv(Window):
    """Convolution over 1, 2 or 3 spatial dimensions (torch.nn.Conv1d/2d/3d).

    params = out·(in/groups)·∏k + out·bias; MACs = out_numel·(in/groups)·∏k.
    """

    ARGS = (
        Arg("out", positive_int, doc="number of filters (output channels)"),
        Arg("kernel", int_or_tuple(1), 3, "kernel size: an int or one per dimension"),
        Arg("stride", int_or_tuple(1), 1, "stride: an int or one per dimension"),
        Arg("padding", padding, 0, "an int, one per dimension, [before, after] pairs, 'same' or 'valid'"),
        Arg("dilation", int_or_tuple(1), 1, "spacing between kernel elements"),
        Arg("groups", positive_int, 1, "channel groups (in and out must both be divisible)"),
        Arg("bias", boolean, True, "add a learned bias per filter"),
    )
    PRIMARY = "out"
    WEIGHTED = True

    out: int
    stride: IntOrTuple
    groups: int
    bias: bool

    def describe(self) -> str:
        return super().describe() + (f" g{self.groups}" if self.groups != 1 else "") + ("" if self.bias else " no bias")

    def validate(self) -> None:
        if self.out % self.groups:
            raise LayerError(
                f"the number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={self.groups}, out={self.out}",
                arg="groups",
            )

    def output_shape(self, ins: Shapes) -> Shape:
        channels = ins[0][0]
        if channels % self.groups:
            raise LayerError(
                f"the input channels must be evenly divisible by the number of groups. "
                f"Received: groups={self.groups}, input channels={channels}"
            )
        return (self.out, *self.spatial_out(ins[0]))

    def kernel_volume(self, shape: Shape) -> int:
        return numel(self.geometry(shape)[0])

    def params(self, ins: Shapes, out: Shape) -> int:
        return self.out * (ins[0][0] // self.groups) * self.kernel_volume(ins[0]) + (self.out if self.bias else 0)

    def macs(self, ins: Shapes, out: Shape) -> int:
        return numel(out) * (ins[0][0] // self.groups) * self.kernel_volume(ins[0])

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        """One add per output element for the bias."""
        return numel(out) if self.bias else 0

    NOUN = "filter"

    def biases(self, ins: Shapes, out: Shape) -> int:
        return self.out if self.bias else 0

    def channel_step(self, ins: Shapes, out: Shape) -> Step:
        return Step("output_shape", f"C_out = out = {self.out}", self.out, "one output channel per filter")

    def params_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        kernel = self.geometry(ins[0])[0]
        return [worked.filter_params(kernel, ins[0][0], self.groups, self.out, self.biases(ins, out))]

    def macs_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        kernel, per = self.geometry(ins[0])[0], ins[0][0] // self.groups
        return [worked.macs_step(out, [*kernel, per], self.macs(ins, out),
                                 f"output elements × k·k·C_in{'/groups' if self.groups > 1 else ''} "
                                 "multiply-accumulates each")]

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        rank = spatial_rank(ins[0])
        geometry: Any = self.geometry(ins[0])  # per-dimension tuples, as torch accepts them
        kernel, stride, pads, dilation = geometry
        cls: Any = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[rank - 1]
        symmetric = all(lo == hi for lo, hi in pads)
        conv: nn.Module = cls(
            ins[0][0], self.out, kernel, stride, tuple(lo for lo, _ in pads) if symmetric else 0,
            dilation, self.groups, self.bias,
        )
        if symmetric:
            return conv
        # asymmetric padding ('same' with an even kernel, or explicit pairs): pad first
        flat = [p for pair in reversed(pads) for p in pair]
        return nn.Sequential(_pad_module(flat, rank), conv)


def _dims(values: tuple[int, ...]) -> str:
    """(3, 3) -> '3×3', as papers write kernels."""
    return "×".join(map(str, values))


def _compact_arg(value: object) -> str:
    if isinstance(value, tuple):
        return "(" + ",".join(_compact_arg(v) for v in value) + ")"
    return str(value)


def _pad_module(flat: Sequence[int], rank: int) -> torch.nn.Module:
    """Zero padding given as torch's flat (last-dim-first) before/after list."""
    import torch.nn as nn

    cls: Any = (nn.ZeroPad1d, nn.ZeroPad2d, nn.ZeroPad3d)[rank - 1]
    return cls(tuple(flat))  # type: ignore[no-any-return]


__all__ = ["Conv", "Window", "need_spatial"]

"""Pooling, generic over rank: one kind each serves 1-D, 2-D and 3-D inputs.

Windowed pooling (max, min, average) shares `Window`'s geometry with convolution.
FLOPs per the README table: max/min pooling ``∏k − 1`` comparisons per output
element, average pooling ``∏k`` (``∏k − 1`` adds and one divide), global pooling
1 per input element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from cnncalc.errors import LayerError
from cnncalc.layers import costs, recurrence, saved
from cnncalc.layers.args import IntOrTuple, boolean, int_or_tuple, optional
from cnncalc.layers.base import Bound, Layer, Shape, arg, fmt_shape, spatial_rank
from cnncalc.layers.formula import Num
from cnncalc.layers.registry import register
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg
from cnncalc.layers.torchop import TorchOp
from cnncalc.layers.window import Window, dims, need_spatial

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True, kw_only=True)
class Pool(Window):
    """A sliding window without weights; output (C, *spatial) by `Window.sizes`.

    Padding is symmetric (an int or one per dimension) and, as torch requires, at
    most half the kernel: ``p ≤ ⌊k/2⌋`` per dimension.
    """

    kernel: IntOrTuple = arg(int_or_tuple(1), doc="window size: an int or one per dimension", primary=True)
    stride: IntOrTuple | None = arg(optional(int_or_tuple(1)), None, "an int or one per dimension (default: "
                                    "the kernel)")
    padding: IntOrTuple = arg(int_or_tuple(0), 0, "padding on both sides, an int or one per dimension, "
                              "≤ kernel/2")
    ceil_mode: bool = arg(boolean, False, "round output sizes up instead of down (Caffe, SqueezeNet)")

    def rounds_up(self) -> bool:
        return self.ceil_mode

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        g = self.geometry(shape)
        for k, (p, _) in zip(g.kernel, g.pads, strict=True):
            if p > k // 2:
                raise LayerError(f"{self.KIND} padding must be at most half the kernel size (torch's rule). "
                                 f"Received: padding={p}, kernel={k}; use padding <= {k // 2}", arg="padding")
        self.check_shape(shape, g.kernel)
        sizes, size_lines, fits = self.sizes(shape, g)
        out = (shape[0], *(int(f.value) for f in sizes))
        worked = (Worked("output_shape", "C_out", Num(shape[0], "C_in"), Msg("pooling works on each channel alone"),
                         symbolic=True), *size_lines)
        field = recurrence.window(fields[0], g.kernel, g.stride, g.leading, g.dilation)
        return Bound(self, ins, out, field, g, worked=worked, notes=self.tiling_notes(shape, g, fits), fits=fits)

    def check_shape(self, shape: Shape, kernel: tuple[int, ...]) -> None:
        """Kind-specific limits of torch's pooling (none by default)."""

    def describe(self, bound: Bound) -> str:
        """E.g. ``3/2``, ``3/1 p1``, ``3/2 ceil_mode``: the window (`Window.describe`), then ceil_mode."""
        return super().describe(bound) + (" ceil_mode" if self.ceil_mode else "")

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        g = bound.geometry
        return {"kernel_size": g.kernel, "stride": g.stride, "padding": g.leading, "dilation": g.dilation,
                "ceil_mode": self.ceil_mode}

    def torch_args(self, bound: Bound) -> tuple[int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """rank, kernel, stride and (symmetric) padding for torch's pooling modules."""
        g = bound.geometry
        return spatial_rank(bound.inputs[0]), g.kernel, g.stride, g.leading


@register("maxpool", "maxpool1d", "maxpool2d", "maxpool3d", "max_pool")
@dataclass(frozen=True, kw_only=True)
class MaxPool(Pool):
    """Max pooling (torch.nn.MaxPool1d/2d/3d); extra FLOPs ∏k − 1 comparisons per output element."""

    dilation: IntOrTuple = arg(int_or_tuple(1), 1, "spacing between window elements")

    FLOPS = costs.window(1)
    TORCH_CALLS: ClassVar[tuple[str, ...]] = ("nn.MaxPool{rank}d", "F.max_pool{rank}d")
    SAVED = saved.input_and_indices()

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        rank, kernel, stride, pad = self.torch_args(bound)
        cls: Any = getattr(nn, f"MaxPool{rank}d")
        return cls(kernel, stride, pad, bound.geometry.dilation, ceil_mode=self.ceil_mode)  # type: ignore[no-any-return]

    def to_torch_linear(self, bound: Bound) -> torch.nn.Module:
        """For measuring receptive fields: the sum over the same windows (min pooling inherits it)."""
        from cnncalc.torch.modules import WindowSum

        _, kernel, stride, pad = self.torch_args(bound)
        return WindowSum(kernel, stride, pad, bound.geometry.dilation, self.ceil_mode)


@register("minpool", "min_pool")
@dataclass(frozen=True, kw_only=True)
class MinPool(MaxPool):
    """Min pooling (the notes' min-pooling), computed as −maxpool(−x); costs as max pooling."""

    TORCH_CALLS = ("MinPool",)

    def torch_op(self, bound: Bound, call: str = "") -> TorchOp:
        """cnncalc's MinPool module: a torch max pooling module between two negations."""
        op = super().torch_op(bound, call)
        rank = spatial_rank(bound.inputs[0])
        inner = (TorchOp("x.neg", op.inputs, op.inputs[0]),
                 TorchOp(f"nn.MaxPool{rank}d", op.inputs, op.output, op.attrs),
                 TorchOp("x.neg", (op.output,), op.output))
        return TorchOp(op.target, op.inputs, op.output, op.attrs, op.params, inner)

    SAVED = saved.input_and_indices(negated=True)
    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.modules import MinPool as TorchMinPool

        return TorchMinPool(super().to_torch(bound))


@register("avgpool", "avgpool1d", "avgpool2d", "avgpool3d", "avg_pool", "meanpool")
@dataclass(frozen=True, kw_only=True)
class AvgPool(Pool):
    """Average pooling (torch.nn.AvgPool1d/2d/3d).

    Extra FLOPs ∏k per output element (∏k − 1 adds and one divide); windows that
    ceil_mode or padding clip are counted at full size.
    """

    count_include_pad: bool = arg(boolean, True, "divide by the whole window, padding included")

    FLOPS = costs.window(0)
    TORCH_CALLS = ("nn.AvgPool{rank}d", "F.avg_pool{rank}d")
    SAVED = saved.input()

    def check_shape(self, shape: Shape, kernel: tuple[int, ...]) -> None:
        if len(kernel) == 3 and any(n < k for n, k in zip(shape[1:], kernel, strict=True)):
            # torch's AvgPool3d refuses it ("input image smaller than kernel size"), padding or not
            raise LayerError(f"3-D average pooling needs an input at least as large as the kernel in every "
                             f"dimension (torch's rule, whatever the padding). Received: input {dims(shape[1:])}, "
                             f"kernel {dims(kernel)}")

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        return {**super().torch_attrs(bound), "count_include_pad": self.count_include_pad}

    def describe(self, bound: Bound) -> str:
        exclude = not self.count_include_pad and self.padding != 0
        return super().describe(bound) + (" exclude pad" if exclude else "")

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        rank, kernel, stride, pad = self.torch_args(bound)
        cls: Any = getattr(nn, f"AvgPool{rank}d")
        return cls(kernel, stride, pad, self.ceil_mode, self.count_include_pad)  # type: ignore[no-any-return]


@dataclass(frozen=True, kw_only=True)
class GlobalPool(Layer):
    """Pooling over every spatial position: (C, *spatial) → (C, 1, …, 1), keeping the rank.

    Like torch's AdaptiveAvgPool2d(1), so that SE's ``mul`` broadcasts C×1×1 over
    C×H×W and flatten/linear follow. FLOPs: 1 per input element. Each output sees
    the whole input.
    """

    FLOPS = costs.per_input(1)
    TORCH = "AdaptiveAvgPool"  # torch.nn.{TORCH}{rank}d(1)

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        return {"output_size": 1}

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        out = (ins[0][0], *(1,) * need_spatial(self.KIND, ins[0]))
        line = Worked("output_shape", "output", value=out, shown=f"C×1…1 = {fmt_shape(out)}",
                      note=Msg("one value per channel, over every spatial position"))
        return Bound(self, ins, out, recurrence.whole(fields), worked=(line,))

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        return getattr(nn, f"{self.TORCH}{spatial_rank(bound.inputs[0])}d")(1)  # type: ignore[no-any-return]


@register("global_avgpool", "gap", "global_avg_pool")
@dataclass(frozen=True, kw_only=True)
class GlobalAvgPool(GlobalPool):
    """Global average pooling (AdaptiveAvgPool*d(1)): (C, *spatial) → (C, 1, …); 1 FLOP per input element."""

    TORCH_CALLS = ("nn.AdaptiveAvgPool{rank}d", "F.adaptive_avg_pool{rank}d", "x.mean", "torch.mean")
    SAVED = saved.nothing(Msg("a mean over the positions"))


@register("global_maxpool", "global_max_pool")
@dataclass(frozen=True, kw_only=True)
class GlobalMaxPool(GlobalPool):
    """Global max pooling (AdaptiveMaxPool*d(1)): (C, *spatial) → (C, 1, …); 1 FLOP per input element."""

    TORCH = "AdaptiveMaxPool"
    TORCH_CALLS = ("nn.AdaptiveMaxPool{rank}d", "F.adaptive_max_pool{rank}d", "x.amax", "torch.amax")
    SAVED = saved.input_and_indices()


__all__ = ["AvgPool", "GlobalAvgPool", "GlobalMaxPool", "GlobalPool", "MaxPool", "MinPool", "Pool"]

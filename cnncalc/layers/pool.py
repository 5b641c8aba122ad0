"""Pooling, generic over rank: one class per kind serves 1-D, 2-D and 3-D inputs.

Windowed pooling (max, min, average) shares `Window`'s geometry with convolution.
Adaptive pooling and spatial pyramid pooling (in `adaptive.py`) use PyTorch's bins
(`shapes.adaptive_bins`): output cell i of an axis of size n reads
``[⌊i·n/o⌋, ⌈(i+1)·n/o⌉)``. FLOPs per the README table: max/min pooling
``∏k − 1`` comparisons per output element, average pooling ``∏k`` (``∏k − 1``
adds and one divide), global pooling 1 per input element.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from cnncalc.errors import LayerError
from cnncalc.layers import register
from cnncalc.layers import steps as worked
from cnncalc.layers.args import Arg, IntOrTuple, boolean, int_or_tuple, optional
from cnncalc.layers.base import Layer, Shape, Shapes, numel, spatial_rank
from cnncalc.layers.conv import Window, need_spatial
from cnncalc.layers.costs import per_input
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Step

if TYPE_CHECKING:
    import torch


def dims_text(value: IntOrTuple) -> str:
    return str(value) if isinstance(value, int) else "×".join(map(str, value))


class Pool(Window):
    """A sliding window without weights; output (C, *spatial) by `shapes.conv_out`.

    Padding is symmetric (an int or one per dimension) and, as torch requires, at
    most half the kernel: ``p ≤ ⌊k/2⌋`` per dimension (torch checks the kernel
    without dilation, which also implies ``p ≤ ⌊k_eff/2⌋``).
    """

    ARGS: ClassVar[tuple[Arg, ...]] = (
        Arg("kernel", int_or_tuple(1), doc="window size: an int or one per dimension"),
        Arg("stride", optional(int_or_tuple(1)), None, "an int or one per dimension (default: the kernel)"),
        Arg("padding", int_or_tuple(0), 0, "padding on both sides, an int or one per dimension, ≤ kernel/2"),
        Arg("dilation", int_or_tuple(1), 1, "spacing between window elements"),
        Arg("ceil_mode", boolean, False, "round output sizes up instead of down (Caffe, SqueezeNet)"),
    )
    PRIMARY = "kernel"

    padding: IntOrTuple
    ceil_mode: bool

    def rounds_up(self) -> bool:
        return self.ceil_mode

    def output_shape(self, ins: Shapes) -> Shape:
        kernel, _, pads, _ = self.geometry(ins[0])
        for k, (p, _) in zip(kernel, pads, strict=True):
            if p > k // 2:
                raise LayerError(
                    f"{self.KIND} padding must be at most half the kernel size (torch's rule). "
                    f"Received: padding={p}, kernel={k}; use padding <= {k // 2}",
                    arg="padding",
                )
        return (ins[0][0], *self.spatial_out(ins[0]))

    def window_volume(self, shape: Shape) -> int:
        return numel(self.geometry(shape)[0])

    def describe(self) -> str:
        """E.g. ``3/2``, ``3/1 p1``, ``3/2 ceil_mode``: the window (`Window.describe`), then ceil_mode."""
        return super().describe() + (" ceil_mode" if self.ceil_mode else "")

    def torch_args(self, shape: Shape) -> tuple[int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """rank, kernel, stride and (symmetric) padding for torch's pooling modules."""
        kernel, stride, pads, _ = self.geometry(shape)
        return spatial_rank(shape), kernel, stride, tuple(lo for lo, _ in pads)


@register("maxpool", "maxpool1d", "maxpool2d", "maxpool3d", "max_pool")
class MaxPool(Pool):
    """Max pooling (torch.nn.MaxPool1d/2d/3d); extra FLOPs ∏k − 1 comparisons per output element."""

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        return (self.window_volume(ins[0]) - 1) * numel(out)

    def flops_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        kernel, value = self.geometry(ins[0])[0], self.extra_flops(ins, out)
        return [Step("flops", f"FLOPs = ({worked.product(kernel)} − 1)·({worked.product(out)}) = {worked.num(value)}",
                     value, "∏k − 1 comparisons per output element")]

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        rank, kernel, stride, pad = self.torch_args(ins[0])
        dilation = self.geometry(ins[0])[3]
        return getattr(nn, f"MaxPool{rank}d")(  # type: ignore[no-any-return]
            kernel, stride, pad, dilation, ceil_mode=self.ceil_mode
        )

    def to_torch_linear(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        """For measuring receptive fields: the sum over the same windows (min pooling inherits it)."""
        from cnncalc.backends.modules import WindowSum

        _, kernel, stride, pad = self.torch_args(ins[0])
        return WindowSum(kernel, stride, pad, self.geometry(ins[0])[3], self.ceil_mode)


@register("minpool", "min_pool")
class MinPool(MaxPool):
    """Min pooling (the notes' min-pooling), computed as −maxpool(−x); costs as max pooling."""

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        from cnncalc.backends.modules import MinPool as TorchMinPool

        return TorchMinPool(super().to_torch(ins, out))


@register("avgpool", "avgpool1d", "avgpool2d", "avgpool3d", "avg_pool", "meanpool")
class AvgPool(Pool):
    """Average pooling (torch.nn.AvgPool1d/2d/3d).

    Extra FLOPs ∏k per output element (∏k − 1 adds and one divide); windows that
    ceil_mode or padding clip are counted at full size.
    """

    ARGS = (
        *(a for a in Pool.ARGS if a.name != "dilation"),
        Arg("count_include_pad", boolean, True, "divide by the whole window, padding included"),
    )
    dilation: IntOrTuple = 1  # torch's average pooling has no dilation
    count_include_pad: bool

    def output_shape(self, ins: Shapes) -> Shape:
        out = super().output_shape(ins)
        kernel = self.geometry(ins[0])[0]
        if len(kernel) == 3 and any(n < k for n, k in zip(ins[0][1:], kernel, strict=True)):
            # torch's AvgPool3d refuses it ("input image smaller than kernel size"), padding or not
            raise LayerError(
                f"3-D average pooling needs an input at least as large as the kernel in every dimension "
                f"(torch's rule, whatever the padding). Received: input {'×'.join(map(str, ins[0][1:]))}, "
                f"kernel {'×'.join(map(str, kernel))}"
            )
        return out

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        return self.window_volume(ins[0]) * numel(out)

    def flops_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        kernel, value = self.geometry(ins[0])[0], self.extra_flops(ins, out)
        return [Step("flops", f"FLOPs = ({worked.product(kernel)})·({worked.product(out)}) = {worked.num(value)}",
                     value, "∏k − 1 adds and one divide per output element")]

    def describe(self) -> str:
        exclude = not self.count_include_pad and self.padding != 0
        return super().describe() + (" exclude pad" if exclude else "")

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        rank, kernel, stride, pad = self.torch_args(ins[0])
        return getattr(nn, f"AvgPool{rank}d")(  # type: ignore[no-any-return]
            kernel, stride, pad, self.ceil_mode, self.count_include_pad
        )


class GlobalPool(Layer):
    """Pooling over every spatial position: (C, *spatial) → (C, 1, …, 1), keeping the rank.

    Like torch's AdaptiveAvgPool2d(1), so that SE's ``mul`` broadcasts C×1×1 over
    C×H×W and flatten/linear follow. FLOPs: 1 per input element. Each output sees
    the whole input.
    """

    FLOPS = per_input(1)

    def output_shape(self, ins: Shapes) -> Shape:
        return (ins[0][0], *(1,) * need_spatial(self.KIND, ins[0]))

    def receptive_field(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> RF:
        return RF.whole_input()

    def shape_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        return [Step("output_shape", f"output = C×1…1 = {worked.dims(out)}", tuple(out),
                     "one value per channel, over every spatial position")]

    TORCH = "AdaptiveAvgPool"  # torch.nn.{TORCH}{rank}d(1)

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        return getattr(nn, f"{self.TORCH}{spatial_rank(ins[0])}d")(1)  # type: ignore[no-any-return]


@register("global_avgpool", "gap", "global_avg_pool")
class GlobalAvgPool(GlobalPool):
    """Global average pooling (AdaptiveAvgPool*d(1)): (C, *spatial) → (C, 1, …); 1 FLOP per input element."""


@register("global_maxpool", "global_max_pool")
class GlobalMaxPool(GlobalPool):
    """Global max pooling (AdaptiveMaxPool*d(1)): (C, *spatial) → (C, 1, …); 1 FLOP per input element."""

    TORCH = "AdaptiveMaxPool"

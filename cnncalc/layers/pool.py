"""Pooling, generic over rank: one class per kind serves 1-D, 2-D and 3-D inputs.

Windowed pooling (max, min, average) shares `Window`'s geometry with convolution.
Adaptive pooling and spatial pyramid pooling use PyTorch's bins
(`shapes.adaptive_bins`): output cell i of an axis of size n reads
``[⌊i·n/o⌋, ⌈(i+1)·n/o⌉)``. FLOPs per the README table: max/min pooling
``∏k − 1`` comparisons per output element, average pooling ``∏k`` (``∏k − 1``
adds and one divide), global pooling 1 per input element.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, ClassVar

from cnncalc import shapes
from cnncalc.errors import LayerError
from cnncalc.layers import register
from cnncalc.layers.args import Arg, IntOrTuple, boolean, choice, int_list, int_or_tuple, optional, per_dim
from cnncalc.layers.base import Layer, Shape, Shapes, fmt_shape, numel, spatial_rank
from cnncalc.layers.conv import Window, _need_spatial
from cnncalc.layers.costs import per_input
from cnncalc.layers.rf import RF

if TYPE_CHECKING:
    import torch


def _dims(value: IntOrTuple) -> str:
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
        """E.g. ``3/2``, ``3/1 pad 1``, ``3/2 ceil_mode``: kernel/stride, then what is not default."""
        text = f"{_dims(self.kernel)}/{_dims(self.stride if self.stride is not None else self.kernel)}"
        if self.padding != 0:
            text += f" pad {_dims(self.padding)}"
        if self.dilation != 1:
            text += f" dilation {_dims(self.dilation)}"
        return text + (" ceil_mode" if self.ceil_mode else "")

    def torch_args(self, shape: Shape) -> tuple[int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """rank, kernel, stride and (symmetric) padding for torch's pooling modules."""
        kernel, stride, pads, _ = self.geometry(shape)
        return spatial_rank(shape), kernel, stride, tuple(lo for lo, _ in pads)


@register("maxpool", "maxpool1d", "maxpool2d", "maxpool3d", "max_pool")
class MaxPool(Pool):
    """Max pooling (torch.nn.MaxPool1d/2d/3d); extra FLOPs ∏k − 1 comparisons per output element."""

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        return (self.window_volume(ins[0]) - 1) * numel(out)

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        rank, kernel, stride, pad = self.torch_args(ins[0])
        dilation = self.geometry(ins[0])[3]
        return getattr(nn, f"MaxPool{rank}d")(  # type: ignore[no-any-return]
            kernel, stride, pad, dilation, ceil_mode=self.ceil_mode
        )


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

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        return self.window_volume(ins[0]) * numel(out)

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
        return (ins[0][0], *(1,) * _need_spatial(self.KIND, ins[0]))

    def receptive_field(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> RF:
        return RF.whole_input()


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


def _bin_lengths(size: int, out: int) -> list[int]:
    return [hi - lo for lo, hi in shapes.adaptive_bins(size, out)]


def _elements_read(spatial: Sequence[int], outs: Sequence[int]) -> int:
    """Σ over output cells of their bin volumes, per channel (= ∏ over axes of Σ bin lengths)."""
    total = 1
    for n, o in zip(spatial, outs, strict=True):
        total *= sum(_bin_lengths(n, o))
    return total


class AdaptivePool(Layer):
    """Adaptive pooling to a fixed output size (torch.nn.AdaptiveAvgPool*d / AdaptiveMaxPool*d).

    Output (C, *out); bins per `shapes.adaptive_bins`, so ``out ≥ in`` works too
    (bins then repeat input elements). Receptive field: when every ``in % out == 0``
    the bins are a window with kernel = stride = in/out; otherwise the field uses
    the widest bin as kernel and ``in/out`` (a fraction) as stride — an
    approximation, since bins differ in width. With out = 1 on every axis the
    units see the whole input.
    """

    ARGS = (Arg("out", int_or_tuple(1), doc="output size: an int or one per dimension"),)
    PRIMARY = "out"

    out: IntOrTuple

    def sizes(self, shape: Shape) -> tuple[int, ...]:
        return per_dim(self.out, _need_spatial(self.KIND, shape), "out")

    def output_shape(self, ins: Shapes) -> Shape:
        return (ins[0][0], *self.sizes(ins[0]))

    def elements_read(self, ins: Shapes) -> int:
        """Input elements read over all output cells, all channels."""
        return ins[0][0] * _elements_read(ins[0][1:], self.sizes(ins[0]))

    def receptive_field(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> RF:
        outs = self.sizes(ins[0])
        rf = fields[0]
        if all(o == 1 for o in outs):
            return RF.whole_input()
        if rf.whole:
            return rf
        size, jump, start = [], [], []
        for r, j, s, n, o in zip(rf.size, rf.jump, rf.start, ins[0][1:], outs, strict=True):
            lengths = _bin_lengths(n, o)
            size.append(r + (max(lengths) - 1) * j)
            start.append(s + Fraction(lengths[0] - 1, 2) * j)
            jump.append(j * Fraction(n, o))
        return RF(tuple(size), tuple(jump), tuple(start))

    def notes(self, ins: Shapes, out: Shape) -> tuple[str, ...]:
        spatial, outs = ins[0][1:], self.sizes(ins[0])
        notes = []
        if any(n % o for n, o in zip(spatial, outs, strict=True)):
            widths = sorted({w for n, o in zip(spatial, outs, strict=True) for w in _bin_lengths(n, o)})
            notes.append(
                f"{fmt_shape(spatial)} → {fmt_shape(outs)} does not divide evenly: bins of "
                f"{' and '.join(map(str, widths))} (PyTorch's adaptive bins); "
                "the receptive field uses the widest"
            )
        if any(o > n for n, o in zip(spatial, outs, strict=True)):
            notes.append(f"output {fmt_shape(outs)} larger than input {fmt_shape(spatial)}: inputs repeat")
        return tuple(notes)

    def describe(self) -> str:
        return f"out {_dims(self.out)}"

    TORCH = "AdaptiveAvgPool"  # torch.nn.{TORCH}{rank}d(out)

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        return getattr(nn, f"{self.TORCH}{spatial_rank(ins[0])}d")(self.sizes(ins[0]))  # type: ignore[no-any-return]


@register("adaptive_avgpool", "adaptive_avg_pool")
class AdaptiveAvgPool(AdaptivePool):
    """Adaptive average pooling (see `AdaptivePool`); FLOPs: each output cell's bin volume, summed."""

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        return self.elements_read(ins)


@register("adaptive_maxpool", "adaptive_max_pool")
class AdaptiveMaxPool(AdaptivePool):
    """Adaptive max pooling (see `AdaptivePool`); FLOPs: bin volume − 1 comparisons per output cell."""

    TORCH = "AdaptiveMaxPool"

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        return self.elements_read(ins) - numel(out)


@register("spp", "spatial_pyramid_pooling")
class SPP(Layer):
    """Spatial pyramid pooling (He et al. 2014, SPP-net): a flat vector of C·Σ nʳ features.

    Level n pools the input into n bins per spatial axis (r axes) and the levels'
    outputs are flattened and concatenated in order: output ``(C·Σ nʳ,)``, e.g.
    levels [6, 3, 2, 1] on 256×13×13 give 256·50 = 12,800. Bins are adaptive
    pooling's (as PyTorch SPP implementations do). The paper's window ⌈a/n⌉ with
    stride ⌊a/n⌋ gives the same output size for its 13×13 conv5 (13 → 6, 3, 2, 1),
    but not for every size (a = 7, n = 4 gives 6 windows), hence the bins.
    Every spatial size must be at least the largest level. FLOPs per level as
    adaptive pooling: max, bin volume − 1 per output cell; avg, bin volume.
    Units see the whole input.
    """

    ARGS = (
        Arg("levels", int_list(1), (1, 2, 4), "bins per axis at each pyramid level"),
        Arg("mode", choice("max", "avg"), "max", "max or avg pooling in each bin"),
    )
    PRIMARY = "levels"

    levels: tuple[int, ...]
    mode: str

    def output_shape(self, ins: Shapes) -> Shape:
        rank = _need_spatial(self.KIND, ins[0])
        spatial = ins[0][1:]
        top = max(self.levels)
        if min(spatial) < top:
            raise LayerError(
                f"spp level {top} needs an input of at least {fmt_shape((top,) * rank)}, "
                f"received {fmt_shape(spatial)}; use smaller levels or a larger input",
                arg="levels",
            )
        return (ins[0][0] * sum(n**rank for n in self.levels),)

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        spatial = ins[0][1:]
        total = 0
        for n in self.levels:
            read = _elements_read(spatial, (n,) * len(spatial))
            total += read if self.mode == "avg" else read - n ** len(spatial)
        return ins[0][0] * total

    def receptive_field(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> RF:
        return RF.whole_input()

    def describe(self) -> str:
        return f"levels {','.join(map(str, self.levels))} {self.mode}"

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        from cnncalc.backends.modules import SpatialPyramidPooling

        return SpatialPyramidPooling(self.levels, self.mode, spatial_rank(ins[0]))


__all__ = [
    "SPP",
    "AdaptiveAvgPool",
    "AdaptiveMaxPool",
    "AdaptivePool",
    "AvgPool",
    "GlobalAvgPool",
    "GlobalMaxPool",
    "GlobalPool",
    "MaxPool",
    "MinPool",
    "Pool",
]

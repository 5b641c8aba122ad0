"""Adaptive pooling and spatial pyramid pooling: PyTorch's bins, generic over rank.

Output cell i of an axis of size n reads ``[⌊i·n/o⌋, ⌈(i+1)·n/o⌉)``
(`shapes.adaptive_bins`). FLOPs per the README table: average pooling reads
every element of a bin, max pooling makes ``bin − 1`` comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from cnncalc import shapes
from cnncalc.errors import LayerError
from cnncalc.layers import register
from cnncalc.layers.args import Arg, IntOrTuple, choice, int_list, int_or_tuple, per_dim
from cnncalc.layers.base import Layer, Shape, Shapes, fmt_shape, numel, spatial_rank
from cnncalc.layers.conv import need_spatial
from cnncalc.layers.pool import dims_text
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Step, num

if TYPE_CHECKING:
    import torch


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
        return per_dim(self.out, need_spatial(self.KIND, shape), "out")

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
        return f"out {dims_text(self.out)}"

    def shape_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        return [Step("output_shape", f"output = C×out = {fmt_shape(out)}", tuple(out),
                     "; ".join(self.notes(ins, out)) or "the bins tile the input evenly")]

    TORCH = "AdaptiveAvgPool"  # torch.nn.{TORCH}{rank}d(out)

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        return getattr(nn, f"{self.TORCH}{spatial_rank(ins[0])}d")(self.sizes(ins[0]))  # type: ignore[no-any-return]

    def to_torch_linear(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        """For measuring receptive fields: average pooling over the same bins."""
        import torch.nn as nn

        return getattr(nn, f"AdaptiveAvgPool{spatial_rank(ins[0])}d")(self.sizes(ins[0]))  # type: ignore[no-any-return]

    def rf_exact(self, ins: Shapes, out: Shape) -> bool:
        """Uneven bins: the field uses the widest, an upper bound for the others."""
        return all(n % o == 0 for n, o in zip(ins[0][1:], self.sizes(ins[0]), strict=True))


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
        rank = need_spatial(self.KIND, ins[0])
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

    def shape_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        rank = spatial_rank(ins[0])
        terms = " + ".join(f"{n}{'²³'[rank - 2] if rank > 1 else ''}" for n in self.levels)
        return [Step("output_shape", f"features = C·Σ nʳ = {ins[0][0]}·({terms}) = {num(out[0])}", out[0],
                     "each level pools every channel into n bins per axis")]

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        from cnncalc.backends.modules import SpatialPyramidPooling

        return SpatialPyramidPooling(self.levels, self.mode, spatial_rank(ins[0]))


__all__ = ["SPP", "AdaptiveAvgPool", "AdaptiveMaxPool", "AdaptivePool"]

"""Adaptive pooling and spatial pyramid pooling: PyTorch's bins, generic over rank.

Output cell i of an axis of size n reads ``[⌊i·n/o⌋, ⌈(i+1)·n/o⌉)``
(`shapes.adaptive_bins`). FLOPs per the README table: average pooling reads
every element of a bin, max pooling makes ``bin − 1`` comparisons.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, recurrence, saved, shapes
from cnncalc.layers.args import IntOrTuple, choice, int_list, int_or_tuple, per_dim
from cnncalc.layers.base import Bound, Layer, Shape, arg, fmt_shape, spatial_rank
from cnncalc.layers.formula import Formula, Group, Mul, Num, Pow, Sub, Sum, product
from cnncalc.layers.registry import register
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg, joined
from cnncalc.layers.torchop import TorchOp
from cnncalc.layers.window import need_spatial

if TYPE_CHECKING:
    import torch


def _bin_lengths(size: int, out: int) -> list[int]:
    return [hi - lo for lo, hi in shapes.adaptive_bins(size, out)]


def _read(size: int, out: int) -> Formula:
    """Input elements the bins of one axis read, summed: ``n`` for even bins, else per bin width."""
    if size % out == 0:
        return Num(size)
    counts = sorted(Counter(_bin_lengths(size, out)).items(), reverse=True)
    terms = [Mul(count, length) if count > 1 else Num(length) for length, count in counts]
    return terms[0] if len(terms) == 1 else Sum(*terms)


def elements_read(channels: int, spatial: Sequence[int], outs: Sequence[int]) -> Formula:
    """Σ over output cells of their bin volumes, all channels: ``C·∏ (Σ bin lengths per axis)``."""
    return Mul(Num(channels, "C"), *(Group(_read(n, o)) if len(spatial) > 1 else _read(n, o)
                                     for n, o in zip(spatial, outs, strict=True)))


def _adaptive_flops(minus_outputs: bool) -> costs.FlopRule:
    def count(b: Bound) -> Formula:
        read = elements_read(b.inputs[0][0], b.inputs[0][1:], b.output[1:])
        return Sub(read, product(b.output)) if minus_outputs else read

    if minus_outputs:
        return costs.custom("bin volume − 1 comparisons per output cell", count)
    return costs.custom("each output cell's bin volume, summed", count)


@dataclass(frozen=True, kw_only=True)
class AdaptivePool(Layer):
    """Adaptive pooling to a fixed output size (torch.nn.AdaptiveAvgPool*d / AdaptiveMaxPool*d).

    Output (C, *out); bins per `shapes.adaptive_bins`, so ``out ≥ in`` works too
    (bins then repeat input elements). Receptive field: `rf.adaptive`.
    """

    out: IntOrTuple = arg(int_or_tuple(1), doc="output size: an int or one per dimension", primary=True)

    TORCH = "AdaptiveAvgPool"  # torch.nn.{TORCH}{rank}d(out)

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        outs = per_dim(self.out, need_spatial(self.KIND, shape), "out")
        out = (shape[0], *outs)
        spatial = shape[1:]
        notes = []
        if any(n % o for n, o in zip(spatial, outs, strict=True)):
            widths = sorted({w for n, o in zip(spatial, outs, strict=True) for w in _bin_lengths(n, o)})
            notes.append(Msg("{input} → {output} does not divide evenly: bins of {widths} (PyTorch's adaptive "
                             "bins); the receptive field uses the widest", input=fmt_shape(spatial),
                             output=fmt_shape(outs), widths=" and ".join(map(str, widths))))
        if any(o > n for n, o in zip(spatial, outs, strict=True)):
            notes.append(Msg("output {output} larger than input {input}: inputs repeat", output=fmt_shape(outs),
                             input=fmt_shape(spatial)))
        note = joined(notes) or Msg("the bins tile the input evenly")
        line = Worked("output_shape", "output", value=out, shown=f"C×out = {fmt_shape(out)}", note=note)
        return Bound(self, ins, out, recurrence.adaptive(fields[0], spatial, outs), outs, worked=(line,),
                     notes=tuple(notes))

    def describe(self, bound: Bound) -> str:
        return f"out {self.out if isinstance(self.out, int) else fmt_shape(self.out)}"

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        return {"output_size": bound.geometry}

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        cls: Any = getattr(nn, f"{self.TORCH}{spatial_rank(bound.inputs[0])}d")
        return cls(bound.geometry)  # type: ignore[no-any-return]

    def to_torch_linear(self, bound: Bound) -> torch.nn.Module:
        """For measuring receptive fields: average pooling over the same bins."""
        import torch.nn as nn

        cls: Any = getattr(nn, f"AdaptiveAvgPool{spatial_rank(bound.inputs[0])}d")
        return cls(bound.geometry)  # type: ignore[no-any-return]


@register("adaptive_avgpool", "adaptive_avg_pool")
@dataclass(frozen=True, kw_only=True)
class AdaptiveAvgPool(AdaptivePool):
    """Adaptive average pooling (see `AdaptivePool`); FLOPs: each output cell's bin volume, summed."""

    FLOPS = _adaptive_flops(False)
    TORCH_CALLS = ("nn.AdaptiveAvgPool{rank}d", "F.adaptive_avg_pool{rank}d")
    SAVED = saved.input_unless_mean()


@register("adaptive_maxpool", "adaptive_max_pool")
@dataclass(frozen=True, kw_only=True)
class AdaptiveMaxPool(AdaptivePool):
    """Adaptive max pooling (see `AdaptivePool`); FLOPs: bin volume − 1 comparisons per output cell."""

    TORCH = "AdaptiveMaxPool"
    FLOPS = _adaptive_flops(True)
    TORCH_CALLS = ("nn.AdaptiveMaxPool{rank}d", "F.adaptive_max_pool{rank}d")
    SAVED = saved.input_and_indices()


def _spp_flops(b: Bound) -> Formula:
    """Per level, as adaptive pooling: max, bin volume − 1 per output cell; avg, bin volume."""
    shape = b.inputs[0]
    rank = len(shape) - 1
    layer: Any = b.layer
    terms: list[Formula] = []
    for n in layer.levels:
        read = Mul(*(Group(_read(size, n)) for size in shape[1:])) if rank > 1 else _read(shape[1], n)
        terms.append(Sub(read, Pow(n, rank) if rank > 1 else Num(n)) if layer.mode == "max" else read)
    return Mul(Num(shape[0], "C"), Group(Sum(*terms)) if len(terms) > 1 else Group(terms[0]))


@register("spp", "spatial_pyramid_pooling")
@dataclass(frozen=True, kw_only=True)
class SPP(Layer):
    """Spatial pyramid pooling (He et al. 2014, SPP-net): a flat vector of C·Σ nʳ features.

    Level n pools the input into n bins per spatial axis (r axes) and the levels'
    outputs are flattened and concatenated in order: output ``(C·Σ nʳ,)``, e.g.
    levels [6, 3, 2, 1] on 256×13×13 give 256·50 = 12,800. Bins are adaptive
    pooling's (as PyTorch SPP implementations do). The paper's window ⌈a/n⌉ with
    stride ⌊a/n⌋ gives the same output size for its 13×13 conv5 (13 → 6, 3, 2, 1),
    but not for every size (a = 7, n = 4 gives 6 windows), hence the bins.
    Every spatial size must be at least the largest level. Units see the whole input.
    """

    levels: tuple[int, ...] = arg(int_list(1), (1, 2, 4), "bins per axis at each pyramid level", primary=True)
    mode: str = arg(choice("max", "avg"), "max", "max or avg pooling in each bin")

    FLOPS = costs.custom("per level as adaptive pooling: max, bin volume − 1 per output cell; avg, bin volume",
                         _spp_flops)
    SAVED = saved.pyramid()

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        rank = need_spatial(self.KIND, shape)
        top = max(self.levels)
        if min(shape[1:]) < top:
            raise LayerError(f"spp level {top} needs an input of at least {fmt_shape((top,) * rank)}, "
                             f"received {fmt_shape(shape[1:])}; use smaller levels or a larger input", arg="levels")
        cells = [Pow(n, rank) if rank > 1 else Num(n) for n in self.levels]
        features = Mul(Num(shape[0], "C"), Sum(*cells) if len(cells) > 1 else cells[0])
        line = Worked("output_shape", "features", features, Msg("each level pools every channel into n bins per "
                                                                 "axis"), symbolic="C·Σ nʳ")
        return Bound(self, ins, (int(features.value),), recurrence.whole(fields), worked=(line,))

    def describe(self, bound: Bound) -> str:
        return f"levels {','.join(map(str, self.levels))} {self.mode}"

    TORCH_CALLS = ("SpatialPyramidPooling",)

    def torch_op(self, bound: Bound, call: str = "") -> TorchOp:
        """cnncalc's SpatialPyramidPooling module: an adaptive pooling module per level, each output
        flattened, then one concatenation."""
        op = super().torch_op(bound, call)
        shape = bound.inputs[0]
        rank = spatial_rank(shape)
        pool = f"nn.Adaptive{self.mode.capitalize()}Pool{rank}d"
        inner: list[TorchOp] = []
        for n in self.levels:
            pooled = (shape[0], *(n,) * rank)
            inner += [TorchOp(pool, (shape,), pooled, {"output_size": n}),
                      TorchOp("x.flatten", (pooled,), (shape[0] * n**rank,))]
        inner.append(TorchOp("torch.cat", tuple(o.output for o in inner[1::2]), bound.output, {"dim": 1}))
        return TorchOp(op.target, op.inputs, op.output, op.attrs, op.params, tuple(inner))

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.modules import SpatialPyramidPooling

        return SpatialPyramidPooling(self.levels, self.mode, spatial_rank(bound.inputs[0]))


__all__ = ["SPP", "AdaptiveAvgPool", "AdaptiveMaxPool", "AdaptivePool", "elements_read"]

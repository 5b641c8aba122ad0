"""Layers that work on the channel axis alone: split, channel_shuffle and scale.

None of them looks at a neighbouring position, so the receptive field passes
through. Conventions:

- ``split`` (torch's ``x.chunk(n, dim=1)`` / ``x.split(sizes, dim=1)``): the
  channels cut into `parts` equal parts or into the given `sizes`. In a network
  file the entry becomes one layer per part, named ``NAME.0``, ``NAME.1`` …; an
  entry after it without ``from`` reads the last part. No arithmetic (a view).
- ``channel_shuffle`` (ShuffleNet): channels regrouped from ``groups × C/groups``
  to ``C/groups × groups`` order. No arithmetic (a permutation, a copy).
- ``scale`` (layer scale, ConvNeXt's ``gamma``): every channel multiplied by its
  own learned factor: params C, 1 FLOP per element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, saved, saved_own
from cnncalc.layers.act import Elementwise
from cnncalc.layers.args import int_list, nonneg_int, number, optional, positive_int
from cnncalc.layers.base import Bound, Layer, Shape, arg, fmt_shape, spatial_rank
from cnncalc.layers.formula import Div, Formula, Num
from cnncalc.layers.registry import register
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg

if TYPE_CHECKING:
    import torch


@register("split", "chunk")
@dataclass(frozen=True, kw_only=True)
class Split(Layer):
    """One part of the channels cut into `parts` equal parts or into `sizes` (torch.chunk / torch.split
    along dim 1). In a network each part is its own layer, ``NAME.0``, ``NAME.1`` …

    Output (C_k, *spatial) with C_k = C/parts (or sizes[k]); no parameters, no FLOPs (a view).
    """

    parts: int = arg(positive_int, 2, "number of equal parts (the channels must divide evenly)", primary=True)
    sizes: tuple[int, ...] | None = arg(optional(int_list(1)), None,
                                        "the parts' channel counts instead of equal parts (they must add up to C)")
    part: int | None = arg(optional(nonneg_int), None,
                           "which part this layer is (0-based); unset in a network file: one layer per part")

    FLOPS = costs.free("a view of some channels")
    TORCH_CALLS = ("x.chunk", "torch.chunk", "x.split", "torch.split")  # ShuffleNet: x.chunk(2, dim=1)
    SAVED = saved_own.channel_part()

    def validate(self) -> None:
        count = self.count()
        if self.part is not None and self.part >= count:
            raise LayerError(f"part {self.part} does not exist: there are {count} parts (0 to {count - 1})",
                             arg="part")

    def count(self) -> int:
        return len(self.sizes) if self.sizes is not None else self.parts

    def fan_out(self) -> tuple[Layer, ...]:
        """With `part` unset, one layer per part (the expander names them ``NAME.0`` …)."""
        if self.part is not None:
            return ()
        return tuple(self.with_args(part=k) for k in range(self.count()))

    def fan_out_count(self) -> int:
        return 0 if self.part is not None else self.count()

    def split_sizes(self, channels: int) -> tuple[int, ...]:
        if self.sizes is not None:
            if sum(self.sizes) != channels:
                raise LayerError(f"split sizes {list(self.sizes)} add up to {sum(self.sizes)}, but the input has "
                                 f"{channels} channels; make them add up to {channels}")
            return self.sizes
        if channels % self.parts:
            raise LayerError(f"the channels must be evenly divisible by the number of parts. Received: "
                             f"parts={self.parts}, channels={channels}; give sizes: [...] for unequal parts")
        return (channels // self.parts,) * self.parts

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        sizes = self.split_sizes(shape[0])
        k = 0 if self.part is None else self.part
        channels: Formula = (Num(sizes[k], f"sizes[{k}]") if self.sizes is not None
                             else Div(Num(shape[0], "C"), Num(self.parts, "parts")))
        start = sum(sizes[:k])
        note = Msg("channels {a} to {b} of {c} (part {k} of {n}); the spatial size is kept", a=start,
                   b=start + sizes[k] - 1, c=shape[0], k=k, n=len(sizes))
        notes = () if self.part is not None else (
            Msg("the first part; in a network each part is its own layer, NAME.0 to NAME.{last}",
                last=len(sizes) - 1),)
        out = (sizes[k], *shape[1:])
        return Bound(self, ins, out, self.passed_field(out, fields),
                     worked=(Worked("output_shape", "C_out", channels, note, symbolic=True),), notes=notes)

    def describe(self, bound: Bound) -> str:
        sizes = self.split_sizes(bound.inputs[0][0])
        k = 0 if self.part is None else self.part
        return f"channels {sum(sizes[:k])}:{sum(sizes[:k + 1])} of {bound.inputs[0][0]}"

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.modules import ChannelSplit

        return ChannelSplit(self.split_sizes(bound.inputs[0][0]), 0 if self.part is None else self.part)


@register("channel_shuffle")
@dataclass(frozen=True, kw_only=True)
class ChannelShuffle(Elementwise):
    """Channel shuffle (ShuffleNet; torch.nn.ChannelShuffle): the channels viewed as groups × C/groups,
    transposed and flattened back, so that the next grouped layer sees every group.

    Output as input; no parameters; no FLOPs (a permutation).
    """

    groups: int = arg(positive_int, doc="number of channel groups to interleave", primary=True)

    FLOPS = costs.free("a permutation of the channels")
    TORCH_CALLS = ("channel_shuffle", "nn.ChannelShuffle")  # torchvision's function, torch's module
    SAVED = saved.nothing(Msg("a copy of its input, channels reordered"))

    def check_shape(self, shape: Shape) -> None:
        if shape[0] % self.groups:
            raise LayerError(f"the channels must be evenly divisible by the number of groups. "
                             f"Received: groups={self.groups}, channels={shape[0]}")

    def bound(self, ins: tuple[Shape, ...], field: Any) -> Bound:
        c = ins[0][0]
        note = Msg("{g} groups of {n} channels interleaved: channel g·{n} + i moves to i·{g} + g", g=self.groups,
                   n=c // self.groups)
        return Bound(self, ins, ins[0], field,
                     worked=(Worked("output_shape", "output", value=ins[0],
                                    shown=f"input = {fmt_shape(ins[0])} (the channels reordered)", note=note),))

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.modules import ChannelShuffle as Shuffle

        return Shuffle(self.groups)


@register("scale", "layer_scale")
@dataclass(frozen=True, kw_only=True)
class Scale(Elementwise):
    """A learned factor per channel (layer scale, as ConvNeXt's ``layer_scale``): y = γ_c · x.

    params C (a C×1×1 tensor for a C×H×W input); FLOPs 1 per element.
    """

    init: float = arg(number(), 1.0, "initial value of every factor (ConvNeXt: 1e-6)", primary=True)

    FLOPS = costs.per_output(1, "a multiply")
    TORCH_CALLS = ("*",)  # torchvision's CNBlock: self.layer_scale * self.block(input)
    SAVED = saved_own.times_weight()

    def bound(self, ins: tuple[Shape, ...], field: Any) -> Bound:
        params = Num(ins[0][0], "C")
        shape = "×".join([str(ins[0][0])] + ["1"] * spatial_rank(ins[0]))
        return Bound(self, ins, ins[0], field, params=params,
                     worked=(Worked("params", "params", params, Msg("one learned factor per channel (a {s} "
                                                                    "tensor)", s=shape), symbolic=True),))

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.modules import LayerScale

        shape = bound.inputs[0]
        return LayerScale(shape[0], self.init, spatial_rank(shape))


__all__ = ["ChannelShuffle", "Scale", "Split"]

"""Normalisation layers: batch, local response (LRN), layer (over channels) and group norm.

All keep their input's shape and let the receptive field pass through (LRN mixes
neighbouring channels, not neighbouring pixels). Conventions:

- params: ``2C`` (a scale and a shift per channel) when ``affine``, else 0.
- buffers: batch norm's running mean and variance, ``2C``. torch's
  ``num_batches_tracked`` counter is not counted, as torchvision's reference
  parameter counts do not count it.
- FLOPs per element, at inference: batch norm 2 (the statistics are fixed, so it
  is one scale and one shift); layer and group norm 5 to normalise (mean,
  centre, variance, square root and divide, counted as one each) plus 2 for the
  affine scale and shift; LRN ``2·size + 3`` (see `LRN`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, saved, saved_own
from cnncalc.layers.act import Elementwise
from cnncalc.layers.args import boolean, number, positive_int
from cnncalc.layers.base import Bound, Shape, arg, fmt_shape, numel, spatial_rank
from cnncalc.layers.formula import Formula, Mul, Num, Sum
from cnncalc.layers.registry import register
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg
from cnncalc.layers.torchop import TorchOp

if TYPE_CHECKING:
    import torch


def positive_number(value: Any) -> float:
    """A number > 0 (eps)."""
    result: float = number(0.0)(value)
    if result <= 0:
        raise LayerError(f"expected a number > 0, received {value}")
    return result


def _need_channels(kind: str, shape: Shape, least_rank: int = 0) -> None:
    """Inputs are (C,), (C, L), (C, H, W) or (C, D, H, W); `least_rank` spatial dimensions at least."""
    if not least_rank <= spatial_rank(shape) <= 3:
        wanted = ("C", "C×L", "C×H×W", "C×D×H×W")[least_rank:]
        raise LayerError(f"{kind} needs a {', '.join(wanted)} input, received {fmt_shape(shape)}")


class Norm(Elementwise):
    """A per-channel normalisation with an optional learned scale and shift per channel.

    Not a dataclass itself: each kind declares ``eps`` and ``affine`` in its own order.
    """

    affine: bool
    eps: float

    def check_shape(self, shape: Shape) -> None:
        _need_channels(self.KIND, shape)

    def state(self, channels: int) -> Formula:
        """Non-learnable state (batch norm's running statistics): none by default."""
        return Num(0)

    def bound(self, ins: tuple[Shape, ...], field: Any) -> Bound:
        c = ins[0][0]
        if self.affine:
            params: Formula = Mul(2, Num(c, "C"))
            lines = [Worked("params", "params", params, Msg("a scale γ and a shift β per channel"), symbolic=True)]
        else:
            params = Num(0)
            lines = [Worked("params", "params", params, Msg("affine is off: no scale or shift"))]
        buffers = self.state(c)
        if buffers.value:
            lines.append(Worked("buffers", "buffers", buffers, Msg("running mean and variance per channel "
                                                                    "(num_batches_tracked not counted)"),
                                symbolic=True))
        biases = Num(c) if self.affine else Num(0)  # the shifts β (torch's .bias)
        return Bound(self, ins, ins[0], field, params=params, biases=biases, buffers=buffers, worked=tuple(lines))


@register("bn", "batchnorm", "batchnorm1d", "batchnorm2d", "batchnorm3d")
@dataclass(frozen=True, kw_only=True)
class BatchNorm(Norm):
    """Batch normalisation (torch.nn.BatchNorm1d/2d/3d), counted at inference.

    params 2C (affine); buffers 2C (running mean and variance); FLOPs 2 per element.
    """

    eps: float = arg(positive_number, 1e-5, "added to the variance")
    momentum: float = arg(number(0.0, 1.0), 0.1, "running statistics update factor (training)")
    affine: bool = arg(boolean, True, "learn a scale and a shift per channel")

    FLOPS = costs.per_output(2, "a scale and a shift: the statistics are fixed at inference")
    TORCH_CALLS = ("nn.BatchNorm{rank}d",)
    SAVED = saved.input_and_statistics(Msg("channel"), lambda b: ((b.inputs[0][0],), False), counters=1)

    def state(self, channels: int) -> Formula:
        return Mul(2, Num(channels, "C"))

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        return {"num_features": bound.inputs[0][0], "eps": self.eps, "momentum": self.momentum,
                "affine": self.affine, "track_running_stats": True}

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        shape = bound.inputs[0]
        cls = (nn.BatchNorm1d, nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)[spatial_rank(shape)]
        return cls(shape[0], eps=self.eps, momentum=self.momentum, affine=self.affine)


def _lrn_per_element(layer: Any) -> Formula:
    return Sum(Mul(2, Num(layer.size, "size")), 3)


@register("lrn")
@dataclass(frozen=True, kw_only=True)
class LRN(Elementwise):
    """Local response normalisation across channels (AlexNet; torch.nn.LocalResponseNorm).

    ``b_c = a_c / (k + alpha/size · Σ a_c'²)^beta`` over the `size` channels around c.
    AlexNet used size 5, alpha 1e-4, beta 0.75, k 2. No parameters.
    FLOPs per element: ``2·size + 3`` — size squares and size − 1 adds for the sum,
    then one each for the scale by alpha/size, the add of k, the power and the divide.
    """

    size: int = arg(positive_int, doc="number of neighbouring channels summed over", primary=True)
    alpha: float = arg(number(), 1e-4, "multiplicative factor")
    beta: float = arg(number(), 0.75, "exponent")
    k: float = arg(number(), 1.0, "additive constant")

    FLOPS = costs.per_output_times(_lrn_per_element, "2·size + 3 per element: size squares, size − 1 adds, then "
                                   "scale, add k, power and divide")
    TORCH_CALLS = ("nn.LocalResponseNorm", "F.local_response_norm")

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        return {"size": self.size, "alpha": self.alpha, "beta": self.beta, "k": self.k}
    SAVED = saved_own.lrn_terms()

    def check_shape(self, shape: Shape) -> None:
        _need_channels(self.KIND, shape, least_rank=1)  # torch needs a spatial dimension

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        return nn.LocalResponseNorm(self.size, self.alpha, self.beta, self.k)


def _stat_per_element(layer: Any) -> Formula:
    return Num(7 if layer.affine else 5)


STAT_FLOPS = costs.per_output_times(_stat_per_element, "7 per element (5 without affine): mean, centre, "
                                    "variance, square root and divide, then the scale and shift")


@register("layernorm")
@dataclass(frozen=True, kw_only=True)
class LayerNorm(Norm):
    """Layer normalisation over the channels at each position (ConvNeXt's channels-first LayerNorm).

    params 2C (affine); FLOPs 7 per element (5 without affine): the statistics are
    computed at inference too. Lowered to `cnncalc.torch.modules.ChannelsFirstLayerNorm`.
    """

    eps: float = arg(positive_number, 1e-6, "added to the variance")
    affine: bool = arg(boolean, True, "learn a scale and a shift per channel")

    FLOPS = STAT_FLOPS
    # cnncalc's lowering; torchvision's ConvNeXt subclass; torch's own on channels-last tensors
    TORCH_CALLS = ("ChannelsFirstLayerNorm", "LayerNorm2d", "nn.LayerNorm")

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        return {"normalized_shape": (bound.inputs[0][0],), "eps": self.eps, "elementwise_affine": self.affine,
                "bias": self.affine}

    def torch_op(self, bound: Bound, call: str = "") -> TorchOp:
        """A module that is not torch's LayerNorm calls ``F.layer_norm`` in its forward."""
        op = super().torch_op(bound, call)
        if op.torch_nn:
            return op
        inner = TorchOp("F.layer_norm", op.inputs, op.output, op.attrs)
        return TorchOp(op.target, op.inputs, op.output, op.attrs, op.params, (inner,))
    SAVED = saved.input_and_statistics(Msg("position"), lambda b: (b.inputs[0][1:], True), cuda_amp_float32=True,
                                         channels_last=True)

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.modules import ChannelsFirstLayerNorm

        return ChannelsFirstLayerNorm(bound.inputs[0][0], eps=self.eps, affine=self.affine)


@register("groupnorm")
@dataclass(frozen=True, kw_only=True)
class GroupNorm(Norm):
    """Group normalisation (torch.nn.GroupNorm): statistics over groups of C/groups channels.

    params 2C (affine); FLOPs 7 per element (5 without affine).
    """

    groups: int = arg(positive_int, doc="number of channel groups", primary=True)
    eps: float = arg(positive_number, 1e-5, "added to the variance")
    affine: bool = arg(boolean, True, "learn a scale and a shift per channel")

    FLOPS = STAT_FLOPS
    TORCH_CALLS = ("nn.GroupNorm",)

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        return {"num_groups": self.groups, "num_channels": bound.inputs[0][0], "eps": self.eps,
                "affine": self.affine}
    SAVED = saved.input_and_statistics(Msg("group"), lambda b: ((b.layer.groups,), True), cuda_amp_float32=True)

    def check_shape(self, shape: Shape) -> None:
        super().check_shape(shape)
        if shape[0] % self.groups:
            raise LayerError(f"the channels must be evenly divisible by the number of groups. "
                             f"Received: groups={self.groups}, channels={shape[0]}")
        if shape[0] // self.groups * numel(shape[1:]) < 2:  # torch refuses it ("Expected more than 1 value")
            raise LayerError(f"group norm needs more than one value per group to compute its statistics. "
                             f"Received: {shape[0] // self.groups} channel(s) per group on a {fmt_shape(shape)} input")

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        return nn.GroupNorm(self.groups, bound.inputs[0][0], eps=self.eps, affine=self.affine)


__all__ = ["LRN", "BatchNorm", "GroupNorm", "LayerNorm", "Norm", "positive_number"]

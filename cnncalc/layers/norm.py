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

from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, register
from cnncalc.layers.act import Elementwise
from cnncalc.layers.args import Arg, boolean, number, positive_int
from cnncalc.layers.base import Shape, Shapes, fmt_shape, numel, spatial_rank
from cnncalc.layers.steps import Step, num, product

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
    """A per-channel normalisation with an optional learned scale and shift per channel."""

    affine: bool
    eps: float

    def output_shape(self, ins: Shapes) -> Shape:
        _need_channels(self.KIND, ins[0])
        return tuple(ins[0])

    def params(self, ins: Shapes, out: Shape) -> int:
        return 2 * ins[0][0] if self.affine else 0

    def biases(self, ins: Shapes, out: Shape) -> int:
        return ins[0][0] if self.affine else 0  # the shifts β (torch's .bias)

    def params_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        c, buffers = ins[0][0], self.buffers(ins, out)
        steps = [Step("params", f"params = 2·C = 2·{c} = {num(2 * c)}", 2 * c, "a scale γ and a shift β per channel")
                 if self.affine else Step("params", "params = 0", 0, "affine is off: no scale or shift")]
        if buffers:
            steps.append(Step("buffers", f"buffers = 2·C = 2·{c} = {num(buffers)}", buffers,
                              "running mean and variance per channel (num_batches_tracked not counted)"))
        return steps


@register("bn", "batchnorm", "batchnorm1d", "batchnorm2d", "batchnorm3d")
class BatchNorm(Norm):
    """Batch normalisation (torch.nn.BatchNorm1d/2d/3d), counted at inference.

    params 2C (affine); buffers 2C (running mean and variance); FLOPs 2 per element.
    """

    ARGS = (
        Arg("eps", positive_number, 1e-5, "added to the variance"),
        Arg("momentum", number(0.0, 1.0), 0.1, "running statistics update factor (training)"),
        Arg("affine", boolean, True, "learn a scale and a shift per channel"),
    )
    FLOPS = costs.per_output(2)

    momentum: float

    def buffers(self, ins: Shapes, out: Shape) -> int:
        return 2 * ins[0][0]

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        rank = spatial_rank(ins[0])
        cls = (nn.BatchNorm1d, nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)[rank]
        return cls(ins[0][0], eps=self.eps, momentum=self.momentum, affine=self.affine)


@register("lrn")
class LRN(Elementwise):
    """Local response normalisation across channels (AlexNet; torch.nn.LocalResponseNorm).

    ``b_c = a_c / (k + alpha/size · Σ a_c'²)^beta`` over the `size` channels around c.
    AlexNet used size 5, alpha 1e-4, beta 0.75, k 2. No parameters.
    FLOPs per element: ``2·size + 3`` — size squares and size − 1 adds for the sum,
    then one each for the scale by alpha/size, the add of k, the power and the divide.
    """

    ARGS = (
        Arg("size", positive_int, doc="number of neighbouring channels summed over"),
        Arg("alpha", number(), 1e-4, "multiplicative factor"),
        Arg("beta", number(), 0.75, "exponent"),
        Arg("k", number(), 1.0, "additive constant"),
    )
    PRIMARY = "size"

    size: int
    alpha: float
    beta: float
    k: float

    def output_shape(self, ins: Shapes) -> Shape:
        _need_channels(self.KIND, ins[0], least_rank=1)  # torch needs a spatial dimension
        return tuple(ins[0])

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        """``2·size + 3`` per output element (class docstring)."""
        return (2 * self.size + 3) * numel(out)

    def flops_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        value = self.extra_flops(ins, out)
        return [Step("flops", f"FLOPs = (2·{self.size} + 3)·({product(out)}) = {num(value)}", value,
                     "per element: size squares, size − 1 adds, then scale, add k, power and divide")]

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        return nn.LocalResponseNorm(self.size, self.alpha, self.beta, self.k)


class StatNorm(Norm):
    """Norms that compute their statistics at inference too (layer norm, group norm).

    FLOPs per element: 5 to normalise (mean, centre, variance, square root, divide)
    plus 2 for the affine scale and shift when ``affine``: 7 by default.
    """

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        return (5 + (2 if self.affine else 0)) * numel(out)


@register("layernorm")
class LayerNorm(StatNorm):
    """Layer normalisation over the channels at each position (ConvNeXt's channels-first LayerNorm).

    params 2C (affine); FLOPs 7 per element (5 without affine). Lowered to
    `cnncalc.backends.modules.ChannelsFirstLayerNorm`.
    """

    ARGS = (
        Arg("eps", positive_number, 1e-6, "added to the variance"),
        Arg("affine", boolean, True, "learn a scale and a shift per channel"),
    )

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        from cnncalc.backends.modules import ChannelsFirstLayerNorm

        return ChannelsFirstLayerNorm(ins[0][0], eps=self.eps, affine=self.affine)


@register("groupnorm")
class GroupNorm(StatNorm):
    """Group normalisation (torch.nn.GroupNorm): statistics over groups of C/groups channels.

    params 2C (affine); FLOPs 7 per element (5 without affine).
    """

    ARGS = (
        Arg("groups", positive_int, doc="number of channel groups"),
        Arg("eps", positive_number, 1e-5, "added to the variance"),
        Arg("affine", boolean, True, "learn a scale and a shift per channel"),
    )
    PRIMARY = "groups"

    groups: int

    def output_shape(self, ins: Shapes) -> Shape:
        shape = super().output_shape(ins)
        if shape[0] % self.groups:
            raise LayerError(
                f"the channels must be evenly divisible by the number of groups. "
                f"Received: groups={self.groups}, channels={shape[0]}"
            )
        values = shape[0] // self.groups * numel(shape[1:])
        if values < 2:  # torch refuses it too ("Expected more than 1 value per channel")
            raise LayerError(
                f"group norm needs more than one value per group to compute its statistics. "
                f"Received: {shape[0] // self.groups} channel(s) per group on a {fmt_shape(shape)} input"
            )
        return shape

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        return nn.GroupNorm(self.groups, ins[0][0], eps=self.eps, affine=self.affine)


__all__ = ["LRN", "BatchNorm", "GroupNorm", "LayerNorm", "Norm", "StatNorm", "positive_number"]

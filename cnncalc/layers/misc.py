"""Layers that compute nothing at inference: dropout, stochastic depth and identity.

Both keep their input's shape, have no parameters, let the receptive field pass
through and cost no FLOPs (a decision written down with `costs.free`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, saved, saved_own
from cnncalc.layers.act import Elementwise
from cnncalc.layers.args import choice, number
from cnncalc.layers.base import Bound, arg
from cnncalc.layers.registry import register
from cnncalc.layers.text import Msg

if TYPE_CHECKING:
    import torch


def probability(value: Any) -> float:
    """A drop probability p with 0 <= p < 1 (p = 1 would drop everything)."""
    p: float = number()(value)
    if not 0 <= p < 1:
        raise LayerError(f"expected a probability 0 <= p < 1, received {value}")
    return p


@register("dropout")
@dataclass(frozen=True, kw_only=True)
class Dropout(Elementwise):
    """Dropout (torch.nn.Dropout): zeroes elements with probability p while training.

    At inference it is the identity: no FLOPs, no parameters.
    """

    p: float = arg(probability, 0.5, "probability of dropping an element while training", primary=True)

    FLOPS = costs.free("identity at inference")
    TORCH_CALLS = ("nn.Dropout", "F.dropout")

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        return {"p": self.p}
    SAVED = saved_own.noise()

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        return nn.Dropout(self.p)


def drop_rate(value: Any) -> float:
    """A drop probability p with 0 <= p <= 1 (stochastic depth may drop a whole block always)."""
    p: float = number(0.0, 1.0)(value)
    return p


@register("stochastic_depth", "drop_path")
@dataclass(frozen=True, kw_only=True)
class StochasticDepth(Elementwise):
    """Stochastic depth (Huang et al. 2016; torchvision.ops.StochasticDepth, timm's DropPath): the
    identity at inference; while training, the residual branch it ends is dropped with probability p
    for a whole sample (``row``) or the whole batch (``batch``), and scaled by 1/(1 − p) otherwise.

    No FLOPs, no parameters.
    """

    p: float = arg(drop_rate, 0.0, "probability of dropping the branch while training", primary=True)
    mode: str = arg(choice("row", "batch"), "row", "row: per sample; batch: the whole batch at once")

    FLOPS = costs.free("identity at inference")
    TORCH_CALLS = ("StochasticDepth",)  # torchvision.ops.StochasticDepth (timm's DropPath alike)
    SAVED = saved_own.branch_noise()

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.modules import StochasticDepth as Module

        return Module(self.p, self.mode)


@register("identity")
@dataclass(frozen=True, kw_only=True)
class Identity(Elementwise):
    """The identity (torch.nn.Identity): a named pass-through, e.g. a placeholder branch."""

    FLOPS = costs.free("a pass-through")
    TORCH_CALLS = ("nn.Identity",)
    SAVED = saved.nothing(Msg("the input itself"), output="shared", passes_grad=True)

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        return nn.Identity()


__all__ = ["Dropout", "Identity", "StochasticDepth", "drop_rate", "probability"]

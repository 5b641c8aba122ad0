"""Layers that compute nothing at inference: dropout and identity.

Both keep their input's shape, have no parameters, let the receptive field pass
through and cost no FLOPs (a decision written down with `costs.free`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, register
from cnncalc.layers.act import Elementwise
from cnncalc.layers.args import Arg, number
from cnncalc.layers.base import Shape, Shapes

if TYPE_CHECKING:
    import torch


def probability(value: Any) -> float:
    """A drop probability p with 0 <= p < 1 (p = 1 would drop everything)."""
    p: float = number()(value)
    if not 0 <= p < 1:
        raise LayerError(f"expected a probability 0 <= p < 1, received {value}")
    return p


@register("dropout")
class Dropout(Elementwise):
    """Dropout (torch.nn.Dropout): zeroes elements with probability p while training.

    At inference it is the identity: no FLOPs, no parameters.
    """

    ARGS = (Arg("p", probability, 0.5, "probability of dropping an element while training"),)
    PRIMARY = "p"
    FLOPS = costs.free("identity at inference")

    p: float

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        return nn.Dropout(self.p)


@register("identity")
class Identity(Elementwise):
    """The identity (torch.nn.Identity): a named pass-through, e.g. a placeholder branch."""

    FLOPS = costs.free("a pass-through")

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        return nn.Identity()


__all__ = ["Dropout", "Identity", "probability"]

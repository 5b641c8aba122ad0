"""Activations: elementwise, shape-preserving layers (and `Elementwise`, their base).

Each output element depends on the input element at the same place (softmax: on
the channels at the same place), so the receptive field passes through. None has
parameters except PReLU (its slopes: C, or 1 when shared). Extra FLOPs per output
element, by convention (README, "Counting conventions"):

=============  =====  ====================================================
type           FLOPs  why
=============  =====  ====================================================
relu, relu6    1      one comparison (relu6: counted as one clamp)
leaky_relu     1      a comparison, the slope folded in
elu            1      transcendental functions count as one, as in fvcore
prelu          1      as leaky_relu, with a learned slope
gelu           1      as elu
silu (swish)   1      as elu
sigmoid, tanh  1      as elu
softplus       1      as elu
hardswish      1      as elu
hardsigmoid    1      as elu
softmax        3      over the channels: an exp, a share of the sum, a divide
=============  =====  ====================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from cnncalc.layers import costs, register
from cnncalc.layers.args import Arg, boolean, choice, number
from cnncalc.layers.base import Layer, Shape, Shapes

if TYPE_CHECKING:
    import torch


class Elementwise(Layer):
    """A layer whose output has its input's shape; the receptive field passes through.

    Used by activations here and by normalisation and dropout/identity elsewhere.
    """

    def output_shape(self, ins: Shapes) -> Shape:
        return tuple(ins[0])

    def to_torch_linear(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        """For measuring receptive fields: the identity, which has the same (pointwise) field."""
        import torch.nn as nn

        return nn.Identity()


class Activation(Elementwise):
    """An activation lowered to ``torch.nn.<TORCH>(**arguments)``.

    Subclasses name the torch module in ``TORCH``; their argument names are torch's,
    so the arguments pass through unchanged.
    """

    FLOPS = costs.per_output(1)
    TORCH: ClassVar[str] = ""

    def torch_kwargs(self, ins: Shapes) -> dict[str, Any]:
        return self.arg_values()

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        import torch.nn as nn

        module: torch.nn.Module = getattr(nn, self.TORCH)(**self.torch_kwargs(ins))
        return module


@register("relu")
class ReLU(Activation):
    """max(x, 0) (torch.nn.ReLU)."""

    TORCH = "ReLU"


@register("relu6")
class ReLU6(Activation):
    """min(max(x, 0), 6) (torch.nn.ReLU6)."""

    TORCH = "ReLU6"


@register("leaky_relu")
class LeakyReLU(Activation):
    """x for x >= 0, negative_slope·x otherwise (torch.nn.LeakyReLU)."""

    ARGS = (Arg("negative_slope", number(), 0.01, "slope for negative inputs"),)
    PRIMARY = "negative_slope"
    TORCH = "LeakyReLU"


@register("elu")
class ELU(Activation):
    """x for x > 0, alpha·(eˣ − 1) otherwise (torch.nn.ELU)."""

    ARGS = (Arg("alpha", number(), 1.0, "scale of the negative part"),)
    PRIMARY = "alpha"
    TORCH = "ELU"


@register("prelu")
class PReLU(Activation):
    """Leaky ReLU with learned slopes (torch.nn.PReLU).

    params = C slopes with ``per_channel`` (torch's ``num_parameters=C``), else 1.
    """

    ARGS = (
        Arg("per_channel", boolean, True, "one learned slope per channel (else one shared slope)"),
        Arg("init", number(), 0.25, "initial value of the slopes"),
    )
    TORCH = "PReLU"

    per_channel: bool

    def params(self, ins: Shapes, out: Shape) -> int:
        return ins[0][0] if self.per_channel else 1

    def torch_kwargs(self, ins: Shapes) -> dict[str, Any]:
        return {"num_parameters": self.params(ins, tuple(ins[0])), "init": self.arg_values()["init"]}


@register("gelu")
class GELU(Activation):
    """x·Φ(x), exact or with the tanh approximation (torch.nn.GELU)."""

    ARGS = (Arg("approximate", choice("none", "tanh"), "none", "'none' (exact erf) or 'tanh'"),)
    PRIMARY = "approximate"
    TORCH = "GELU"


@register("silu", "swish")
class SiLU(Activation):
    """x·sigmoid(x) (torch.nn.SiLU)."""

    TORCH = "SiLU"


@register("sigmoid")
class Sigmoid(Activation):
    """1 / (1 + e⁻ˣ) (torch.nn.Sigmoid)."""

    TORCH = "Sigmoid"


@register("tanh")
class Tanh(Activation):
    """Hyperbolic tangent (torch.nn.Tanh)."""

    TORCH = "Tanh"


@register("softplus")
class Softplus(Activation):
    """ln(1 + e^(beta·x)) / beta, linear above ``threshold`` (torch.nn.Softplus)."""

    ARGS = (
        Arg("beta", number(), 1.0, "sharpness"),
        Arg("threshold", number(), 20.0, "above beta·x > threshold the output is x"),
    )
    TORCH = "Softplus"


@register("hardswish")
class Hardswish(Activation):
    """x·relu6(x + 3)/6 (torch.nn.Hardswish)."""

    TORCH = "Hardswish"


@register("hardsigmoid")
class Hardsigmoid(Activation):
    """relu6(x + 3)/6 (torch.nn.Hardsigmoid)."""

    TORCH = "Hardsigmoid"


@register("softmax")
class Softmax(Activation):
    """Softmax over the channels at each position (torch.nn.Softmax(dim=1) with a batch).

    3 FLOPs per element: an exponential, its share of the sum, a division.
    """

    FLOPS = costs.per_output(3)
    TORCH = "Softmax"

    def torch_kwargs(self, ins: Shapes) -> dict[str, Any]:
        return {"dim": 1}  # our dim 0 (channels), behind the batch dimension


__all__ = [
    "ELU",
    "GELU",
    "Activation",
    "Elementwise",
    "Hardsigmoid",
    "Hardswish",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "ReLU6",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
]

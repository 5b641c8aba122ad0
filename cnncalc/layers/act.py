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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from cnncalc.layers import costs, saved
from cnncalc.layers.args import boolean, choice, number
from cnncalc.layers.base import Bound, Layer, Shape, arg
from cnncalc.layers.formula import Num
from cnncalc.layers.registry import register
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True, kw_only=True)
class Elementwise(Layer):
    """A layer whose output has its input's shape; the receptive field passes through.

    Used by activations here and by normalisation and dropout/identity elsewhere.
    `check_shape` is where a kind refuses an input rank; `extra` adds the kind's
    parameters and buffers.
    """

    def check_shape(self, shape: Shape) -> None:
        """Refuse inputs the kind cannot take (none by default)."""

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        self.check_shape(shape)
        return self.bound(ins, self.passed_field(shape, fields))

    def bound(self, ins: tuple[Shape, ...], field: Any) -> Bound:
        return Bound(self, ins, ins[0], field)

    def to_torch_linear(self, bound: Bound) -> torch.nn.Module:
        """For measuring receptive fields: the identity, which has the same (pointwise) field."""
        import torch.nn as nn

        return nn.Identity()


@dataclass(frozen=True, kw_only=True)
class Activation(Elementwise):
    """An activation lowered to ``torch.nn.<TORCH>(**arguments)``.

    Subclasses name the torch module in ``TORCH``; their argument names are torch's,
    so the arguments pass through unchanged.
    """

    FLOPS = costs.per_output(1)
    TORCH: ClassVar[str] = ""

    def torch_kwargs(self, bound: Bound) -> dict[str, Any]:
        return self.arg_values()

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        return self.torch_kwargs(bound)

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        import torch.nn as nn

        module: torch.nn.Module = getattr(nn, self.TORCH)(**self.torch_kwargs(bound))
        return module


@register("relu")
@dataclass(frozen=True, kw_only=True)
class ReLU(Activation):
    """max(x, 0) (torch.nn.ReLU)."""

    TORCH = "ReLU"
    TORCH_CALLS = ("nn.ReLU", "F.relu", "torch.relu", "x.relu", "F.relu_", "x.relu_")
    SAVED = saved.output(in_place=True)


@register("relu6")
@dataclass(frozen=True, kw_only=True)
class ReLU6(Activation):
    """min(max(x, 0), 6) (torch.nn.ReLU6)."""

    TORCH = "ReLU6"
    TORCH_CALLS = ("nn.ReLU6", "F.relu6", "F.hardtanh")
    SAVED = saved.input_or_copy()


@register("leaky_relu")
@dataclass(frozen=True, kw_only=True)
class LeakyReLU(Activation):
    """x for x >= 0, negative_slope·x otherwise (torch.nn.LeakyReLU)."""

    negative_slope: float = arg(number(), 0.01, "slope for negative inputs", primary=True)
    TORCH = "LeakyReLU"
    TORCH_CALLS = ("nn.LeakyReLU", "F.leaky_relu")
    SAVED = saved.input(in_place=True)


@register("elu")
@dataclass(frozen=True, kw_only=True)
class ELU(Activation):
    """x for x > 0, alpha·(eˣ − 1) otherwise (torch.nn.ELU)."""

    alpha: float = arg(number(), 1.0, "scale of the negative part", primary=True)
    TORCH = "ELU"
    TORCH_CALLS = ("nn.ELU", "F.elu")
    SAVED = saved.input(in_place=True)


@register("prelu")
@dataclass(frozen=True, kw_only=True)
class PReLU(Activation):
    """Leaky ReLU with learned slopes (torch.nn.PReLU).

    params = C slopes with ``per_channel`` (torch's ``num_parameters=C``), else 1.
    """

    per_channel: bool = arg(boolean, True, "one learned slope per channel (else one shared slope)")
    init: float = arg(number(), 0.25, "initial value of the slopes")
    TORCH = "PReLU"
    TORCH_CALLS = ("nn.PReLU", "F.prelu")
    SAVED = saved.input_and_weight()

    def bound(self, ins: tuple[Shape, ...], field: Any) -> Bound:
        slopes = Num(ins[0][0], "C") if self.per_channel else Num(1)
        note = Msg("one learned slope per channel") if self.per_channel else Msg("one slope shared by all channels")
        return Bound(self, ins, ins[0], field, params=slopes,
                     worked=(Worked("params", "params", slopes, note, symbolic=self.per_channel),))

    def torch_kwargs(self, bound: Bound) -> dict[str, Any]:
        return {"num_parameters": int(bound.params.value), "init": self.init}


@register("gelu")
@dataclass(frozen=True, kw_only=True)
class GELU(Activation):
    """x·Φ(x), exact or with the tanh approximation (torch.nn.GELU)."""

    approximate: str = arg(choice("none", "tanh"), "none", "'none' (exact erf) or 'tanh'", primary=True)
    TORCH = "GELU"
    TORCH_CALLS = ("nn.GELU", "F.gelu")
    SAVED = saved.input()


@register("silu", "swish")
@dataclass(frozen=True, kw_only=True)
class SiLU(Activation):
    """x·sigmoid(x) (torch.nn.SiLU)."""

    TORCH = "SiLU"
    TORCH_CALLS = ("nn.SiLU", "F.silu")
    SAVED = saved.input_or_copy()


@register("sigmoid")
@dataclass(frozen=True, kw_only=True)
class Sigmoid(Activation):
    """1 / (1 + e⁻ˣ) (torch.nn.Sigmoid)."""

    TORCH = "Sigmoid"
    TORCH_CALLS = ("nn.Sigmoid", "torch.sigmoid", "x.sigmoid", "F.sigmoid")
    SAVED = saved.output()


@register("tanh")
@dataclass(frozen=True, kw_only=True)
class Tanh(Activation):
    """Hyperbolic tangent (torch.nn.Tanh)."""

    TORCH = "Tanh"
    TORCH_CALLS = ("nn.Tanh", "torch.tanh", "x.tanh", "F.tanh")
    SAVED = saved.output()


@register("softplus")
@dataclass(frozen=True, kw_only=True)
class Softplus(Activation):
    """ln(1 + e^(beta·x)) / beta, linear above ``threshold`` (torch.nn.Softplus)."""

    beta: float = arg(number(), 1.0, "sharpness")
    threshold: float = arg(number(), 20.0, "above beta·x > threshold the output is x")
    TORCH = "Softplus"
    TORCH_CALLS = ("nn.Softplus", "F.softplus")
    SAVED = saved.input(cuda_amp_float32=True)


@register("hardswish")
@dataclass(frozen=True, kw_only=True)
class Hardswish(Activation):
    """x·relu6(x + 3)/6 (torch.nn.Hardswish)."""

    TORCH = "Hardswish"
    TORCH_CALLS = ("nn.Hardswish", "F.hardswish")
    SAVED = saved.input_or_copy()


@register("hardsigmoid")
@dataclass(frozen=True, kw_only=True)
class Hardsigmoid(Activation):
    """relu6(x + 3)/6 (torch.nn.Hardsigmoid)."""

    TORCH = "Hardsigmoid"
    TORCH_CALLS = ("nn.Hardsigmoid", "F.hardsigmoid")
    SAVED = saved.input_or_copy()


@register("softmax")
@dataclass(frozen=True, kw_only=True)
class Softmax(Activation):
    """Softmax over the channels at each position (torch.nn.Softmax(dim=1) with a batch).

    3 FLOPs per element: an exponential, its share of the sum, a division.
    """

    FLOPS = costs.per_output(3, "an exp, a share of the sum, a divide")
    SAVED = saved.output(cuda_amp_float32=True)
    TORCH = "Softmax"
    TORCH_CALLS = ("nn.Softmax", "F.softmax", "torch.softmax", "x.softmax")

    def torch_kwargs(self, bound: Bound) -> dict[str, Any]:
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

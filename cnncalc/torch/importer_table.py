"""PyTorch modules and functions -> cnncalc layer kinds, with their arguments: the importer's table.

One small rule per torch module class (keyed by the class, or by its dotted name
for classes of other libraries, such as torchvision's ``LayerNorm2d``) and per
function, method or operator: it reads the module's attributes (or the call's
arguments) and returns the layer kind, its YAML arguments and, where the code
spells the operation differently from the kind's default, the spelling
(``torch: F.relu``) that the counting conventions need. A rule returns `UNSUPPORTED`
with a reason when cnncalc has no kind for what it sees (an ``nn.Linear`` on a
channels-last map, a reshape that is not a flatten ...).

Extension points: a new layer kind is imported by adding its module class to
`MODULES` here (and its functions, methods and operators to
`importer_functions.FUNCTIONS`) with a rule; nothing else in the importer
changes. Kinds the table maps only when they are registered (``optional_kind``)
light up as soon as their module lands in cnncalc/layers/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from cnncalc import layers

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Mapped:
    """A call as a cnncalc layer: its kind, its YAML arguments, its spelling ("" = the kind's default)."""

    kind: str
    args: dict[str, Any] = field(default_factory=dict)
    torch: str = ""
    then_flatten: bool = False  # a reduction that also drops the reduced axes (x.mean((2, 3)))


@dataclass(frozen=True)
class Unsupported:
    """No cnncalc kind for this call: what it is, and why."""

    what: str


@dataclass(frozen=True)
class Call:
    """What a rule sees: the module (or None), the call's positional and keyword arguments with tensors
    replaced by their shapes (without the batch), the output shape, and the input shapes."""

    module: nn.Module | None
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    inputs: tuple[Shape, ...]  # channels first, as cnncalc's shapes
    output: Shape | None  # as torch made it
    channels_last: bool = False  # the tensor is channels last in torch (`importer_layout`)

    def arg(self, index: int, name: str, default: Any = None) -> Any:
        if name in self.kwargs:
            return self.kwargs[name]
        return self.args[index] if len(self.args) > index else default


Rule = Callable[[Call], "Mapped | Unsupported"]


def compact(value: Any) -> Any:
    """(3, 3) -> 3, (1, 7) -> [1, 7]: per-dimension values as a person writes them."""
    if isinstance(value, list | tuple):
        items = [compact(v) for v in value]
        return items[0] if len(set(map(str, items))) == 1 else items
    return value


def optional_kind(*names: str) -> str | None:
    """The first of `names` that is a registered layer kind (kinds another change may add)."""
    return next((n for n in names if layers.canonical(n) is not None), None)


# -- modules ------------------------------------------------------------------------------------


def _conv(c: Call) -> Mapped | Unsupported:
    m: Any = c.module
    if m.padding_mode != "zeros":
        return Unsupported(f"{type(m).__name__} with padding_mode={m.padding_mode!r} (cnncalc pads with zeros)")
    padding = m.padding if isinstance(m.padding, str) else compact(m.padding)
    args = {"out": m.out_channels, "kernel": compact(m.kernel_size), "stride": compact(m.stride),
            "padding": padding, "dilation": compact(m.dilation), "groups": m.groups, "bias": m.bias is not None}
    if m.transposed:
        args["output_padding"] = compact(m.output_padding)
        return Mapped("convtranspose", args)
    return Mapped("conv", args)


def _linear(c: Call) -> Mapped | Unsupported:
    m: Any = c.module
    if len(c.inputs[0]) != 1:
        if not c.channels_last:
            return Unsupported(f"nn.Linear on a {'×'.join(map(str, c.inputs[0]))} input over its last dimension "
                               "(cnncalc's linear takes a vector, or the channels at every position)")
        return Mapped("linear", {"out": m.out_features, "bias": m.bias is not None, "flatten": False})
    return Mapped("linear", {"out": m.out_features, "bias": m.bias is not None})


def _batchnorm(c: Call) -> Mapped | Unsupported:
    m: Any = c.module
    if not m.track_running_stats or m.momentum is None:
        return Unsupported(f"{type(m).__name__} without running statistics (cnncalc's bn keeps them: 2C buffers)")
    return Mapped("bn", {"eps": m.eps, "momentum": m.momentum, "affine": m.affine})


def _layernorm2d(c: Call) -> Mapped | Unsupported:
    m: Any = c.module
    return Mapped("layernorm", {"eps": m.eps, "affine": m.elementwise_affine}, torch="LayerNorm2d")


def _layernorm(c: Call) -> Mapped | Unsupported:
    """torch's LayerNorm over the channels: of a vector, or of a channels-last map (ConvNeXt's block)."""
    m: Any = c.module
    if tuple(m.normalized_shape) != (c.inputs[0][0],) or not (c.channels_last or len(c.inputs[0]) == 1):
        return Unsupported(f"nn.LayerNorm over {list(m.normalized_shape)} of a {'×'.join(map(str, c.inputs[0]))} "
                           "input (cnncalc's layernorm normalises the channels at each position)")
    return Mapped("layernorm", {"eps": m.eps, "affine": m.elementwise_affine}, torch="nn.LayerNorm")


def _groupnorm(c: Call) -> Mapped | Unsupported:
    m: Any = c.module
    return Mapped("groupnorm", {"groups": m.num_groups, "eps": m.eps, "affine": m.affine})


def _lrn(c: Call) -> Mapped | Unsupported:
    m: Any = c.module
    return Mapped("lrn", {"size": m.size, "alpha": m.alpha, "beta": m.beta, "k": m.k})


def _activation(kind: str, **attrs: str) -> Rule:
    def rule(c: Call) -> Mapped | Unsupported:
        return Mapped(kind, {name: getattr(c.module, attr) for name, attr in attrs.items()})

    return rule


def _prelu(c: Call) -> Mapped | Unsupported:
    m: Any = c.module
    return Mapped("prelu", {"per_channel": m.num_parameters > 1})


def _softmax(c: Call) -> Mapped | Unsupported:
    dim = getattr(c.module, "dim", None)
    rank = len(c.inputs[0]) + 1
    if dim is None or dim % rank != 1:
        return Unsupported(f"softmax over dimension {dim} (cnncalc's softmax is over the channels, dim=1)")
    return Mapped("softmax")


def _pool(kind: str) -> Rule:
    def rule(c: Call) -> Mapped | Unsupported:
        m: Any = c.module
        if getattr(m, "return_indices", False) or getattr(m, "divisor_override", None):
            return Unsupported(f"{type(m).__name__} with return_indices or divisor_override")
        args = {"kernel": compact(m.kernel_size), "stride": compact(m.stride), "padding": compact(m.padding),
                "ceil_mode": m.ceil_mode}
        if kind == "maxpool":
            args["dilation"] = compact(m.dilation)
        else:
            args["count_include_pad"] = m.count_include_pad
        return Mapped(kind, args)

    return rule


def adaptive(average: bool) -> Rule:
    def rule(c: Call) -> Mapped | Unsupported:
        size = compact(c.module.output_size if c.module is not None else c.arg(1, "output_size"))
        if isinstance(size, list) and None in size:
            return Unsupported("adaptive pooling that keeps a dimension (output size None)")
        which = "avg" if average else "max"
        spelling = "" if c.module is not None else f"F.adaptive_{which}_pool{len(c.inputs[0]) - 1}d"
        if size == 1:
            return Mapped("global_avgpool" if average else "global_maxpool", torch=spelling)
        return Mapped("adaptive_avgpool" if average else "adaptive_maxpool", {"out": size}, torch=spelling)

    return rule


def _plain(kind: str, **attrs: str) -> Rule:
    def rule(c: Call) -> Mapped | Unsupported:
        return Mapped(kind, {name: getattr(c.module, attr) for name, attr in attrs.items()})

    return rule


def _flatten_module(c: Call) -> Mapped | Unsupported:
    if c.output is None or len(c.output) != 1:
        return Unsupported("nn.Flatten that keeps more than the batch dimension")
    return Mapped("flatten", torch="nn.Flatten")


def _stochastic_depth(c: Call) -> Mapped | Unsupported:
    """The identity at inference, with its training-time drop probability and mode."""
    m: Any = c.module
    return Mapped("stochastic_depth", {"p": m.p, "mode": m.mode})


MODULES: dict[type | str, Rule] = {
    **{cls: _conv for cls in (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d,
                              nn.ConvTranspose3d)},
    nn.Linear: _linear,
    **{cls: _batchnorm for cls in (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)},
    "torchvision.models.convnext.LayerNorm2d": _layernorm2d,
    "timm.layers.norm.LayerNorm2d": _layernorm2d,
    nn.LayerNorm: _layernorm,
    nn.GroupNorm: _groupnorm,
    nn.LocalResponseNorm: _lrn,
    nn.ReLU: _activation("relu"), nn.ReLU6: _activation("relu6"),
    nn.LeakyReLU: _activation("leaky_relu", negative_slope="negative_slope"),
    nn.ELU: _activation("elu", alpha="alpha"), nn.PReLU: _prelu,
    nn.GELU: _activation("gelu", approximate="approximate"), nn.SiLU: _activation("silu"),
    nn.Sigmoid: _activation("sigmoid"), nn.Tanh: _activation("tanh"),
    nn.Softplus: _activation("softplus", beta="beta", threshold="threshold"),
    nn.Hardswish: _activation("hardswish"), nn.Hardsigmoid: _activation("hardsigmoid"), nn.Softmax: _softmax,
    **{cls: _pool("maxpool") for cls in (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)},
    **{cls: _pool("avgpool") for cls in (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)},
    **{cls: adaptive(True) for cls in (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)},
    **{cls: adaptive(False) for cls in (nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d)},
    **{cls: _plain("dropout", p="p") for cls in (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d)},
    nn.Identity: _plain("identity"),
    nn.Flatten: _flatten_module,
    "torchvision.ops.stochastic_depth.StochasticDepth": _stochastic_depth,
    # a leaf, so that it is one call: `importer_layout` follows the channels through it
    "torchvision.ops.misc.Permute": lambda c: Unsupported("Permute other than of the channels to the last dimension"),
}


def module_rule(module: nn.Module) -> Rule | None:
    """The rule for a module's exact class, or for its dotted class name."""
    cls = type(module)
    return MODULES.get(cls) or MODULES.get(f"{cls.__module__}.{cls.__qualname__}")


__all__ = ["MODULES", "Call", "Mapped", "Rule", "Unsupported", "adaptive", "compact", "module_rule",
           "optional_kind"]

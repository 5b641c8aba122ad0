"""The layer registry, filled by `@register` as each kind's module is imported (timm's pattern).

A kind's module is imported when its name is first looked up (`MODULES` says
which module registers each name), so a network pays only for the kinds it uses:
importing all twelve kind modules (some 60 frozen dataclasses) takes about 50 ms,
more than analysing ResNet-152.
`everything()` imports them all, for listings and "did you mean".

>>> lookup("fc") is lookup("linear")
True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from cnncalc.errors import CnnCalcError
from cnncalc.layers.base import Layer, did_you_mean

REGISTRY: dict[str, type[Layer]] = {}
ALIASES: dict[str, str] = {}

# the names (kinds and aliases) each module of `cnncalc.layers` registers; tests/layers/test_registry.py
# checks this table against the modules
MODULES: dict[str, tuple[str, ...]] = {
    "act": ("relu", "relu6", "leaky_relu", "elu", "prelu", "gelu", "silu", "swish", "sigmoid", "tanh", "softplus",
            "hardswish", "hardsigmoid", "softmax"),
    "adaptive": ("adaptive_avgpool", "adaptive_avg_pool", "adaptive_maxpool", "adaptive_max_pool", "spp",
                 "spatial_pyramid_pooling"),
    "channels": ("split", "chunk", "channel_shuffle", "scale", "layer_scale"),
    "classic": ("subsample", "tableconv", "table_conv", "rbf", "pad_channels"),
    "conv": ("conv", "conv1d", "conv2d", "conv3d", "convolution"),
    "linear": ("linear", "fc", "flatten"),
    "merge": ("add", "concat", "mul"),
    "misc": ("dropout", "stochastic_depth", "drop_path", "identity"),
    "norm": ("bn", "batchnorm", "batchnorm1d", "batchnorm2d", "batchnorm3d", "lrn", "layernorm", "groupnorm"),
    "pool": ("maxpool", "maxpool1d", "maxpool2d", "maxpool3d", "max_pool", "minpool", "min_pool", "avgpool",
             "avgpool1d", "avgpool2d", "avgpool3d", "avg_pool", "meanpool", "global_avgpool", "global_avg_pool", "gap",
             "global_maxpool", "global_max_pool"),
    "transposed": ("convtranspose", "convtranspose2d", "conv_transpose", "deconv"),
    "uncounted": ("uncounted",),
}
_MODULE_OF = {name: module for module, names in MODULES.items() for name in names}

L = TypeVar("L", bound=type[Layer])


def register(name: str, *aliases: str) -> Callable[[L], L]:
    """Register a layer kind under `name` (and `aliases`), as timm's register_model does."""

    def decorate(cls: L) -> L:
        for key in (name, *aliases):
            if key in REGISTRY or key in ALIASES:
                raise ValueError(f"layer type {key!r} registered twice")
        if not cls.__doc__ or getattr(cls, "FLOPS", None) is None:
            raise ValueError(f"layer type {name!r} needs a docstring and a FLOP rule (FLOPS)")
        cls.KIND = name
        REGISTRY[name] = cls
        for alias in aliases:
            ALIASES[alias] = name
        return cls

    return decorate


def canonical(name: str) -> str | None:
    """The registered name for a type or alias, or None (its module imported on first use)."""
    if name in REGISTRY:
        return name
    if name not in ALIASES and name in _MODULE_OF:
        importlib.import_module(f"cnncalc.layers.{_MODULE_OF[name]}")
        if name in REGISTRY:
            return name
    return ALIASES.get(name)


def everything() -> dict[str, type[Layer]]:
    """The whole registry: every kind's module imported."""
    for module in MODULES:
        importlib.import_module(f"cnncalc.layers.{module}")
    return REGISTRY


def lookup(name: str) -> type[Layer] | None:
    key = canonical(name)
    return REGISTRY[key] if key else None


def all_names() -> list[str]:
    everything()
    return sorted([*REGISTRY, *ALIASES])


def unknown(name: str, also: Iterable[str] = (), what: str = "see the README for the layer types") -> CnnCalcError:
    """The error for a layer type that is not registered: the closest names, and what to do."""
    known = [*all_names(), *also]
    return CnnCalcError(f"unknown layer type {name!r}{did_you_mean(name, known)}; {what}")


def require(name: str) -> type[Layer]:
    """The kind registered as `name` (or an alias); an unknown name is an error with a "did you mean"."""
    cls = lookup(name)
    if cls is None:
        raise unknown(name)
    return cls


__all__ = ["ALIASES", "MODULES", "REGISTRY", "all_names", "canonical", "everything", "lookup", "register", "require",
           "unknown"]

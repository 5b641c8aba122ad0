"""Layer kinds: each registered by name in `registry`, one module per family.

Adding a layer kind means adding one module to this package (a frozen dataclass
decorated with `@register`, see `base.Layer`), importing it below, and one test
module; nothing else in cnncalc changes.

>>> lookup("fc") is lookup("linear")
True
"""

from __future__ import annotations

from cnncalc.layers import (  # importing the kind modules fills the registry
    act,
    adaptive,
    channels,
    classic,
    conv,
    linear,
    merge,
    misc,
    norm,
    pool,
    transposed,
    uncounted,
)
from cnncalc.layers.base import Layer
from cnncalc.layers.registry import ALIASES, REGISTRY, all_names, canonical, lookup, register, require, unknown

__all__ = [
    "ALIASES",
    "REGISTRY",
    "Layer",
    "act",
    "adaptive",
    "all_names",
    "canonical",
    "channels",
    "classic",
    "conv",
    "linear",
    "lookup",
    "merge",
    "misc",
    "norm",
    "pool",
    "register",
    "require",
    "transposed",
    "uncounted",
    "unknown",
]

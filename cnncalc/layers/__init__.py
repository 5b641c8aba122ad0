"""Layer kinds: each registered by name in `registry`, one module per family.

Adding a layer kind means adding one module to this package (a frozen dataclass
decorated with `@register`, see `base.Layer`), its names in `registry.MODULES`,
and one test module; nothing else in cnncalc changes. A kind's module is imported
when its name is first looked up; `REGISTRY` and `ALIASES`, asked for here, are
the whole registry (every kind imported).

>>> lookup("fc") is lookup("linear")
True
"""

from __future__ import annotations

from typing import Any

from cnncalc.layers import registry
from cnncalc.layers.base import Layer
from cnncalc.layers.registry import all_names, canonical, everything, lookup, register, require, unknown


def __getattr__(name: str) -> Any:
    if name in ("REGISTRY", "ALIASES"):
        everything()
        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [  # REGISTRY and ALIASES come from __getattr__
    "ALIASES",
    "REGISTRY",
    "Layer",
    "all_names",
    "canonical",
    "everything",
    "lookup",
    "register",
    "require",
    "unknown",
]

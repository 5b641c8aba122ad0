"""Layer kinds: each registered by name in `registry`, one module per family.

Adding a layer kind means adding one module to this package (a frozen dataclass
decorated with `@register`, see `base.Layer`), its names in `registry.MODULES`,
and one test module; nothing else in cnncalc changes. A kind's module is imported
when its name is first looked up, and this package imports nothing until one of its
names is asked for (a command that only needs `text` does not pay for the rest);
`REGISTRY` and `ALIASES`, asked for here, are the whole registry (every kind imported).

>>> from cnncalc.layers import lookup
>>> lookup("fc") is lookup("linear")
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cnncalc.layers.base import Layer
    from cnncalc.layers.registry import (
        ALIASES,
        REGISTRY,
        all_names,
        canonical,
        everything,
        lookup,
        register,
        require,
        unknown,
    )

_FROM_REGISTRY = ("all_names", "canonical", "everything", "lookup", "register", "require", "unknown")


def __getattr__(name: str) -> Any:
    if name in ("REGISTRY", "ALIASES"):
        registry = importlib.import_module("cnncalc.layers.registry")
        registry.everything()
        value = getattr(registry, name)
    elif name in _FROM_REGISTRY:
        value = getattr(importlib.import_module("cnncalc.layers.registry"), name)
    elif name == "Layer":
        value = importlib.import_module("cnncalc.layers.base").Layer
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # a submodule: `from` imports it
    globals()[name] = value  # found once: later look-ups are plain attributes
    return value


__all__ = ["ALIASES", "REGISTRY", "Layer", "all_names", "canonical", "everything", "lookup", "register", "require",
           "unknown"]

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

def __getattr__(name: str) -> Any:
    """The names of `__all__`, imported on first use: `Layer` from `base`, the rest from `registry` (whose
    `REGISTRY` and `ALIASES`, asked for here, are whole: every kind's module imported)."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # a submodule: `from` imports it
    module = importlib.import_module("cnncalc.layers.base" if name == "Layer" else "cnncalc.layers.registry")
    if name in ("REGISTRY", "ALIASES"):
        module.everything()
    value = getattr(module, name)
    globals()[name] = value  # found once: later look-ups are plain attributes
    return value


__all__ = ["ALIASES", "REGISTRY", "Layer", "all_names", "canonical", "everything", "lookup", "register", "require",
           "unknown"]

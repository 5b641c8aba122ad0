"""The layer registry: every layer kind, registered by name with `@register`.

Adding a layer type means adding one class in a module of this package and
decorating it; nothing else in cnncalc changes.

>>> lookup("fc") is lookup("linear")
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from cnncalc.layers.base import Layer

REGISTRY: dict[str, type[Layer]] = {}
ALIASES: dict[str, str] = {}

L = TypeVar("L", bound=type[Layer])


def register(name: str, *aliases: str) -> Callable[[L], L]:
    """Register a layer class under `name` (and `aliases`), as timm's register_model does."""

    def decorate(cls: L) -> L:
        for key in (name, *aliases):
            if key in REGISTRY or key in ALIASES:
                raise ValueError(f"layer type {key!r} registered twice")
        cls.KIND = name
        REGISTRY[name] = cls
        for alias in aliases:
            ALIASES[alias] = name
        return cls

    return decorate


def canonical(name: str) -> str | None:
    """The registered name for a type or alias, or None."""
    if name in REGISTRY:
        return name
    return ALIASES.get(name)


def lookup(name: str) -> type[Layer] | None:
    key = canonical(name)
    return REGISTRY[key] if key else None


def all_names() -> list[str]:
    return sorted([*REGISTRY, *ALIASES])


# The modules below fill the registry at import time.
from cnncalc.layers import (  # noqa: E402
    act,
    adaptive,
    conv,
    linear,
    merge,
    misc,
    norm,
    pool,
    transposed,
)

__all__ = [
    "ALIASES",
    "REGISTRY",
    "Layer",
    "act",
    "adaptive",
    "all_names",
    "canonical",
    "conv",
    "linear",
    "lookup",
    "merge",
    "misc",
    "norm",
    "pool",
    "register",
    "transposed",
]

"""The layer registry, filled by `@register` as each kind's module is imported (timm's pattern).

>>> from cnncalc import layers
>>> lookup("fc") is lookup("linear")
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from cnncalc.errors import CnnCalcError
from cnncalc.layers.base import Layer, did_you_mean

REGISTRY: dict[str, type[Layer]] = {}
ALIASES: dict[str, str] = {}

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
    """The registered name for a type or alias, or None."""
    if name in REGISTRY:
        return name
    return ALIASES.get(name)


def lookup(name: str) -> type[Layer] | None:
    key = canonical(name)
    return REGISTRY[key] if key else None


def all_names() -> list[str]:
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


__all__ = ["ALIASES", "REGISTRY", "all_names", "canonical", "lookup", "register", "require", "unknown"]

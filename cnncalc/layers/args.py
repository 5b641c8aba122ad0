"""Argument declarations and the converters that validate YAML values.

A converter takes the value as written (after expressions are evaluated) and
returns the typed value, or raises `LayerError` saying what was expected and
what was received. Per-dimension values (kernel, stride ...) stay as written,
an int or a tuple, until the input's rank is known: see `per_dim`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cnncalc.errors import LayerError

Converter = Callable[[Any], Any]
IntOrTuple = int | tuple[int, ...]
# padding as written: an int, one int per dimension, (before, after) per dimension, or a word
Padding = int | str | tuple[int, ...] | tuple[tuple[int, int], ...]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Arg:
    """One argument of a layer type: its name, converter, default and meaning."""

    name: str
    convert: Converter
    default: Any = REQUIRED
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


MAX_INT = 2**40  # no size, stride or count of a sensible layer is larger (and torch's int64 holds it)


def integer(minimum: int | None = None) -> Converter:
    """An integer, at least `minimum` when given."""

    def convert(value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not _is_int(value):
            raise LayerError(f"expected an integer, received {_show(value)}")
        if minimum is not None and value < minimum:
            raise LayerError(f"expected an integer >= {minimum}, received {value}")
        if abs(value) > MAX_INT:
            raise LayerError(f"expected an integer of at most {MAX_INT:,} (2**40), received {value:,}")
        return int(value)

    return convert


positive_int = integer(1)
nonneg_int = integer(0)


def int_or_tuple(minimum: int = 1) -> Converter:
    """An integer for every dimension, or a list with one integer per dimension."""
    one = integer(minimum)

    def convert(value: Any) -> IntOrTuple:
        if isinstance(value, list | tuple):
            if not value:
                raise LayerError("expected an integer or a non-empty list of integers, received []")
            return tuple(one(v) for v in value)
        return one(value)  # type: ignore[no-any-return]

    return convert


def number(minimum: float | None = None, maximum: float | None = None) -> Converter:
    """A real number within the given bounds."""

    def convert(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise LayerError(f"expected a number, received {_show(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise LayerError(f"expected a finite number, received {value}; write a number such as 0.01")
        if minimum is not None and value < minimum:
            raise LayerError(f"expected a number >= {minimum}, received {value}")
        if maximum is not None and value > maximum:
            raise LayerError(f"expected a number <= {maximum}, received {value}")
        return float(value)

    return convert


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise LayerError(f"expected true or false, received {_show(value)}")
    return value


def choice(*options: str) -> Converter:
    def convert(value: Any) -> str:
        if value not in options:
            raise LayerError(f"expected one of {', '.join(options)}; received {_show(value)}")
        return str(value)

    return convert


def int_list(minimum: int = 1) -> Converter:
    """A non-empty list of integers (or one integer, as a list of one)."""
    one = integer(minimum)

    def convert(value: Any) -> tuple[int, ...]:
        items = value if isinstance(value, list | tuple) else [value]
        if not items:
            raise LayerError("expected a non-empty list of integers, received []")
        return tuple(one(v) for v in items)

    return convert


def optional(convert: Converter) -> Converter:
    """`convert`, or None when the value is null."""

    def wrapped(value: Any) -> Any:
        return None if value is None else convert(value)

    return wrapped


def padding(value: Any) -> Padding:
    """Padding: an int, one int per dimension, [before, after] pairs per dimension, 'same' or 'valid'."""
    if isinstance(value, str):
        if value not in ("same", "valid"):
            raise LayerError(f"expected an integer, a list, 'same' or 'valid'; received {value!r}")
        return value
    if isinstance(value, list | tuple):
        if not value:
            raise LayerError("expected an integer or a non-empty list, received []")
        if all(isinstance(v, list | tuple) for v in value):
            pairs = []
            for pair in value:
                if len(pair) != 2:
                    raise LayerError(f"expected [before, after] pairs, received {list(pair)}")
                pairs.append((nonneg_int(pair[0]), nonneg_int(pair[1])))
            return tuple(pairs)
        return tuple(nonneg_int(v) for v in value)
    return nonneg_int(value)  # type: ignore[no-any-return]


def per_dim(value: IntOrTuple, rank: int, name: str) -> tuple[int, ...]:
    """Expand an int-or-tuple argument to one value per spatial dimension.

    >>> per_dim(3, 2, "kernel"), per_dim((3, 1), 2, "kernel")
    ((3, 3), (3, 1))
    """
    if isinstance(value, int):
        return (value,) * rank
    if len(value) == 1:
        return value * rank
    if len(value) != rank:
        raise LayerError(
            f"{name} has {len(value)} values but the input has {rank} spatial dimension"
            f"{'s' if rank != 1 else ''}; give one value or {rank}",
            arg=name,
        )
    return value


def pad_pairs(value: Padding, rank: int) -> tuple[tuple[int, int], ...] | str:
    """Padding as (before, after) per dimension, or the word 'same'/'valid' left for the layer."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        pairs: Sequence[tuple[int, int]] = value  # type: ignore[assignment]
        if len(pairs) == 1:
            pairs = tuple(pairs) * rank
        if len(pairs) != rank:
            raise LayerError(
                f"padding has {len(pairs)} pairs but the input has {rank} spatial dimensions", arg="padding"
            )
        return tuple(pairs)
    return tuple((p, p) for p in per_dim(value, rank, "padding"))  # type: ignore[arg-type]

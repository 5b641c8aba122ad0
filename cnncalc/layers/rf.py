"""Receptive fields as a value object: size, jump and start per spatial axis, and how far to trust them.

Per spatial dimension the field of a unit is described by

- ``size``  r: how many input pixels it sees,
- ``jump``  j: the distance in input pixels between adjacent units (product of strides),
- ``start`` s: the centre of the first unit's field, in input pixel coordinates.

The recurrences that grow a field through a layer are in `recurrence`; this module
holds the value they produce. How far a field can be trusted is `RF.status`, set by
those recurrences alone: ``exact`` (every unit sees exactly `size`), ``bound``
(`size` is the largest over units, and stays a sound upper bound through later
windows: after a transposed convolution, whose uneven spacing is carried in
`slack`), ``loose`` (the largest over units, after adaptive bins of unequal width:
a later window that widens the field makes it approximate) and ``approximate`` (an
estimate: a window after a loose field, or branches with different jumps merged).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnncalc.layers.formula import Number, exact
from cnncalc.layers.steps import Value, Worked

STATUSES = ("exact", "bound", "loose", "approximate")


@dataclass(frozen=True)
class RF:
    """The receptive field of one layer's units; ``whole`` when they see the entire input."""

    size: tuple[Number, ...]
    jump: tuple[Number, ...]
    start: tuple[Number, ...]
    whole: bool = False
    # After a transposed convolution the units are unevenly spaced: `jump` is their average
    # spacing, and a window over them can reach up to `slack` further (per axis) than the
    # average says. The next widening window adds it, so `size` stays an upper bound.
    slack: tuple[Number, ...] = ()
    status: str = "exact"

    @classmethod
    def of_input(cls, rank: int) -> RF:
        """The field of an input pixel: itself."""
        return cls((1,) * rank, (1,) * rank, (0,) * rank)

    @classmethod
    def whole_input(cls) -> RF:
        """Units that see every input pixel (after global pooling, flatten, linear)."""
        return cls((), (), (), whole=True)

    @property
    def rank(self) -> int:
        return len(self.size)

    def size_ints(self) -> tuple[int, ...]:
        """Sizes rounded up to whole pixels (exact except after transposed convolutions)."""
        return tuple(math.ceil(v) for v in self.size)

    def jump_ints(self) -> tuple[int | float, ...]:
        return tuple(_plain(v) for v in self.jump)

    def as_dict(self) -> dict[str, object]:
        """The JSON form: lists per spatial dimension, or nulls with ``global`` true."""
        if self.whole:
            return {"size": None, "jump": None, "start": None, "global": True}
        return {"size": list(self.size_ints()), "jump": [_plain(v) for v in self.jump],
                "start": [float(v) for v in self.start], "global": False}


@dataclass(frozen=True)
class Field:
    """A layer's receptive field and the worked lines that computed it."""

    rf: RF
    worked: tuple[Worked, ...]


def _plain(value: Number) -> int | float:
    value = exact(value)
    return value if isinstance(value, int) else float(value)


def field_value(rf: RF) -> Value:
    """The RF size as an answer: one int when every axis agrees, a tuple otherwise, 'global' when whole."""
    if rf.whole:
        return "global"
    sizes = rf.size_ints()
    return sizes[0] if len(set(sizes)) == 1 else sizes


def jump_value(rf: RF) -> Value:
    if rf.whole:
        return "global"
    jumps = rf.jump_ints()
    return jumps[0] if len(set(jumps)) == 1 else jumps


__all__ = ["RF", "STATUSES", "Field", "field_value", "jump_value"]

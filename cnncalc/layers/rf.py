"""Receptive fields as a small value object with named recurrences.

Per spatial dimension the field of a unit is described by

- ``size``  r: how many input pixels it sees,
- ``jump``  j: the distance in input pixels between adjacent units (product of strides),
- ``start`` s: the centre of the first unit's field, in input pixel coordinates.

A layer with kernel k, dilation d, stride t and leading padding p maps
(r, j, s) to, with ``k_eff = d·(k−1)+1``::

    j' = j·t
    r' = r + (k_eff − 1)·j
    s' = s + ((k_eff − 1)/2 − p)·j

(the recurrence of Araujo et al., "Computing receptive fields of convolutional
neural networks", Distill 2019, as in google-research's receptive_field).
Values are exact: integers for sizes and jumps, halves (floats, exact in binary)
for starts, and fractions once a transposed convolution divides the jump.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

Num = int | float | Fraction


def _exact(value: Num) -> Num:
    """An integral value as an int; anything else unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


def _half(numerator: int, like: Num) -> Num:
    """numerator / 2, as a Fraction when `like` is one (float arithmetic would lose exactness)."""
    return Fraction(numerator, 2) if isinstance(like, Fraction) else numerator / 2


@dataclass(frozen=True)
class RF:
    """The receptive field of one layer's units; ``whole`` when they see the entire input."""

    size: tuple[Num, ...]
    jump: tuple[Num, ...]
    start: tuple[Num, ...]
    whole: bool = False
    # After a transposed convolution the units are unevenly spaced: `jump` is their average
    # spacing, and a window over them can reach up to `slack` further (per axis) than the
    # average says. The next widening window adds it, so `size` stays an upper bound.
    slack: tuple[Num, ...] = ()
    bound: bool = False  # `size` is the largest field over positions, not every unit's

    @classmethod
    def of_input(cls, rank: int) -> RF:
        """The field of an input pixel: itself."""
        return cls((1,) * rank, (1,) * rank, (0.0,) * rank)

    @classmethod
    def whole_input(cls) -> RF:
        """Units that see every input pixel (after global pooling, flatten, linear)."""
        return cls((), (), (), whole=True)

    @property
    def rank(self) -> int:
        return len(self.size)

    def through(
        self,
        kernel: Sequence[int],
        stride: Sequence[int],
        padding: Sequence[int],
        dilation: Sequence[int] | None = None,
    ) -> RF:
        """The field after a sliding window (convolution or pooling).

        >>> rf = RF.of_input(2).through((3, 3), (1, 1), (1, 1)).through((3, 3), (1, 1), (1, 1))
        >>> rf.size_ints(), rf.jump_ints()
        ((5, 5), (1, 1))
        """
        if self.whole:
            return self
        dilation = dilation or (1,) * len(kernel)
        size: list[Num] = []
        jump: list[Num] = []
        start: list[Num] = []
        slack = list(self.slack)
        for axis, (r, j, s, k, t, p, d) in enumerate(zip(
            self.size, self.jump, self.start, kernel, stride, padding, dilation, strict=True
        )):
            span = d * (k - 1)  # k_eff - 1
            size.append(r + span * j)
            if slack and span:
                size[-1] = _exact(size[-1] + slack[axis])
                slack[axis] = 0
            start.append(s + (_half(span, j) - p) * j)
            jump.append(j * t)
        return RF(tuple(size), tuple(jump), tuple(start), slack=tuple(slack) if any(slack) else (),
                  bound=self.bound)

    def through_transposed(
        self,
        kernel: Sequence[int],
        stride: Sequence[int],
        padding: Sequence[int],
        dilation: Sequence[int] | None = None,
    ) -> RF:
        """The field after a transposed convolution (the largest over output positions).

        An output unit is fed by at most ``ceil(k_eff / t)`` input units, spaced by one
        input jump, so the field grows by ``(ceil(k_eff/t) − 1)·j`` and the jump shrinks
        to ``j / t``. The first output unit is fed by the inputs i with
        ``i·t − p ≤ 0 ≤ i·t − p + k_eff − 1``; its centre is theirs.
        """
        if self.whole:
            return self
        dilation = dilation or (1,) * len(kernel)
        size: list[Num] = []
        jump: list[Num] = []
        start: list[Num] = []
        for r, j, s, k, t, p, d in zip(
            self.size, self.jump, self.start, kernel, stride, padding, dilation, strict=True
        ):
            k_eff = d * (k - 1) + 1
            size.append(r + (math.ceil(k_eff / t) - 1) * j)
            lo, hi = max(0, -((k_eff - 1 - p) // t)), p // t
            if hi < lo:  # no input reaches the first output (padding larger than the kernel)
                lo = hi = max(lo, hi)
            start.append(_exact(Fraction(s) + Fraction(lo + hi, 2) * Fraction(j)))
            jump.append(_exact(Fraction(j) / t))
        # consecutive outputs map to inputs floor(o/t) apart on average: one jump of rounding
        slack = tuple(_exact((self.slack[a] if self.slack else 0) + self.jump[a] - jump[a])
                      for a in range(self.rank))
        return RF(tuple(size), tuple(jump), tuple(start), slack=slack if any(slack) else (), bound=True)

    @staticmethod
    def union(fields: Sequence[RF]) -> RF:
        """The field of a merge: the union of its inputs' fields.

        Branches are expected to agree on the jump (as google-research's
        receptive_field checks); where they do not, the coarser jump is kept.
        """
        if any(f.whole for f in fields):
            return RF.whole_input()
        first = fields[0]
        if len(fields) == 1:
            return first
        size: list[Num] = []
        jump: list[Num] = []
        start: list[Num] = []
        for axis in range(first.rank):
            lo = min(f.start[axis] - Fraction(f.size[axis] - 1) / 2 for f in fields)
            hi = max(f.start[axis] + Fraction(f.size[axis] - 1) / 2 for f in fields)
            size.append(_exact(hi - lo + 1))
            start.append(_exact((lo + hi) / 2))
            jump.append(max(f.jump[axis] for f in fields))
        slack = tuple(max((f.slack[a] if f.slack else 0) for f in fields) for a in range(first.rank))
        return RF(tuple(size), tuple(jump), tuple(start), slack=slack if any(slack) else (),
                  bound=any(f.bound for f in fields))

    def size_ints(self) -> tuple[int, ...]:
        """Sizes rounded up to whole pixels (exact except after transposed convolutions)."""
        return tuple(math.ceil(v) for v in self.size)

    def jump_ints(self) -> tuple[int | float, ...]:
        return tuple(_num(v) for v in self.jump)

    def as_dict(self) -> dict[str, object]:
        """The JSON form: lists per spatial dimension, or nulls with ``global`` true."""
        if self.whole:
            return {"size": None, "jump": None, "start": None, "global": True}
        return {
            "size": list(self.size_ints()),
            "jump": [_num(v) for v in self.jump],
            "start": [float(v) for v in self.start],
            "global": False,
        }


def _num(value: Num) -> int | float:
    value = _exact(value)
    return value if isinstance(value, int) else float(value)

"""Worked answers: the lines a student would write, each rendered from a layer's own formula.

A `Worked` line is kept by a bound layer as data — the quantity it computes, its
label (``H_out = W_out``, ``params``), the `Formula` whose value is the layer's
number, and a remark (`Msg`). `Worked.step` renders it to a `Step`, the plain
text ``H_out = W_out = ⌊(32 + 2·2 − 5) / 1⌋ + 1 = 32`` with its value and note,
which `layer`, `explain` and `check` print and serialise. A line whose value is
not arithmetic (a shape copied through, ``global``) carries the value itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from cnncalc.layers.formula import Formula, exact, exact_text
from cnncalc.layers.text import ENGLISH, Language, Msg, render

Value = int | float | str | bool | tuple[int | float, ...]

# The quantity a step supports, as the answer keys of `cnncalc check` name them.
QUANTITIES = ("output_shape", "params", "buffers", "macs", "flops", "other_flops", "rf", "jump", "start")
AXES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


@dataclass(frozen=True)
class Step:
    """One rendered line: the `quantity`, the text ending in ``= value``, the value, a remark."""

    quantity: str
    formula: str
    value: Value
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"quantity": self.quantity, "formula": self.formula, "value": value, "note": self.note}


@dataclass(frozen=True)
class Worked:
    """One line of the working, as data: rendered by `step` when it is shown.

    With a `formula`, the line reads ``label [= symbolic] = text = value``; the value
    is the formula's. `symbolic` is True for the formula's own names (``r + (k − 1)·j``)
    or a string written where the tree has no names for it (``C·Σ nʳ``). Without a
    formula, `value` is given and `shown` is what follows ``label =``.
    """

    quantity: str
    label: str
    formula: Formula | None = None
    note: Msg | str = ""
    symbolic: bool | str = False
    value: Value | None = None
    shown: Msg | str = ""

    def step(self, language: Language = ENGLISH) -> Step:
        note = render(self.note, language)
        if self.formula is None:
            assert self.value is not None
            shown = render(self.shown, language) or _plain(self.value)
            return Step(self.quantity, f"{self.label} = {shown}", self.value, note)
        f = self.formula
        parts = [self.label]
        symbol = f.symbol() if self.symbolic is True else self.symbolic or ""
        text = f.text()
        if symbol and symbol != text:
            parts.append(symbol)
        if not f.is_leaf:
            parts.append(text)
        parts.append(exact_text(f.value))
        return Step(self.quantity, " = ".join(parts), answer(f.value), note)


def answer(value: int | Fraction) -> int | float:
    """An exact value as an answer compares it: an int, or a float for a fraction."""
    value = exact(value)
    return value if isinstance(value, int) else float(value)


def _plain(value: Value) -> str:
    return "×".join(map(str, value)) if isinstance(value, tuple) else str(value)


def axis_groups(rank: int, keys: Sequence[Any]) -> list[tuple[int, ...]]:
    """Axes with identical inputs to a formula, grouped so that one line serves them (H = W).

    >>> axis_groups(2, [(7, 3), (7, 3)]), axis_groups(2, [(7, 3), (8, 3)])
    ([(0, 1)], [(0,), (1,)])
    """
    groups: dict[Any, list[int]] = {}
    for axis, key in enumerate(keys[:rank]):
        groups.setdefault(key, []).append(axis)
    return [tuple(g) for g in groups.values()]


def axis_names(rank: int, axes: Sequence[int]) -> tuple[str, ...]:
    return tuple(AXES[rank][a] for a in axes)


def render_steps(worked: Sequence[Worked], language: Language = ENGLISH) -> list[Step]:
    return [w.step(language) for w in worked]


__all__ = ["AXES", "QUANTITIES", "Step", "Value", "Worked", "axis_groups", "render_steps"]

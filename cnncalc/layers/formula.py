"""Formulas that compute a number and explain it: one small tree, its value and its text.

Every number a layer reports is the `value` of a `Formula` built by the layer's
rule, and the worked answer shows the same tree's `text()` with the numbers
substituted (``⌊(32 + 2·2 − 5) / 1⌋ + 1``) or its `symbol()` with the names of
the leaves (``r + (k − 1)·j``). There is no second place where the arithmetic is
written, so a number and its explanation cannot drift apart.

Values are exact: ints, and Fractions where a division does not come out even
(receptive-field jumps after a transposed convolution). Text is built only when
asked for, so the analysis pays for the values alone.

>>> f = Sum(Floor(Div(Sub(Sum(Num(32), Mul(Num(2), Num(2))), Num(5)), Num(1), spaced=True)), Num(1))
>>> f.value, f.text()
(32, '⌊(32 + 2·2 − 5) / 1⌋ + 1')
>>> g = Sum(Num(1, "r"), Mul(Sub(Num(5, "k"), Num(1)), Num(1, "j")))
>>> g.symbol(), g.text(), g.value
('r + (k − 1)·j', '1 + (5 − 1)·1', 5)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from cnncalc.layers.numbers import Number, exact, exact_text, num

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

# precedence: how tightly an operator binds; a child binding less tightly than its parent gets parentheses
SUM, PRODUCT, POWER, ATOM = 1, 2, 3, 4


class Formula:
    """A node of a formula tree: its exact `value`, its `text()` and its `symbol()`."""

    __slots__ = ("value",)
    PRECEDENCE = ATOM
    value: Number

    def text(self) -> str:
        """The formula with numbers substituted: ``5·5·3·10 + 10``."""
        return self._render(False)

    def symbol(self) -> str:
        """The formula with named leaves written by name: ``k·k·C_in·out + out``."""
        return self._render(True)

    def _render(self, names: bool) -> str:
        raise NotImplementedError

    @property
    def is_leaf(self) -> bool:
        return False

    def __format__(self, spec: str) -> str:
        return self.text()

    @property
    def shown(self) -> str:
        """The value as the tables write it (``768,000``), for messages: ``{f.shown}``."""
        return num(self.value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text()!r} = {self.value})"


class Num(Formula):
    """A leaf: a number, optionally with the name the notes give it (``k``, ``C_in``, ``r``).

    `grouped` writes thousands separators (``768,000``), as for counts brought in
    from another formula; sizes and channels are written plainly (``25088``).
    """

    __slots__ = ("grouped", "name")

    def __init__(self, value: Number | float, name: str = "", *, grouped: bool = False) -> None:
        self.value = exact(value)
        self.name = name
        self.grouped = grouped

    @property
    def PRECEDENCE(self) -> int:  # type: ignore[override]  # a fraction or a negative number binds like a product
        return PRODUCT if isinstance(self.value, Fraction) or self.value < 0 else ATOM

    @property
    def is_leaf(self) -> bool:
        return True

    def _render(self, names: bool) -> str:
        if names and self.name:
            return self.name
        value = self.value
        if isinstance(value, Fraction):
            return exact_text(value)
        text = f"{value:,}" if self.grouped else str(value)
        return text.replace("-", "−")


def _wrap(child: Formula, names: bool, tighter_than: int, *, strict: bool = False) -> str:
    """The child's text, in parentheses when it binds less tightly than `tighter_than`
    (or equally, with `strict`, for the right operand of − and /)."""
    text = child._render(names)
    precedence = child.PRECEDENCE
    if precedence < tighter_than or (strict and precedence == tighter_than):
        return f"({text})"
    if isinstance(child, Num) and child.value < 0 and not names:
        return f"({text})"
    return text


def _as_formula(value: Formula | Number) -> Formula:
    return value if isinstance(value, Formula) else Num(value)


class Sum(Formula):
    """``a + b + …``."""

    __slots__ = ("terms",)
    PRECEDENCE = SUM

    def __init__(self, *terms: Formula | Number) -> None:
        formulas = []
        value: Number = 0
        for t in terms:  # one loop, no generator: a network makes thousands of these
            f = t if isinstance(t, Formula) else Num(t)
            formulas.append(f)
            value += f.value
        self.terms = tuple(formulas)
        self.value = exact(value)

    def _render(self, names: bool) -> str:
        return " + ".join(_wrap(t, names, SUM) for t in self.terms)


class Sub(Formula):
    """``a − b``."""

    __slots__ = ("left", "right")
    PRECEDENCE = SUM

    def __init__(self, left: Formula | Number, right: Formula | Number) -> None:
        self.left, self.right = _as_formula(left), _as_formula(right)
        self.value = exact(self.left.value - self.right.value)

    def _render(self, names: bool) -> str:
        return f"{_wrap(self.left, names, SUM)} − {_wrap(self.right, names, SUM, strict=True)}"


class Mul(Formula):
    """``a·b·…``; a quotient among the factors is written in parentheses: ``5·5·(96/2)·256``."""

    __slots__ = ("factors",)
    PRECEDENCE = PRODUCT

    def __init__(self, *factors: Formula | Number) -> None:
        formulas = []
        value: Number = 1
        for factor in factors:
            f = factor if isinstance(factor, Formula) else Num(factor)
            formulas.append(f)
            value = value * f.value
        self.factors = tuple(formulas)
        self.value = exact(value)

    def _render(self, names: bool) -> str:
        parts = []
        for f in self.factors:
            text = _wrap(f, names, PRODUCT)
            if isinstance(f, Div) or (isinstance(f, Num) and isinstance(f.value, Fraction) and not names):
                text = f"({text})"
            parts.append(text)
        return "·".join(parts)


class Div(Formula):
    """``a / b``, exact (a Fraction when it does not come out even).

    Written ``(7 − 3) / 3`` with `spaced` (a size formula), ``96/2`` otherwise.
    """

    __slots__ = ("left", "right", "spaced")
    PRECEDENCE = PRODUCT

    def __init__(self, left: Formula | Number, right: Formula | Number, *, spaced: bool = False) -> None:
        self.left, self.right = _as_formula(left), _as_formula(right)
        self.spaced = spaced
        a, b = self.left.value, self.right.value
        if type(a) is int and type(b) is int:  # whole numbers: a Fraction only when it does not come out even
            whole, rest = divmod(a, b)
            self.value = whole if rest == 0 else Fraction(a, b)
        else:
            self.value = exact(Fraction(a) / Fraction(b))

    def _render(self, names: bool) -> str:
        bar = " / " if self.spaced else "/"
        return f"{_wrap(self.left, names, PRODUCT)}{bar}{_wrap(self.right, names, PRODUCT, strict=True)}"


class Floor(Formula):
    """``⌊x⌋``."""

    __slots__ = ("inner",)

    def __init__(self, inner: Formula) -> None:
        self.inner = inner
        self.value = math.floor(inner.value)

    def _render(self, names: bool) -> str:
        return f"⌊{self.inner._render(names)}⌋"


class Ceil(Formula):
    """``⌈x⌉``."""

    __slots__ = ("inner",)

    def __init__(self, inner: Formula) -> None:
        self.inner = inner
        self.value = math.ceil(inner.value)

    def _render(self, names: bool) -> str:
        return f"⌈{self.inner._render(names)}⌉"


class Pow(Formula):
    """``bⁿ`` for a small whole exponent."""

    __slots__ = ("base", "exponent")
    PRECEDENCE = POWER

    def __init__(self, base: Formula | Number, exponent: int) -> None:
        self.base = _as_formula(base)
        self.exponent = exponent
        self.value = exact(self.base.value**exponent)

    def _render(self, names: bool) -> str:
        return _wrap(self.base, names, ATOM) + str(self.exponent).translate(_SUPERSCRIPT)


class Extremum(Formula):
    """``max(a, b, …)`` or ``min(a, b, …)``."""

    __slots__ = ("args", "largest")

    def __init__(self, largest: bool, args: Sequence[Formula | Number]) -> None:
        self.args = tuple(_as_formula(a) for a in args)
        self.largest = largest
        values = [a.value for a in self.args]
        self.value = exact(max(values) if largest else min(values))

    def _render(self, names: bool) -> str:
        return ("max(" if self.largest else "min(") + ", ".join(a._render(names) for a in self.args) + ")"


def Max(*args: Formula | Number) -> Formula:
    return Extremum(True, args)


def Min(*args: Formula | Number) -> Formula:
    return Extremum(False, args)


class Group(Formula):
    """Explicit parentheses around a part the worked answer keeps apart: ``(10·32·32)·(5·5·3)``."""

    __slots__ = ("inner",)

    def __init__(self, inner: Formula | Number) -> None:
        self.inner = _as_formula(inner)
        self.value = self.inner.value

    def _render(self, names: bool) -> str:
        return f"({self.inner._render(names)})"


class Ref(Formula):
    """Another formula's value, written as one number: ``2·768,000 + 10,240`` where 768,000 is the MACs."""

    __slots__ = ("formula", "name")

    def __init__(self, formula: Formula, name: str = "") -> None:
        self.formula = formula
        self.name = name
        self.value = formula.value

    @property
    def PRECEDENCE(self) -> int:  # type: ignore[override]
        return PRODUCT if isinstance(self.value, Fraction) or self.value < 0 else ATOM

    @property
    def is_leaf(self) -> bool:
        return True

    def _render(self, names: bool) -> str:
        if names and self.name:
            return self.name
        return exact_text(self.value) if isinstance(self.value, Fraction) else num(self.value).replace("-", "−")


def product(values: Sequence[int], name: str = "") -> Formula:
    """The product of sizes as a formula (``10·32·32``); one value is a plain leaf."""
    if len(values) == 1:
        return Num(values[0], name)
    return Mul(*(Num(v) for v in values))


def total(terms: Sequence[Formula]) -> Formula:
    """A sum of terms, or the one term, or 0."""
    if not terms:
        return Num(0)
    return terms[0] if len(terms) == 1 else Sum(*terms)


__all__ = [
    "Ceil", "Div", "Floor", "Formula", "Group", "Max", "Min", "Mul", "Num", "Number", "Pow", "Ref", "Sub", "Sum",
    "exact", "exact_text", "num", "product", "total",
]

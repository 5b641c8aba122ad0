"""Answers as students write them: parsing, tolerances, and comparison with the correct value.

Numbers: ``34944``, ``34,944``, ``34 944``, ``1.2e6``, ``37.75M``, ``2,4M``, ``35 тыс.``
(`cnncalc.homework.typed` reads them); ``~0.72G`` is approximate to the precision
written: right when the correct value, rounded or truncated to the last digit
written, gives it (``~0.72G`` for 724,406,816; the notes' "~102.7M" for
102,764,544, truncated; ``~150000000`` for 150,528,000, trailing zeros not being
significant); ``37.75M ± 1%`` or ``± 0.1M`` gives the tolerance explicitly.
Memory sizes (the ``*_bytes`` quantities) in B, KB/MB/GB or KiB/MiB/GiB.
Shapes: ``55x55x96``, ``96×55×55``, ``55х55х96`` or ``[96, 55, 55]``, channels first or last.
Fields: ``163``, ``163x163`` or ``global``. ``fits``: true or false. ``?``: to be
filled in by ``check --fill`` (a bare ``?`` is quoted before YAML reads the file).
An answer that cannot be read is a `Given` of kind ``unreadable`` with the reason:
one ✗, never a rejected file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from cnncalc.homework.layout import in_layout
from cnncalc.homework.typed import Reading, Unreadable, looks_like_shape, read_number, read_shape
from cnncalc.layers.formula import num
from cnncalc.layers.steps import Value
from cnncalc.layers.text import Msg

SHAPES = ("output_shape", "input_shape")
FLAGS = ("fits",)
FIELDS = ("rf", "jump")
MEMORY = ("param_bytes", "activation_bytes", "buffer_bytes", "peak_activation_bytes")
WHOLE = ("global", "whole", "all", "entire", "всё", "все", "весь вход", "глобальное")
TRUE, FALSE = ("true", "yes", "да"), ("false", "no", "нет")


@dataclass(frozen=True)
class Given:
    """One answer: what was written and what it means."""

    text: str
    kind: str  # number, shape, flag, whole, fill, unreadable
    number: Fraction | None = None
    shape: tuple[int, ...] | None = None
    flag: bool | None = None
    tolerance: Fraction = Fraction(0)  # absolute, from ``±``; 0 is exact
    unit: Fraction | None = None  # with ``~``: one unit of the last digit written
    last_digit: Fraction = Fraction(1)  # one unit of the last digit written, with or without ``~``
    memory_unit: str = ""  # the memory unit written (B, KB, MiB ...), for the feedback
    reason: Msg | None = None  # why an answer is unreadable

    @property
    def fill(self) -> bool:
        return self.kind == "fill"


def parse(value: Any, quantity: str) -> Given:
    """Read an answer for `quantity`; one that cannot be read is of kind 'unreadable', with the reason."""
    text = _shown(value)
    if value is None or text == "":
        return Given("", "unreadable", reason=Msg("no answer written; write one, or ? to leave it to --fill"))
    if isinstance(value, str) and value.strip() == "?":
        return Given("?", "fill")
    try:
        return _parse(value, text, quantity)
    except Unreadable as exc:
        return Given(text, "unreadable", reason=exc.reason)


def _parse(value: Any, text: str, quantity: str) -> Given:
    if quantity in FLAGS:
        word = text.lower()
        if isinstance(value, bool) or word in TRUE + FALSE:
            return Given(text, "flag", flag=value if isinstance(value, bool) else word in TRUE)
        raise Unreadable(Msg("{quantity} is true or false, received {text!r}", quantity=quantity, text=text))
    if isinstance(value, str) and value.strip().lower() in WHOLE and quantity in FIELDS:
        return Given(text, "whole")
    if quantity in SHAPES or (quantity in FIELDS and not _scalar(value)):
        return Given(text, "shape", shape=_shape(value))
    return _number(value, text, quantity)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and hasattr(value, "written"):  # as the student typed it: 3.4e4
        return str(value.written).strip()
    return "" if value is None else str(value).strip()


def _scalar(value: Any) -> bool:
    return isinstance(value, int | float) or (isinstance(value, str) and not looks_like_shape(value))


def _shape(value: Any) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    return read_shape(_shown(value))


def _number(value: Any, text: str, quantity: str) -> Given:
    if isinstance(value, bool):
        raise Unreadable(Msg("{quantity} is a number, received {text}", quantity=quantity, text=text))
    if isinstance(value, int):
        return Given(text, "number", number=Fraction(value))
    if isinstance(value, float) and hasattr(value, "written"):
        value = str(value.written)  # read from its digits, as typed
    elif isinstance(value, float):
        number = Fraction(Decimal(repr(value)))
        return Given(text, "number", number=number, last_digit=read_number(repr(value)).last_digit)
    if not isinstance(value, str):
        raise Unreadable(Msg("cannot read {text!r} as a number", text=text))
    reading: Reading = read_number(text, memory=quantity in MEMORY)
    return Given(text, "number", number=reading.value, tolerance=reading.tolerance, unit=reading.step,
                 last_digit=reading.last_digit, memory_unit=reading.unit)


def approximate(given: Given) -> Given:
    """The same answer read as approximate to its last digit (as if written with ``~``)."""
    if given.kind != "number" or given.unit is not None or given.tolerance:
        return given
    return Given(given.text, "number", number=given.number, unit=given.last_digit, last_digit=given.last_digit,
                 memory_unit=given.memory_unit)


# -- comparison ---------------------------------------------------------------------------------------


def matches(given: Given, expected: Value, layouts: tuple[str, ...] = ("chw", "hwc")) -> bool:
    """Whether `given` is a right answer for the correct value `expected`."""
    if given.kind in ("fill", "unreadable"):
        return False
    if isinstance(expected, bool) or given.kind == "flag":
        return given.kind == "flag" and given.flag == expected
    if expected == "global" or given.kind == "whole":
        return given.kind == "whole" and expected == "global"
    if isinstance(expected, tuple):
        if given.kind == "shape":
            assert given.shape is not None
            return any(given.shape == in_layout(expected, layout) for layout in layouts)
        return given.number is not None and all(_close(given, v) for v in expected)
    if given.kind == "shape":  # a field given per axis for a square one
        assert given.shape is not None
        return all(s == expected for s in given.shape)
    assert not isinstance(expected, str)
    return _close(given, expected)


def _close(given: Given, expected: int | float) -> bool:
    if given.number is None:
        return False
    exact = Fraction(Decimal(repr(expected))) if isinstance(expected, float) else Fraction(expected)
    if given.unit is not None:  # rounded (within half a unit) or truncated towards zero (less than a unit short)
        short = (exact - given.number) * (1 if given.number >= 0 else -1)
        return abs(exact - given.number) * 2 <= given.unit or 0 <= short < given.unit
    return abs(given.number - exact) <= given.tolerance


def written_layout(given: Given, expected: Value) -> str:
    """The layout a given shape seems to be written in: 'hwc' when its last entry is the channel count."""
    if (given.kind == "shape" and given.shape and isinstance(expected, tuple) and len(expected) > 1
            and len(given.shape) == len(expected) and given.shape[0] != expected[0]
            and given.shape[-1] == expected[0]):
        return "hwc"
    return "chw"


def show(expected: Value, layout: str = "chw") -> str:
    """The correct value for a table, shapes in `layout`."""
    if isinstance(expected, bool):
        return str(expected).lower()
    if isinstance(expected, tuple):
        return "×".join(str(v) for v in in_layout(expected, layout))
    if isinstance(expected, str):
        return expected
    return num(expected)


def yaml_text(expected: Value, layout: str = "chw") -> str:
    """The correct value as an answer file writes it (``--fill``)."""
    if isinstance(expected, bool):
        return str(expected).lower()
    if isinstance(expected, tuple):
        values = in_layout(expected, layout)
        return "x".join(str(v) for v in values) if layout == "hwc" else "[" + ", ".join(map(str, values)) + "]"
    return str(expected)


__all__ = ["Given", "approximate", "in_layout", "matches", "parse", "show", "written_layout", "yaml_text"]

"""Answers as students write them: parsing, tolerances, and comparison with the correct value.

Numbers: ``34944``, ``34,944``, ``1.2e6``, ``37.75M`` (K, M, G or B, T); ``~0.72G`` is
approximate to the precision written: right when the correct value, rounded or
truncated to the last digit written, gives it (``~0.72G`` for 724,406,816; the
notes' "~102.7M" for 102,764,544, truncated; ``~150000000`` for 150,528,000,
trailing zeros not being significant); ``37.75M ± 1%`` or ``± 0.1M`` gives the
tolerance explicitly.
Shapes: ``55x55x96``, ``96×55×55`` or ``[96, 55, 55]``, channels first or last.
Fields: ``163``, ``163x163`` or ``global``. ``fits``: true or false. ``?``: to be
filled in by ``check`` (a bare ``?`` is quoted before YAML reads the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from cnncalc.errors import CnnCalcError
from cnncalc.layers.formula import num
from cnncalc.layers.steps import Value

SHAPES = ("output_shape", "input_shape")
FLAGS = ("fits",)
FIELDS = ("rf", "jump")
WHOLE = ("global", "whole", "all", "entire")
SCALE = {"": 1, "K": 10**3, "k": 10**3, "M": 10**6, "G": 10**9, "B": 10**9, "T": 10**12}
_NUMBER = r"[+-]?(?:\d{1,3}(?:[, _]\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?|[+-]?\.\d+(?:[eE][+-]?\d+)?"
_ANSWER = re.compile(
    rf"^(?P<approx>[~≈])?\s*(?P<num>{_NUMBER})\s*(?P<suffix>[KkMGBT])?"
    rf"(?:\s*(?:±|\+/-|\+-)\s*(?P<tol>{_NUMBER})\s*(?P<unit>%|[KkMGBT])?)?$"
)
_SHAPE = re.compile(r"^[\[(]?\s*\d+(?:\s*[x×*,]\s*\d+)*\s*[\])]?$")


@dataclass(frozen=True)
class Given:
    """One answer: what was written and what it means."""

    text: str
    kind: str  # number, shape, flag, whole, fill
    number: Fraction | None = None
    shape: tuple[int, ...] | None = None
    flag: bool | None = None
    tolerance: Fraction = Fraction(0)  # absolute, from ``±``; 0 is exact
    unit: Fraction | None = None  # with ``~``: one unit of the last digit written

    @property
    def fill(self) -> bool:
        return self.kind == "fill"


def parse(value: Any, quantity: str) -> Given:
    """Read an answer for `quantity`; a value that cannot be an answer raises `CnnCalcError`."""
    text = _shown(value)
    if isinstance(value, str) and value.strip() == "?":
        return Given("?", "fill")
    if quantity in FLAGS:
        if isinstance(value, bool):
            return Given(text, "flag", flag=value)
        raise CnnCalcError(f"{quantity} is true or false, received {text!r}")
    if isinstance(value, str) and value.strip().lower() in WHOLE and quantity in FIELDS:
        return Given(text, "whole")
    if quantity in SHAPES or (quantity in FIELDS and not _scalar(value)):
        return Given(text, "shape", shape=_shape(value, quantity))
    return _number(value, text, quantity)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).strip()


def _scalar(value: Any) -> bool:
    return isinstance(value, int | float) or (isinstance(value, str) and _ANSWER.match(value.strip()) is not None)


def _shape(value: Any, quantity: str) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    if isinstance(value, str) and _SHAPE.match(value.strip()):
        return tuple(int(p) for p in re.split(r"\s*[x×*,]\s*", value.strip().strip("[]()").strip()))
    raise CnnCalcError(f"cannot read {_shown(value)!r} as a shape for {quantity}; write e.g. 55x55x96 or "
                       "[96, 55, 55]")


def _number(value: Any, text: str, quantity: str) -> Given:
    if isinstance(value, bool):
        raise CnnCalcError(f"{quantity} is a number, received {text}")
    if isinstance(value, int):
        return Given(text, "number", number=Fraction(value))
    if isinstance(value, float):
        return Given(text, "number", number=Fraction(Decimal(repr(value))))
    match = _ANSWER.match(text) if isinstance(value, str) else None
    if match is None:
        raise CnnCalcError(f"cannot read {text!r} as a number for {quantity}; write e.g. 34944, 37.75M, "
                           "~0.72G or 37.75M ± 1%")
    digits = re.sub(r"[, _]", "", match["num"])
    scale = SCALE[match["suffix"] or ""]
    number = _decimal(digits) * scale
    tolerance, unit = Fraction(0), None
    if match["tol"] is not None:
        amount = _decimal(re.sub(r"[, _]", "", match["tol"]))
        tolerance = abs(number) * amount / 100 if match["unit"] == "%" else amount * SCALE[match["unit"] or ""]
    elif match["approx"]:
        unit = _last_digit(digits) * scale
    return Given(text, "number", number=number, tolerance=tolerance, unit=unit)


def _decimal(digits: str) -> Fraction:
    try:
        return Fraction(Decimal(digits))
    except (InvalidOperation, ValueError):
        raise CnnCalcError(f"cannot read the number {digits!r}") from None


def _last_digit(digits: str) -> Fraction:
    """One unit of the last significant digit written: 0.72 -> 0.01, 150000000 -> 10000000, 1.5e6 -> 1e5.

    >>> _last_digit("0.72"), _last_digit("150000000"), _last_digit("1.5e6"), _last_digit("7")
    (Fraction(1, 100), Fraction(10000000, 1), Fraction(100000, 1), Fraction(1, 1))
    """
    mantissa, _, exponent = digits.lower().partition("e")
    mantissa = mantissa.lstrip("+-")
    if "." in mantissa:
        unit = Fraction(1, 10 ** len(mantissa.split(".")[1]))
    else:
        stripped = mantissa.rstrip("0")
        unit = Fraction(10 ** (len(mantissa) - len(stripped))) if stripped else Fraction(1)
    return unit * Fraction(10) ** int(exponent or 0)


# -- comparison ---------------------------------------------------------------------------------------


def matches(given: Given, expected: Value, layouts: tuple[str, ...] = ("chw", "hwc")) -> bool:
    """Whether `given` is a right answer for the correct value `expected`."""
    if given.kind == "fill":
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


def in_layout(shape: tuple[Any, ...], layout: str) -> tuple[Any, ...]:
    """A channels-first shape in 'chw' or 'hwc' order (vectors are unchanged)."""
    return tuple(shape) if layout == "chw" or len(shape) < 2 else (*shape[1:], shape[0])


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


__all__ = ["Given", "in_layout", "matches", "parse", "show", "written_layout", "yaml_text"]

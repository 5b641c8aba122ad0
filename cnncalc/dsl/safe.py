"""What the safe evaluator allows: the limits, the operators, the functions, and sensible numbers.

Shared by `expr` (which checks an expression's tree against these tables) and
`evaluator` (which computes it).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from cnncalc.errors import ExprError

Number = int | float | bool

MAX_LENGTH = 1000
MAX_DEPTH = 50
MAX_BITS = 256
MAX_EXPONENT = 64

ALLOWED = ("allowed: numbers, names, + - * / // % **, comparisons, and/or/not, "
           "'a if c else b', min/max/ceil/floor/round/abs/int/make_divisible")

_BinOp = Callable[[Any, Any], Any]

_BINOPS: dict[type[ast.operator], tuple[str, _BinOp]] = {  # '**' is guarded by `check_power` first
    ast.Add: ("+", operator.add), ast.Sub: ("-", operator.sub), ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv), ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod), ast.Pow: ("**", operator.pow),
}
_BY_ZERO = {"/": "division by zero", "//": "division by zero", "%": "modulo by zero",
            "**": "zero to a negative power"}
_REFUSED_BINOPS = {ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<",
                   ast.RShift: ">>", ast.MatMult: "@"}

_COMPARISONS: dict[type[ast.cmpop], _BinOp] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne,
}
_REFUSED_COMPARISONS = {ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}


def make_divisible(value: float, divisor: int, least: int | None = None) -> int:
    """The multiple of `divisor` nearest to `value` (halves round up), at least `least`
    (default: `divisor`), and moved up one `divisor` if rounding lost more than 10% of `value`.

    The channel rounding of the MobileNet and EfficientNet papers' reference code
    (torchvision's ``_make_divisible``, MNASNet's ``_round_to_multiple_of``).

    >>> make_divisible(32 * 1.1, 8), make_divisible(16 * 0.5, 8), make_divisible(100, 8), make_divisible(60, 8)
    (32, 8, 104, 64)
    """
    if isinstance(divisor, bool) or not isinstance(divisor, int) or divisor < 1:
        raise ValueError(f"make_divisible(v, divisor): the divisor must be a positive integer, received {divisor!r}")
    floor = divisor if least is None else least
    nearest = max(floor, int(value + divisor / 2) // divisor * divisor)
    return nearest + divisor if nearest < 0.9 * value else nearest


def _int(value: float) -> int:
    """int(x): truncation toward zero, as Python's int() of a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"int() takes a number, received {value!r}")
    return int(value)


# name -> (function, least and most positional arguments)
_FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "min": (min, 2, MAX_DEPTH), "max": (max, 2, MAX_DEPTH),
    "ceil": (math.ceil, 1, 1), "floor": (math.floor, 1, 1),
    "round": (round, 1, 2), "abs": (abs, 1, 1), "int": (_int, 1, 1),
    "make_divisible": (make_divisible, 2, 3),
}
_FUNCTION_LIST = "min, max, ceil, floor, round, abs, int, make_divisible"

_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access ('.') is", ast.Subscript: "subscripts ('[...]') are",
    ast.Slice: "slices are", ast.JoinedStr: "f-strings are", ast.Lambda: "lambda is",
    ast.NamedExpr: "assignment (':=') is", ast.Starred: "starred arguments are",
    ast.ListComp: "comprehensions are", ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are", ast.GeneratorExp: "comprehensions are",
    ast.List: "lists are", ast.Tuple: "tuples are", ast.Set: "sets are", ast.Dict: "dicts are",
    ast.Await: "'await' is", ast.Yield: "'yield' is", ast.YieldFrom: "'yield' is",
}


def _shown(text: str) -> str:
    """The text on one line, shortened for a message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:59] + "…"


def _error(text: str, what: str) -> ExprError:
    return ExprError(f"expression '${{{_shown(text)}}}': {what}")


def _number(value: object, text: str, what: str) -> Number:
    """`value` if it is a sensible number: an int of at most 256 bits or a finite float."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_BITS:
            raise _error(text, f"{what} is too large (an int of more than {MAX_BITS} bits)")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _error(text, f"{what} is not a finite number (too large for a float)")
        return value
    shown = _shown(repr(value))  # a string, None, a complex number (e.g. from (-8) ** 0.5) ...
    raise _error(text, f"{what} is {shown}, not a number ({ALLOWED})")

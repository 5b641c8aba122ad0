"""An independent reader of worked answers: the text a student sees, evaluated exactly.

It knows nothing of cnncalc's formula objects. A worked line such as
``H_out = W_out = ⌊(32 + 2·2 − 5) / 1⌋ + 1 = 32`` is split at its `` = ``; every
part that is arithmetic (digits, ``+ − · /``, ``⌊⌋ ⌈⌉``, powers written as
superscripts, ``max``/``min``) is translated to a Python expression tree and
evaluated with Fractions by the small walker below — never by ``eval``.
"""

from __future__ import annotations

import ast
import math
import re
from fractions import Fraction

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
LETTERS = re.compile(r"[A-Za-z_αβγΣ×…]")  # names, and shapes (1×1) rather than numbers
FUNCTIONS = {"floor": math.floor, "ceil": math.ceil, "max": max, "min": min}


def to_python(text: str) -> str:
    """The worked arithmetic as Python source: separators dropped, the notes' symbols translated."""
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    text = text.replace("·", "*").replace("−", "-").replace("⌊", "floor(").replace("⌋", ")")
    text = text.replace("⌈", "ceil(").replace("⌉", ")")
    return re.sub(f"[{SUPERSCRIPTS}]+", lambda m: "**" + "".join(str(SUPERSCRIPTS.index(c)) for c in m[0]), text)


def evaluate(text: str) -> Fraction:
    """The exact value of rendered arithmetic such as ``2·768,000 + 10,240`` or ``(1/2)·2``."""
    return _value(ast.parse(to_python(text), mode="eval").body)


def _value(node: ast.expr) -> Fraction:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return Fraction(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand)
    if isinstance(node, ast.BinOp):
        a, b = _value(node.left), _value(node.right)
        ops = {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b} if not isinstance(node.op, ast.Div | ast.Pow) else {}
        if isinstance(node.op, ast.Div):
            return a / b
        if isinstance(node.op, ast.Pow):
            assert b.denominator == 1
            return a ** int(b)
        return ops[type(node.op)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        return Fraction(FUNCTIONS[node.func.id](*(_value(a) for a in node.args)))
    raise ValueError(f"not arithmetic: {ast.unparse(node)}")


def is_arithmetic(part: str) -> bool:
    """Whether a part of a worked line is numbers and operators only (``max``/``min`` allowed)."""
    return not LETTERS.search(part.replace("max(", "(").replace("min(", "("))


def checked_value(line: str) -> Fraction | None:
    """The value a worked line ends with, after checking that every arithmetic part of it
    evaluates to exactly that value; None when the line's value is not a number."""
    parts = line.split(" = ")
    last = parts[-1]
    if not is_arithmetic(last) or not last.strip():
        return None
    value = evaluate(last)
    for part in parts[1:-1]:
        if is_arithmetic(part):
            assert evaluate(part) == value, f"{part!r} is {evaluate(part)}, not {value}: {line}"
    return value

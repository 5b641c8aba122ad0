"""The walker that computes an expression tree already accepted by `expr._check`.

Every intermediate result is bounded (`safe._number`); a power is refused before
it is computed when its result could be absurdly large.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from cnncalc.dsl.safe import (
    _BINOPS,
    _BY_ZERO,
    _COMPARISONS,
    _FUNCTIONS,
    ALLOWED,
    MAX_BITS,
    MAX_EXPONENT,
    Number,
    _error,
    _number,
)


class Evaluator:
    """Walks a tree already accepted by `_check`; every intermediate result is bounded."""

    def __init__(self, text: str, names: Mapping[str, Number]) -> None:
        self.text = text
        self.names = names

    def value(self, node: ast.expr) -> Number:
        text = self.text
        if isinstance(node, ast.Constant):
            return _number(node.value, text, "literal")
        if isinstance(node, ast.Name):
            return _number(self.names[node.id], text, f"variable '{node.id}'")
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand)
            if isinstance(node.op, ast.Not):
                return not operand
            return _number(-operand if isinstance(node.op, ast.USub) else +operand, text, "result")
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.BoolOp):
            result = self.value(node.values[0])
            for later in node.values[1:]:  # short-circuit, returning an operand, as Python does
                if bool(result) == isinstance(node.op, ast.Or):
                    break
                result = self.value(later)
            return result
        if isinstance(node, ast.Compare):
            left = self.value(node.left)
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self.value(comparator)
                if not _COMPARISONS[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            chosen = node.body if self.value(node.test) else node.orelse
            return self.value(chosen)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node.func.id, [self.value(arg) for arg in node.args])
        raise _error(text, f"{type(node).__name__} is not allowed ({ALLOWED})")  # _check refused it already

    def binary(self, node: ast.BinOp) -> Number:
        symbol, function = _BINOPS[type(node.op)]
        left, right = self.value(node.left), self.value(node.right)
        if symbol == "**":
            self.check_power(left, right)
        try:
            result = function(left, right)
        except ZeroDivisionError:
            raise _error(self.text, _BY_ZERO[symbol]) from None
        except OverflowError:
            raise _error(self.text, f"result of '{symbol}' is too large for a float") from None
        return _number(result, self.text, f"result of '{symbol}'")

    def check_power(self, base: Number, exponent: Number) -> None:
        """Refuse a power before computing it when its result could be absurdly large."""
        if abs(exponent) > MAX_EXPONENT:
            raise _error(self.text, f"exponent {exponent!r} is too large for '**' "
                                    f"(at most {MAX_EXPONENT} in absolute value)")
        if isinstance(base, int) and isinstance(exponent, int) \
                and abs(base).bit_length() * abs(exponent) > MAX_BITS:
            raise _error(self.text, f"result of '**' would have more than {MAX_BITS} bits")

    def call(self, name: str, args: list[Number]) -> Number:
        function, _, _ = _FUNCTIONS[name]
        if name == "round" and len(args) == 2:
            digits = args[1]
            if not isinstance(digits, int) or abs(digits) > MAX_EXPONENT:
                raise _error(self.text, f"round(x, n) needs an integer n between -{MAX_EXPONENT} "
                                        f"and {MAX_EXPONENT}, received {digits!r}")
        return _number(function(*args), self.text, f"result of {name}()")

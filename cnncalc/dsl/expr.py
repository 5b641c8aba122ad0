"""Safe arithmetic for the YAML language's ``$x``, ``$x*4`` and ``${...}`` arguments.

The text is parsed with ``ast.parse(text, mode="eval")`` and the tree is walked
over a whitelist of node types; nothing is compiled to code or handed to `eval`.
Allowed: int, float and bool literals, variable names, ``+ - * / // % **``,
unary ``- + not``, comparisons (chained as in Python), ``and or``,
``a if c else b`` and calls of ``min max ceil floor round abs int make_divisible``
with positional arguments. Semantics are Python's: ``/`` gives a float, ``//`` and
``%`` floor, ``round`` rounds half to even and returns an int when called with one
argument, ``ceil``, ``floor`` and ``int`` (toward zero) return ints, ``and``/``or``
return an operand; ``make_divisible(v, divisor[, least])`` is torchvision's channel
rounding (`safe.make_divisible`).

Work is bounded before it is done: at most 1,000 characters, nesting of at most
50 levels, ``**`` refused when the exponent exceeds 64 in absolute value or when
an int result could exceed 256 bits, every int result limited to 256 bits and
every float result finite. Every problem is an `ExprError` whose one-line message
reads ``expression '${...}': <what is wrong>``; the caller adds the location.
"""

from __future__ import annotations

import ast
import difflib
import functools
import warnings
from collections.abc import Mapping

from cnncalc.dsl.evaluator import Evaluator
from cnncalc.dsl.safe import (
    _BINOPS,
    _COMPARISONS,
    _FUNCTION_LIST,
    _FUNCTIONS,
    _REFUSED_BINOPS,
    _REFUSED_COMPARISONS,
    _REFUSED_NODES,
    ALLOWED,
    MAX_DEPTH,
    MAX_LENGTH,
    Number,
    _error,
    _number,
    _shown,
)
from cnncalc.errors import ExprError


def expression_text(value: object) -> str | None:
    """If `value` is a string written as an expression, the expression text, else None.

    ``'$x'`` gives ``'x'``, ``'$x*4'`` gives ``'x*4'``, ``'${x * 4}'`` gives
    ``'x * 4'``; ``'relu'`` and non-strings give None. A ``$`` with nothing
    after it, a space after it, an empty ``${}`` or an unclosed ``${`` is an
    `ExprError`.

    >>> expression_text("${x * 4}"), expression_text("$x*4"), expression_text("relu")
    ('x * 4', 'x*4', None)
    """
    if not isinstance(value, str) or not value.startswith("$"):
        return None
    body = value[1:]
    shown = _shown(value)
    if body.startswith("{"):
        if len(body) < 2 or not body.endswith("}"):
            raise ExprError(f"expression '{shown}': '${{' needs its closing '}}' at the end of the value")
        inner = body[1:-1].strip()
        if not inner:
            raise ExprError(f"expression '{shown}': empty expression; write $name or ${{...}}")
        return inner
    if not body or body[0].isspace():
        raise ExprError(f"expression '{shown}': '$' must be followed directly by a name or "
                        "an expression, as in $x, $x*4 or ${x * 4}")
    return body


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _parse(text: str) -> ast.expr:
    """The checked syntax tree of `text`: only whitelisted nodes, bounded size and depth."""
    if len(text) > MAX_LENGTH:
        raise _error(text, f"longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise _error(text, "empty expression")
    if "$" in text:
        raise _error(text, "'$' may appear only once, at the start (write ${a + b}, not ${a} + ${b})")
    if _bracket_depth(text) > MAX_DEPTH:
        raise _error(text, f"nested deeper than {MAX_DEPTH} levels")
    try:
        with warnings.catch_warnings():  # e.g. invalid escapes in a string literal
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise _error(text, f"not an expression: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, surrogates, ...
        raise _error(text, f"not an expression: {exc}") from None
    _check(tree.body, text, 1)
    return tree.body


def _check(node: ast.AST, text: str, depth: int) -> None:
    """Refuse any node outside the whitelist, saying what is allowed."""
    if depth > MAX_DEPTH:
        raise _error(text, f"nested deeper than {MAX_DEPTH} levels")
    children: list[ast.expr] = []
    if isinstance(node, ast.Constant):
        _number(node.value, text, "literal")
    elif isinstance(node, ast.Name):
        pass
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
            raise _error(text, f"operator '~' is not allowed ({ALLOWED})")
        children = [node.operand]
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            refused = _REFUSED_BINOPS.get(type(node.op), type(node.op).__name__)
            raise _error(text, f"operator '{refused}' is not allowed ({ALLOWED})")
        children = [node.left, node.right]
    elif isinstance(node, ast.BoolOp):
        children = list(node.values)
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARISONS:
                refused = _REFUSED_COMPARISONS.get(type(op), type(op).__name__)
                raise _error(text, f"operator '{refused}' is not allowed ({ALLOWED})")
        children = [node.left, *node.comparators]
    elif isinstance(node, ast.IfExp):
        children = [node.test, node.body, node.orelse]
    elif isinstance(node, ast.Call):
        _check_call(node, text)
        children = list(node.args)
    else:
        what = _REFUSED_NODES.get(type(node), f"{type(node).__name__} is")
        raise _error(text, f"{what} not allowed ({ALLOWED})")
    for child in children:
        _check(child, text, depth + 1)


def _check_call(node: ast.Call, text: str) -> None:
    if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
        received = _shown(ast.unparse(node.func))
        raise _error(text, f"calls are limited to {_FUNCTION_LIST}; received '{received}'")
    name = node.func.id
    if node.keywords:
        raise _error(text, f"keyword arguments are not allowed; call {name}(...) with positional arguments")
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise _error(text, f"starred arguments are not allowed in {name}(...)")
    _, least, most = _FUNCTIONS[name]
    if not least <= len(node.args) <= most:
        wanted = f"{least}" if least == most else f"{least} to {most}"
        raise _error(text, f"{name}() takes {wanted} argument(s), received {len(node.args)}")


def _free_names(tree: ast.expr) -> list[str]:
    """Variable names in source order, without repeats and without called function names."""
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called]
    found.sort(key=lambda node: (node.lineno, node.col_offset))
    return list(dict.fromkeys(node.id for node in found))


@functools.lru_cache(maxsize=4096)
def _compiled(text: str) -> tuple[ast.expr, tuple[str, ...]]:
    """The checked tree and free names of `text`, parsed once (zoo files repeat their expressions).

    Errors are not cached: `ExprError` propagates and the next call parses again.
    """
    tree = _parse(text)
    return tree, tuple(_free_names(tree))


def names_used(text: str) -> set[str]:
    """The free variable names of the expression (called functions excluded).

    Raises `ExprError` if the text is not an allowed expression.

    >>> sorted(names_used("max(a, b * i) // a"))
    ['a', 'b', 'i']
    """
    return set(_free_names(_parse(text)))


def _undefined(text: str, name: str, names: Mapping[str, Number]) -> ExprError:
    close = difflib.get_close_matches(name, list(names), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    defined = sorted(names)
    listed = ", ".join(defined[:20]) + (f" and {len(defined) - 20} more" if len(defined) > 20 else "")
    return _error(text, f"undefined name '{name}'{hint}; defined: {listed or 'none'}")


def evaluate(text: str, names: Mapping[str, Number]) -> Number:
    """Evaluate the expression `text` with the variables `names`.

    Raises `ExprError` with a one-line message on anything that is not allowed
    safe arithmetic or that cannot be evaluated (undefined name, division by
    zero, a result too large). The result may be a bool; callers that need a
    number reject it.

    >>> evaluate("ceil(c / 3) * 2 if i > 0 else c", {"c": 64, "i": 1})
    44
    """
    tree, free = _compiled(text)
    for name in free:
        if name not in names:
            raise _undefined(text, name, names)
    try:
        return Evaluator(text, names).value(tree)
    except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        # A net under the explicit checks in `_Evaluator`: no other exception may escape.
        raise _error(text, f"cannot be evaluated: {exc}") from None

"""The safe expression evaluator of the YAML language (`cnncalc.dsl.expr`).

Expected values are written out by hand next to each case; the property tests
compare against Python's own integer operators applied in the test.
"""

from __future__ import annotations

import ast
import builtins
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnncalc.dsl import evaluator, expr, safe
from cnncalc.dsl.expr import evaluate, expression_text, names_used
from cnncalc.errors import CnnCalcError, ExprError

VARS = {"x": 3, "y": -2, "i": 2, "squeeze": 16, "expand": 64, "c": 30, "r": 0.25}


def _raises(text: str, names: dict[str, Any] | None = None) -> str:
    """The message of the ExprError that evaluating `text` raises; checks its form."""
    with pytest.raises(ExprError) as info:
        evaluate(text, VARS if names is None else names)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("expression '$")
    assert info.value.location is None  # the caller adds file:line:col
    return message


# ---------------------------------------------------------------- valid expressions
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # precedence and associativity
        ("1 + 2 * 3", 7),  # 2·3 = 6, + 1
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),  # left-associative: (10 - 4) - 3
        ("2 * 3 ** 2", 18),  # ** before *: 2·9
        ("2 ** 3 ** 2", 512),  # right-associative: 2**(3**2) = 2**9
        ("(2 ** 3) ** 2", 64),  # 8² = 64
        ("-2 ** 2", -4),  # ** binds tighter than unary minus: -(2²)
        ("(-2) ** 2", 4),
        ("2 ** -1", 0.5),
        ("+x - -y", 1),  # 3 - 2
        # // floors, / is true division and always a float, % follows //
        ("7 // 2", 3),
        ("-7 // 2", -4),  # floor(-3.5)
        ("7 / 2", 3.5),
        ("6 / 3", 2.0),
        ("7 % 3", 1),
        ("-7 % 3", 2),  # -7 = 3·(-3) + 2
        ("7.5 // 2", 3.0),
        ("1e3", 1000.0),
        # comparisons, chained as in Python
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 4", False),
        ("3 >= 4", False),
        ("2 == 2.0", True),
        ("1 != 1", False),
        ("1 < 2 < 3", True),
        ("3 > 2 > 2", False),  # 3 > 2 and 2 > 2
        ("1 < x <= 3", True),
        # boolean logic; and/or return an operand, as in Python
        ("1 < 2 and 2 < 1", False),
        ("1 < 2 or 2 < 1", True),
        ("not 0", True),
        ("not 1 < 2", False),  # not (1 < 2)
        ("0 or 5", 5),
        ("3 and 4", 4),
        ("True + True", 2),
        # conditional expression
        ("x if x > 2 else 2", 3),
        ("10 if i == 0 else 20", 20),
        ("1 if i == 0 else 2 if i == 1 else 3", 3),  # i = 2
        ("1 if i else 1 // 0", 1),  # the branch not taken is not evaluated
        # each allowed function
        ("min(3, 1, 2)", 1),
        ("max(3, 7)", 7),
        ("max(0.5, 1)", 1),
        ("ceil(7 / 2)", 4),  # ceil(3.5)
        ("ceil(-0.5)", 0),
        ("floor(7 / 2)", 3),
        ("floor(-0.5)", -1),
        ("round(2.5)", 2),  # Python rounds half to even
        ("round(3.5)", 4),
        ("round(2.4)", 2),
        ("round(1.25, 1)", 1.2),  # 1.25 is exact in binary; half to even
        ("round(1234, -2)", 1200),
        ("abs(-3)", 3),
        ("abs(y * 1.5)", 3.0),
        # variables, including the repeat index i
        ("squeeze * 4", 64),  # 16·4
        ("expand // squeeze", 4),  # 64 / 16
        ("i * 2 + 1", 5),  # 2·2 + 1
        ("c * r", 7.5),  # 30 · 0.25
        ("max(8, (c + 4) // 8 * 8)", 32),  # make-divisible: (30 + 4) // 8 = 4, ·8 = 32
        ("ceil(expand * r)", 16),  # 64 · 0.25
        ("2 ** 64", 18446744073709551616),
        ("(2 ** 64) ** 3", 2**192),  # 65 bits · 3 = 195 ≤ 256
    ],
)
def test_evaluates(text: str, expected: int | float | bool) -> None:
    result = evaluate(text, VARS)
    assert result == expected
    assert type(result) is type(expected)


def test_ceil_floor_round_return_ints() -> None:
    for text in ("ceil(2.1)", "floor(2.9)", "round(2.6)"):
        assert type(evaluate(text, {})) is int


# ------------------------------------------------------------- invalid expressions
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("__import__('os').system('x')", "calls are limited to min, max, ceil, floor, round, abs"),
        ("__import__('os')", "received '__import__'"),
        ("().__class__.__bases__", "attribute access"),
        ("x.__class__", "attribute access"),
        ("open('/etc/passwd')",
         "calls are limited to min, max, ceil, floor, round, abs, int, make_divisible; received 'open'"),
        ("getattr(x, 'y')", "received 'getattr'"),
        ("eval('1')", "received 'eval'"),
        ("x.real()", "received 'x.real'"),
        ("(lambda: 1)()", "calls are limited"),
        ("[x for x in ()]", "comprehensions are not allowed"),
        ("sum(x for x in ())", "received 'sum'"),
        ("{x: 1 for x in ()}", "comprehensions are not allowed"),
        ("lambda: 1", "lambda is not allowed"),
        ("'a' * 3", "not a number"),
        ("b'a'", "not a number"),
        ("None", "not a number"),
        ("...", "not a number"),
        ("1j", "not a number"),
        ("x[0]", "subscripts"),
        ("(y := 1)", "assignment"),
        ("f'{x}'", "f-strings"),
        ("[1, 2]", "lists are not allowed"),
        ("(1, 2)", "tuples are not allowed"),
        ("{1}", "sets are not allowed"),
        ("{1: 2}", "dicts are not allowed"),
        ("1 << 2", "operator '<<'"),
        ("x & 1", "operator '&'"),
        ("~x", "operator '~'"),
        ("x is 1", "operator 'is'"),
        ("1 in x", "operator 'in'"),
        ("min(1, 2, key=abs)", "keyword arguments"),
        ("max(*x)", "starred"),
        ("min(1)", "min() takes 2 to 50 argument(s), received 1"),
        ("ceil()", "ceil() takes 1 argument(s), received 0"),
        ("round(1, 2, 3)", "round() takes 1 to 2"),
        ("round(1.5, 0.5)", "round(x, n) needs an integer n"),
        ("round(1, -10 ** 9)", "round(x, n) needs an integer n"),
        # syntax
        ("", "empty expression"),
        ("   ", "empty expression"),
        ("1 +", "not an expression"),
        ("1 if x", "not an expression"),
        ("x = 1", "not an expression"),
        ("import os", "not an expression"),
        ("1; 2", "not an expression"),
        ("x\x00", "not an expression"),
        ("$x", "'$' may appear only once"),
        ("a} + ${b", "'$' may appear only once"),  # what '${a} + ${b}' leaves inside the braces
        # arithmetic that cannot be done
        ("1 / 0", "division by zero"),
        ("1.0 / 0.0", "division by zero"),
        ("1 // 0", "division by zero"),
        ("1 % 0", "modulo by zero"),
        ("0 ** -1", "zero to a negative power"),
        ("(-8) ** 0.5", "not a number"),  # a complex result
        # results too large
        ("9 ** 9 ** 9", "exponent 387420489 is too large"),
        ("2 ** 10 ** 10", "exponent 10000000000 is too large"),
        ("10 ** 1000", "exponent 1000 is too large"),
        ("2 ** -2000", "exponent -2000 is too large"),
        ("2 ** 65", "exponent 65 is too large"),
        ("(2 ** 64) ** 4", "more than 256 bits"),  # 65 bits · 4 = 260
        ("2 ** 64 * 2 ** 64 * 2 ** 64 * 2 ** 64 * 2", "more than 256 bits"),  # 2**257
        ("1" + "0" * 80, "more than 256 bits"),  # 10**80 needs 266 bits
        ("ceil(1e300)", "more than 256 bits"),
        ("1e999", "not a finite number"),
        ("1e308 * 10", "not a finite number"),
        ("1e300 ** 2", "too large for a float"),
        # size and depth limits
        ("(" * 60 + "1" + ")" * 60, "nested deeper than 50"),
        ("-" * 60 + "1", "nested deeper than 50"),
        ("+".join(["1"] * 60), "nested deeper than 50"),
        ("1" + " " * 1000, "longer than 1000 characters"),
        ("+".join(["x"] * 501), "longer than 1000 characters"),
    ],
)
def test_refuses(text: str, words: str) -> None:
    assert words in _raises(text)


def test_refusals_say_what_is_allowed() -> None:
    assert "allowed: numbers, names" in _raises("x.__class__")
    assert "allowed: numbers, names" in _raises("'a' * 3")


@pytest.mark.parametrize(
    "text", ["9**9**9", "2**10**10", "10**10**10**10", "(10**64)**64", "ceil(1e308)**64"]
)
def test_power_bombs_are_refused_at_once(text: str) -> None:
    start = time.perf_counter()
    _raises(text)
    assert time.perf_counter() - start < 1.0


def test_undefined_name_suggests_and_lists() -> None:
    names = {"squeeze": 16, "expand": 64}
    message = _raises("squeez * 2", names)
    assert message == ("expression '${squeez * 2}': undefined name 'squeez' (did you mean 'squeeze'?); "
                       "defined: expand, squeeze")
    assert _raises("zzz", {"a": 1}).endswith("undefined name 'zzz'; defined: a")
    assert _raises("zzz", {}).endswith("defined: none")
    # names are checked before evaluation, so an untaken branch does not hide a typo
    assert "undefined name 'nope'" in _raises("1 if 1 else nope", {})
    many = {f"v{n:02}": n for n in range(25)}
    assert "and 5 more" in _raises("w", many)


@pytest.mark.parametrize(
    ("value", "words"),
    [("abc", "'abc', not a number"), (None, "None, not a number"), (float("inf"), "not a finite number"),
     (2**300, "more than 256 bits")],
)
def test_refuses_bad_variable_values(value: object, words: str) -> None:
    message = _raises("x + 1", {"x": value})
    assert "variable 'x'" in message and words in message


def test_long_text_is_shortened_in_the_message() -> None:
    message = _raises("+".join(["zz"] * 30), {})
    assert message.startswith("expression '${zz+zz+") and "…}'" in message
    assert len(message) < 200


def test_expr_error_is_a_cnncalc_error() -> None:
    assert issubclass(ExprError, CnnCalcError)


# ----------------------------------------------------------------- expression_text
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$x", "x"),
        ("$x*4", "x*4"),
        ("${x * 4}", "x * 4"),
        ("${ x }", "x"),
        ("${max(a, b)}", "max(a, b)"),
        ("relu", None),
        ("same", None),
        ("a$b", None),
        ("", None),
        (3, None),
        (2.5, None),
        (None, None),
        (True, None),
        (["$x"], None),
    ],
)
def test_expression_text(value: object, expected: str | None) -> None:
    assert expression_text(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("$", "'$' must be followed directly by a name"),
        ("$ {x}", "'$' must be followed directly by a name"),
        ("$ x", "'$' must be followed directly by a name"),
        ("${}", "empty expression"),
        ("${  }", "empty expression"),
        ("${x", "needs its closing '}'"),
        ("${", "needs its closing '}'"),
    ],
)
def test_expression_text_refuses(value: str, words: str) -> None:
    with pytest.raises(ExprError, match=r"^expression '") as info:
        expression_text(value)
    assert words in str(info.value)


# ---------------------------------------------------------------------- names_used
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max(a, b * i) // a", {"a", "b", "i"}),
        ("ceil(x)", {"x"}),
        ("1 + 2", set()),
        ("x if c else y", {"x", "c", "y"}),
    ],
)
def test_names_used(text: str, expected: set[str]) -> None:
    assert names_used(text) == expected


@pytest.mark.parametrize("text", ["1 +", "x.y", "open(x)", ""])
def test_names_used_refuses(text: str) -> None:
    with pytest.raises(ExprError):
        names_used(text)


# -------------------------------------------------------------- never eval / exec
def test_never_calls_eval_exec_or_compile_to_code(monkeypatch: pytest.MonkeyPatch) -> None:
    real_compile = builtins.compile

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec called")

    def ast_only(source: Any, filename: Any, mode: Any, flags: int = 0, *args: Any, **kwargs: Any) -> Any:
        # ast.parse is compile(..., flags=PyCF_ONLY_AST); anything that makes code is refused
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError("compile to code called")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(builtins, "eval", forbidden)
        patch.setattr(builtins, "exec", forbidden)
        patch.setattr(builtins, "compile", ast_only)
        with pytest.raises(AssertionError):  # the patch would catch a compile to code
            builtins.compile("1", "<test>", "eval")
        # 3·4 = 12; ceil(12/5) = 3; 3 > 2 so max(3, 2·2) = 4; round(4.4) = 4
        assert evaluate("round(max(ceil(x * 4 / 5), 2 * i) + 0.4) if x > 2 and not y > 0 else 0", VARS) == 4
        with pytest.raises(ExprError):
            evaluate("__import__('os')", VARS)


@pytest.mark.parametrize("module", [expr, evaluator, safe])
def test_source_has_no_dynamic_code(module: Any) -> None:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Name)}
    assert not called & {"eval", "exec", "compile", "__import__", "getattr"}


# ------------------------------------------------------------------- properties
TOKENS = ["x", "i", "r", "0", "1", "2", "9", "64", "0.5", "1e308", "**", "*", "/", "//", "%", "+", "-",
          "(", ")", "<", "==", "and", "or", "not", "if", "else", "min(", "max(", "ceil(", "floor(",
          "round(", "abs(", ",", ".", "[", "'", "lambda", ":", "__class__"]


def _number_or_expr_error(text: str) -> None:
    try:
        result = evaluate(text, VARS)
    except ExprError as error:
        assert "\n" not in str(error)
        return
    assert type(result) in (int, float, bool)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.text(alphabet="0123456789xiry+-*/%()<>=!. ,eandortifls_", max_size=40))
def test_random_text_gives_number_or_expr_error(text: str) -> None:
    _number_or_expr_error(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join))
def test_random_token_strings_give_number_or_expr_error(text: str) -> None:
    _number_or_expr_error(text)


Case = tuple[str, int]

_LEAVES: st.SearchStrategy[Case] = st.one_of(
    st.integers(-50, 50).map(lambda n: (f"({n})" if n < 0 else str(n), n)),
    st.sampled_from(["x", "y", "i", "c"]).map(lambda name: (name, int(VARS[name]))),
)


def _combine(left: Case, op: str, right: Case) -> Case:
    """The text and, by Python's own int operators, the value of `left op right`."""
    (ltext, lvalue), (rtext, rvalue) = left, right
    if op == "+":
        return f"({ltext} + {rtext})", lvalue + rvalue
    if op == "-":
        return f"({ltext} - {rtext})", lvalue - rvalue
    if op == "*":
        return f"({ltext} * {rtext})", lvalue * rvalue
    if rvalue <= 0:  # '//' only with a positive divisor
        rtext, rvalue = str(1 - rvalue), 1 - rvalue
    return f"({ltext} // {rtext})", lvalue // rvalue


_INT_EXPRESSIONS = st.recursive(
    _LEAVES,
    lambda children: st.builds(_combine, children, st.sampled_from(["+", "-", "*", "//"]), children),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(_INT_EXPRESSIONS)
def test_random_integer_expressions_match_python(case: Case) -> None:
    text, expected = case
    assert evaluate(text, VARS) == expected
    assert expression_text("${" + text + "}") == text

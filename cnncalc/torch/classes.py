"""One class per block definition, written from all its instances at once.

Every number in a class (a constructor argument, a block argument, a repeat
count, a channel count) is chosen among expressions that could have made it —
the entry's own YAML expressions (``${width * 4}``), the channels of what the
entry reads, the class's parameters — and kept only if it gives the concrete
value in every copy of every instance; failing all, a constant equal everywhere.
So the class is the block's arguments turned into code, checked against the
network it came from. Where no expression fits (or the entries' wiring cannot be
written once for all instances) the block gets one class per instance instead
(`Unwritable`), and as a last resort the network is written without classes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cnncalc.dsl.expr import evaluate, expression_text
from cnncalc.errors import CnnCalcError
from cnncalc.torch.codegen import FUNCTIONS, expression, literal, substitute
from cnncalc.torch.scopes import Scope

IN = "in_channels_"  # the DSL name of a class's input channels (never a YAML name: those have no trailing _)


class Unwritable(Exception):
    """These instances cannot share one class."""


@dataclass(frozen=True)
class Lit:
    value: Any


@dataclass(frozen=True)
class Expr:
    text: str  # in the YAML language's syntax, over the names of the class


@dataclass(frozen=True)
class Tup:
    items: tuple[Lit | Expr, ...]  # a list written in the YAML, e.g. kernel: [$kh, $kw]


Choice = Lit | Expr | Tup


@dataclass
class Names:
    """The names a class's code uses: DSL name -> Python identifier, and each instance's values."""

    python: dict[str, str] = field(default_factory=dict)
    params: list[str] = field(default_factory=list)  # DSL names of the constructor's parameters, in order
    defaults: dict[str, str | None] = field(default_factory=dict)  # source of a default (None: required)
    uses_math: bool = False
    helpers: set[str] = field(default_factory=set)  # functions written into the file (make_divisible)

    def render(self, choice: Choice) -> str:
        if isinstance(choice, Lit):
            return literal(choice.value)
        if isinstance(choice, Tup):
            return "(" + ", ".join(self.render(c) for c in choice.items) + ")"
        try:
            text, needs_math = expression(choice.text, self.python, self.helpers)
        except (ValueError, KeyError) as exc:  # a function Python lacks; a name the class does not have
            raise Unwritable(str(exc)) from None
        self.uses_math |= needs_math
        return text


def same(a: Any, b: Any) -> bool:
    """`a` can be written for `b` as a constructor argument: 3 for 3.0 (torch takes an int for a float),
    not 3.0 for 3 (a size must be an int: ``nn.Linear(8, 1.0)`` fails), True and 1 not, lists and tuples alike."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):  # torch writes (3, 3) as 3
        many, one = (a, b) if isinstance(a, list | tuple) else (b, a)
        return bool(many) and all(same(x, one) for x in many)
    if isinstance(a, bool) != isinstance(b, bool) or isinstance(a, str) != isinstance(b, str):
        return False
    if isinstance(b, int) and not isinstance(a, int):
        return False
    return bool(a == b)


def value_of(choice: Choice, env: dict[str, Any]) -> Any:
    if isinstance(choice, Lit):
        return choice.value
    if isinstance(choice, Tup):
        return tuple(value_of(c, env) for c in choice.items)
    if choice.text in env:  # `$kernel` may pass a list through
        return env[choice.text]
    return evaluate(choice.text, {k: v for k, v in env.items() if isinstance(v, int | float)})


def choose(values: list[Any], envs: list[dict[str, Any]], candidates: list[Choice]) -> Choice:
    """The first candidate that gives every value in its environment, else a constant, else Unwritable.
    An expression that gives a size as a whole float (``${w / 2}`` = 4.0) is written ``int(w / 2)``."""
    for candidate in candidates:
        try:
            got = [value_of(candidate, env) for env in envs]
        except (CnnCalcError, TypeError, KeyError, ValueError, ArithmeticError):
            continue
        if all(same(g, v) for g, v in zip(got, values, strict=True)):
            return candidate
        if isinstance(candidate, Expr) and all(type(v) is int and type(g) in (int, float) and g == v
                                               for g, v in zip(got, values, strict=True)):
            return Expr(f"int({candidate.text})")
    if values and all(same(v, values[0]) for v in values):
        return Lit(values[0])
    raise Unwritable(f"no expression gives {values[:4]}")


def yaml_candidates(value: Any, *more: Any) -> list[Choice]:
    """The expressions written in an entry's value (and in the kind's `defaults`), lists included."""
    found: list[Choice] = []
    for source in (value, *more):
        items = source.values() if isinstance(source, dict) else [source]
        for v in items:
            if isinstance(v, list) and any(_expression(i) for i in v):
                parts = [Expr(t) if (t := _expression(i)) else Lit(i) for i in v]
                if all(isinstance(p, Expr) or isinstance(p.value, int | float) for p in parts):
                    found.append(Tup(tuple(parts)))
            elif (text := _expression(v)) is not None:
                found.append(Expr(text))
    return found


def _expression(value: Any) -> str | None:
    try:
        return expression_text(value)
    except CnnCalcError:
        return None


def channels_after(out: list[int], ins: list[list[int]], envs: list[dict[str, Any]], in_choices: list[Choice],
                   arg_choices: list[tuple[Choice, list[Any]]]) -> Choice | None:
    """The expression of a layer's output channels: the sum of its inputs' (concat), one of its first
    constructor arguments, its input's, the input's times a constant (flatten), or a constant."""
    candidates: list[Choice] = []
    if len(in_choices) > 1:
        texts = [_text(c) for c in in_choices]
        summed = f"{len(texts)} * ({texts[0]})" if len(set(texts)) == 1 else " + ".join(f"({t})" for t in texts)
        candidates.append(fold(Expr(summed)))
    for choice, values in reversed(arg_choices):
        if all(same(v, o) for v, o in zip(values, out, strict=True)):
            candidates.append(choice)
    if in_choices:
        candidates.append(in_choices[0])
        if all(i[0] and o % i[0] == 0 for o, i in zip(out, ins, strict=True)):
            factors = {o // i[0] for o, i in zip(out, ins, strict=True)}
            if len(factors) == 1 and (k := factors.pop()) != 1:
                candidates.append(Expr(f"({_text(in_choices[0])}) * {k}"))
    try:
        return choose(out, envs, candidates)
    except Unwritable:
        return None


def _text(choice: Choice) -> str:
    if isinstance(choice, Tup):
        raise KeyError("a list is not a channel count")
    return choice.text if isinstance(choice, Expr) else repr(choice.value)


def substituted(out: Choice | None, args: dict[str, Choice]) -> Choice | None:
    """A child class's output channels in its parent's names (None if it uses names of its own)."""
    if not isinstance(out, Expr):
        return out if isinstance(out, Lit) else None
    try:
        return fold(Expr(substitute(out.text, {k: _text(v) for k, v in args.items()})))
    except (KeyError, SyntaxError):
        return None


def fold(choice: Choice) -> Choice:
    """An expression without names is its value; parentheses around a lone name go."""
    if not isinstance(choice, Expr):
        return choice
    import ast

    tree = ast.parse(choice.text, mode="eval")
    if not any(isinstance(n, ast.Name) and n.id not in FUNCTIONS
               for n in ast.walk(tree)):
        try:
            return Lit(evaluate(choice.text, {}))
        except CnnCalcError:
            return choice
    return Expr(ast.unparse(tree))


def count_choice(raw: Any, counts: list[int], envs: list[dict[str, Any]], cond: Any = None) -> Choice:
    """The number of copies of an entry: its repeat count as written, ``(n) if (c) else 0`` with
    its `if`, checked against every instance."""
    if raw is None:
        candidates: list[Choice] = [Lit(1)]
    elif isinstance(raw, int) and not isinstance(raw, bool):
        candidates = [Lit(raw)]
    else:
        candidates = yaml_candidates(raw)
    if cond is not None:
        text = _expression(cond)
        if text is None:  # a constant `if`
            candidates = candidates if cond else [Lit(0)]
        else:
            candidates = [Expr(f"({_text(c)}) if ({text}) else 0") for c in candidates if not isinstance(c, Tup)]
    for c in candidates:
        try:
            if all(same(value_of(c, env), n) for env, n in zip(envs, counts, strict=True)):
                return c
        except (CnnCalcError, TypeError, KeyError, ValueError, ArithmeticError):
            continue
    raise Unwritable("the repeat count is not what the entry says")


def instance_envs(instances: list[Scope], base: Callable[[Scope], dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(base(s)) for s in instances]

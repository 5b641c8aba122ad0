"""A class of the exported file while it is written, and what writing it needs.

`Written` holds a class's names (`classes.Names`), its ``__init__`` body and its
forward; `Context` the lowered network and the classes written so far; `render`
turns a `classes.Choice` into code, adding to the class's parameters the vars it
reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cnncalc.torch.classes import Choice, Expr, Names, Tup
from cnncalc.torch.codegen import FUNCTIONS, identifier, literal


@dataclass
class Written:
    name: str
    base: str  # "nn.Module" or "nn.Sequential"
    names: Names
    body: list[str]
    forward: list[str] | None
    out: Choice | None  # the output's channels over the constructor's parameters
    values: dict[str, dict[str, Any]]  # instance path -> DSL name of a parameter -> its value there
    customs: set[type] = field(default_factory=set)

    def signature(self) -> str:
        parts = []
        for p in self.names.params:
            default = self.names.defaults.get(p)
            kind = _annotation([v[p] for v in self.values.values() if p in v])
            kind = f"{kind} | None" if default == "None" and kind else kind
            parts.append(self.names.python[p] + (f": {kind}" if kind else "") + (
                "" if default is None else f" = {default}" if kind else f"={default}"))
        return ", ".join(["self", *parts])


def _annotation(values: list[Any]) -> str:
    kinds = {type(v) for v in values}
    if kinds <= {int} and kinds:
        return "int"
    if kinds <= {int, float} and kinds:
        return "float"
    if kinds == {bool} or kinds == {str}:
        return kinds.pop().__name__
    if kinds and kinds <= {list, tuple} and all(isinstance(i, int) for v in values for i in v):
        return "list[int]"
    return ""


class Context:
    """What writing a class needs: the lowered network, the classes written so far, the vars."""

    def __init__(self, built: Any, classes: dict[str, Written], doc_vars: dict[str, Any],
                 defaults: dict[str, Any]) -> None:
        self.built, self.classes, self.vars, self.defaults = built, classes, doc_vars, defaults
        self.block_args: dict[str, list[str]] = {}  # a block's argument names, in order
        self.channels = {r.name: r.output_shape[0] for r in built.report.layers}
        self.channels["input"] = built.report.input_shape[0]
        self.shapes = {r.name: r.output_shape for r in built.report.layers}
        self.shapes["input"] = built.report.input_shape
        self.paths: dict[str, str] = {}  # layer or block instance -> its submodule path
        for name, path in built.paths.items():
            names, parts = name.split("."), path.split(".")
            for k in range(1, len(names) + 1):
                self.paths.setdefault(".".join(names[:k]), ".".join(parts[:k]))

    def module(self, name: str) -> Any:
        return self.built.submodule(name)

    def path(self, name: str) -> str:
        return self.paths[name].rsplit(".", 1)[-1]


def render(written: Written, choice: Choice, ctx: Context) -> str:
    """Source of `choice`, adding to the class's parameters the vars it reads."""
    if isinstance(choice, Tup):
        return "(" + ", ".join(render(written, c, ctx) for c in choice.items) + ")"
    if isinstance(choice, Expr):
        for name in sorted(free_names(choice.text)):
            if name not in written.names.python and name in ctx.vars:
                _add_var(written, name, ctx)
    return written.names.render(choice)


def free_names(text: str) -> set[str]:
    import ast

    return {n.id for n in ast.walk(ast.parse(text, mode="eval")) if isinstance(n, ast.Name)} - set(FUNCTIONS)


def _add_var(written: Written, name: str, ctx: Context) -> None:
    written.names.python[name] = identifier(name, set(written.names.python.values()))
    written.names.params.append(name)
    written.names.defaults[name] = literal(ctx.vars[name])
    for path in written.values:
        written.values[path][name] = ctx.vars[name]

"""Several uses of one module class -> one block: its arguments are what differs between the uses.

Each use (an instance) has a local list of `Item`s in the same order. Items are
matched by name; an item missing from some uses becomes optional (``repeat:``
0 or 1, the way the zoo writes an optional shortcut), provided its consumers
read its input instead where it is missing. Every argument value that differs
between uses becomes a block argument, named after what it sets (a conv's
``out`` is ``width``), unless it equals another argument or an integer multiple
of one (``${width * 4}``). Repeated items carry a first value and the value of
the other copies (``${stride if i == 0 else 1}``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

INPUT = -1
ARG_NAMES = {("conv", "out"): "width", ("convtranspose", "out"): "width", ("linear", "out"): "features"}
RESERVED = {"i", "in", "input"}


@dataclass(frozen=True)
class Run:
    """An argument of a repeated item: the first copy's value and the others'."""

    first: Any
    rest: Any


@dataclass
class Item:
    """One entry of a scope: a layer (or a block instance), its arguments and what it reads."""

    type: str
    args: dict[str, Any]
    sources: list[int]  # the ops it reads from outside itself
    out: int  # the op it produces (the last copy's, for a run)
    name: str | None = None  # None: the automatic name
    torch: str = ""
    count: int = 1  # copies in sequence (a run)
    inner: set[int] = field(default_factory=set)  # the ops it covers
    parent: str = ""  # the module whose child it is (only siblings are repeated together)


@dataclass
class Template:
    """A block's body: entries with expressions, and the block's arguments."""

    args: list[str]
    items: list[dict[str, Any]]  # type, args (rendered), name, refs (local keys or "in"), torch, repeat
    out: str | None  # the output item's key, when it is not the last item


class Unifier:
    def __init__(self, uses: Sequence[tuple[list[Item], int, int]]) -> None:
        self.uses = uses  # (items, external input op, output op) per instance
        self.args: list[str] = []
        self.values: list[tuple[Any, ...]] = []  # per argument: its value in each use

    # -- matching the uses' items ----------------------------------------------------------------

    @staticmethod
    def keys(items: Sequence[Item]) -> list[str]:
        counts: dict[str, int] = {}
        result = []
        for item in items:
            if item.name is not None and item.name not in result:
                result.append(item.name)
            else:
                counts[item.type] = counts.get(item.type, 0) + 1
                result.append(f"#{item.type}{counts[item.type]}")
        return result

    def unify(self) -> Template | None:
        keyed = [dict(zip(self.keys(items), items, strict=True)) for items, _, _ in self.uses]
        base = max(range(len(keyed)), key=lambda k: len(keyed[k]))
        order = list(keyed[base])
        for use in keyed:
            positions = [order.index(k) for k in use if k in order]
            if len(positions) != len(use) or positions != sorted(positions):
                return None
        refs = [self.local_refs(use, ext) for use, (_, ext, _) in zip(keyed, self.uses, strict=True)]
        outs = {next(k for k, item in use.items() if item.out == out) for use, (_, _, out) in
                zip(keyed, self.uses, strict=True)}
        if len(outs) != 1:
            return None
        out = outs.pop()
        optional = [k for k in order if any(k not in use for use in keyed)]
        if out in optional:
            return None
        rendered = []
        for key in order:
            present = [k for k, use in enumerate(keyed) if key in use]
            items = [keyed[k][key] for k in present]
            if len({(i.type, i.torch) for i in items}) != 1:
                return None
            template_refs = refs[base][key] if key in keyed[base] else refs[present[0]][key]
            for k in present:
                if self.substituted(refs[k][key], template_refs, keyed[k], keyed, refs) is None:
                    return None
            entry = self.render(key, items, present, len(keyed))
            if entry is None:
                return None
            entry["refs"] = template_refs
            if key in optional:
                if len(template_refs) != 1 or items[0].count != 1:
                    return None
                entry["repeat"] = self.flag(key, [1 if key in use else 0 for use in keyed])
            rendered.append(entry)
        return Template(self.args, rendered, None if order[-1] == out else out)

    def local_refs(self, use: dict[str, Item], ext: int) -> dict[str, list[str]]:
        made = {item.out: key for key, item in use.items()}
        return {key: ["in" if s == ext else made.get(s, "?") for s in item.sources] for key, item in use.items()}

    def substituted(self, mine: list[str], template: list[str], use: dict[str, Item], keyed: list[dict[str, Item]],
                    refs: list[dict[str, list[str]]]) -> list[str] | None:
        """`template` with references to items this use lacks replaced by those items' own input."""
        result = []
        for ref in template:
            while ref != "in" and ref not in use:  # an optional item: its input instead
                owner = next(k for k, u in enumerate(keyed) if ref in u)
                sources = refs[owner][ref]
                if len(sources) != 1:
                    return None
                ref = sources[0]
            result.append(ref)
        return result if result == mine else None

    # -- arguments --------------------------------------------------------------------------------

    def render(self, key: str, items: list[Item], present: list[int], total: int) -> dict[str, Any] | None:
        names = list(dict.fromkeys(a for i in items for a in i.args))
        args: dict[str, Any] = {}
        for arg in names:
            values = [i.args.get(arg) for i in items]
            if any(isinstance(v, Run) for v in values):
                pairs = [v if isinstance(v, Run) else Run(v, v) for v in values]
                first = self.expression(self.spread([v.first for v in pairs], present, total), key, items[0], arg)
                rest = self.expression(self.spread([v.rest for v in pairs], present, total), key, items[0], arg)
                args[arg] = first if first == rest else f"${{{_bare(first)} if i == 0 else {_bare(rest)}}}"
            else:
                args[arg] = self.expression(self.spread(values, present, total), key, items[0], arg)
        counts = self.spread([i.count for i in items], present, total)
        repeat = None
        if any(i.count != 1 for i in items):
            repeat = self.expression(counts, key, items[0], "blocks")
        name = None if key.startswith("#") else key
        return {"key": key, "type": items[0].type, "args": args, "name": name, "torch": items[0].torch,
                "repeat": repeat}

    @staticmethod
    def spread(values: list[Any], present: list[int], total: int) -> tuple[Any, ...]:
        """Values for every use (None where the item is missing)."""
        result: list[Any] = [None] * total
        for k, v in zip(present, values, strict=True):
            result[k] = v
        return tuple(result)

    def expression(self, values: tuple[Any, ...], key: str, item: Item, arg: str) -> Any:
        """A literal when every use agrees, else ``$arg`` (an existing argument, a multiple of one, or a new one)."""
        defined = [v for v in values if v is not None]
        if len({repr(v) for v in defined}) <= 1:
            return defined[0] if defined else None
        for name, known in zip(self.args, self.values, strict=True):
            pairs = [(v, k) for v, k in zip(values, known, strict=True) if v is not None]
            if all(v == k for v, k in pairs):
                return f"${name}"
            if all(isinstance(v, int) and isinstance(k, int) and not isinstance(v, bool) and k and v % k == 0
                   for v, k in pairs):
                ratios = {v // k for v, k in pairs}
                if len(ratios) == 1 and ratios != {1}:
                    return f"${{{name} * {ratios.pop()}}}"
        return f"${self.new_arg(ARG_NAMES.get((item.type, arg), arg), values)}"

    def flag(self, key: str, flags: list[int]) -> Any:
        """An optional item's copies (0 or 1): a test on an existing argument where one decides it."""
        for name, known in zip(self.args, self.values, strict=True):
            absent = {repr(k) for k, f in zip(known, flags, strict=True) if not f}
            if len(absent) == 1 and all(isinstance(k, int) for k in known):
                value = next(k for k, f in zip(known, flags, strict=True) if not f)
                if all((k != value) == bool(f) for k, f in zip(known, flags, strict=True)):
                    return f"${{1 if {name} != {value} else 0}}"
        base = re.sub(r"[^A-Za-z0-9_]", "_", key.lstrip("#"))
        return f"${self.new_arg(base if base[:1].isalpha() else f'has_{base}', tuple(flags))}"

    def new_arg(self, base: str, values: tuple[Any, ...]) -> str:
        filled = next(v for v in values if v is not None)
        name, k = base, 1
        while name in self.args or name in RESERVED:
            k += 1
            name = f"{base}{k}"
        self.args.append(name)
        self.values.append(tuple(filled if v is None else v for v in values))
        return name


def _bare(expr: Any) -> str:
    """An expression's text without its ``$``/``${}`` (a literal as Python writes it)."""
    if isinstance(expr, str) and expr.startswith("${"):
        return expr[2:-1]
    if isinstance(expr, str) and expr.startswith("$"):
        return expr[1:]
    return repr(expr) if not isinstance(expr, bool) else str(expr)


__all__ = ["INPUT", "Item", "Run", "Template", "Unifier"]

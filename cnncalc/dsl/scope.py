"""Names while a network file is expanded: scopes, references, and what a name finally denotes.

Names are scoped: layer ``squeeze`` of block instance ``fire2`` is ``fire2.squeeze``.
A reference (``from``, a merge's inputs, a block's ``out``) may name any entry of
the same scope, earlier or later (a cycle is reported by the graph), ``in`` (a
block's input), ``input`` (the network's input), a block instance or a split (its
output: a split's last part) or a dotted path into one (``fire2.squeeze``,
``parts.0``). An entry that is skipped (``if`` false, ``repeat: 0``) passes its
input through, so its name refers to that input. References are resolved once
the whole document is expanded (`resolve`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnncalc.errors import CnnCalcError, Location
from cnncalc.layers.base import did_you_mean
from cnncalc.spec import INPUT

MAX_LINKS = 200_000  # a chain of pass-through names longer than this is refused as a loop


@dataclass
class Ref:
    """A name used in `from`, resolved once the whole document is expanded."""

    scope: Scope
    name: str
    location: Location


Source = Ref | str  # a reference, or the full name of a layer


@dataclass
class Scope:
    prefix: str  # "" at the top level, "fire2." inside fire2
    parent_input: Source | None  # what `in` means (None at the top level)
    names: dict[str, Source] = field(default_factory=dict)  # local name -> full name or pass-through ref
    where: dict[str, Location] = field(default_factory=dict)
    children: dict[str, Scope] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    depth: int = 0
    numbered: bool = False  # unnamed entries are named 0, 1, 2 … (as torch's nn.Sequential)
    number: int = 0

    def path(self) -> tuple[str, ...]:
        parts = self.prefix.rstrip(".").split(".") if self.prefix else []
        return tuple(".".join(parts[: k + 1]) for k in range(len(parts)))

    def automatic(self, type_name: str, named: bool) -> str:
        """Count one copy of an entry of `type_name`; its automatic name (unless `named`): TYPE plus
        the count of that type's copies so far, named ones included (``conv3``), or the next number."""
        count = self.counters[type_name] = self.counters.get(type_name, 0) + 1
        if named:
            return ""
        if self.numbered:
            self.number += 1
            return str(self.number - 1)
        return f"{type_name}{count}"

    def claim(self, name: str, where: Location) -> None:
        if name in self.where:
            first = self.where[name]
            raise CnnCalcError(f"duplicate name {self.prefix + name!r} (first used at line {first.line}); "
                               "give this layer another name", where)
        self.where[name] = where


def resolve(ref: Source, known: dict[int, str] | None = None) -> str:
    """The full name of the layer a reference denotes (followed link by link: a chain of skipped
    entries may be long, and one that comes back to a name already followed is a loop).

    `known` remembers what each reference followed resolved to (by id: the references
    live in their scopes), so that many references to one long chain walk it once.
    """
    known = {} if known is None else known
    followed: set[tuple[int, str]] = set()
    path: list[Ref] = []
    while not isinstance(ref, str):
        if id(ref) in known:
            ref = known[id(ref)]
            break
        path.append(ref)
        step = (id(ref.scope), ref.name)
        if step in followed or len(followed) > MAX_LINKS:
            raise CnnCalcError(f"the name {ref.name!r} refers to itself through skipped entries (repeat: 0 or "
                               "a false if); give one of them another input with from:", path[0].location)
        followed.add(step)
        ref = _step(ref)
    for r in path:
        known[id(r)] = ref
    return ref


def _step(ref: Ref) -> Source:
    """What one reference names directly: a layer's full name, or the next reference to follow."""
    scope, parts = ref.scope, ref.name.split(".")
    for part in parts[:-1]:
        if part not in scope.children:
            raise CnnCalcError(f"{ref.name!r}: no block instance or split {part!r} in this scope", ref.location)
        scope = scope.children[part]
    last = parts[-1]
    if last == "in" and scope.parent_input is not None:
        return scope.parent_input
    if last == INPUT and scope.prefix == "":
        return INPUT
    if last not in scope.names:
        known = [*scope.names, "in" if scope.prefix else INPUT]
        raise CnnCalcError(f"undefined name {ref.name!r}{did_you_mean(last, known)}; names here: "
                           f"{', '.join(known[:12])}{' ...' if len(known) > 12 else ''}", ref.location)
    return scope.names[last]


__all__ = ["Ref", "Scope", "Source", "resolve"]

"""The network as block instances and their entries: what each class of the exported file is written from.

A `Scope` is one block instance (or the network itself): its arguments, its input
and output, and for each entry of the block's definition the copies it made (none
for ``repeat: 0``, several for ``repeat: n``), each a layer or a nested instance.
`sources` resolves the names an entry reads (``from``, a merge's list, or the
previous entry) the way the expander does, at the level of entries: an absent
entry passes its input on. `check` proves that this reading reproduces the
concrete graph in every instance; where it does not, the export writes the
network without classes (`program`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cnncalc.dsl.document import evaluate_value
from cnncalc.graph import Graph
from cnncalc.spec import INPUT, BlockInstance, LayerSpec
from cnncalc.torch.record import Entry, Recording

IN = -1  # an entry's source: the scope's input


@dataclass(frozen=True)
class Item:
    """One copy made by an entry: a layer or a block instance."""

    name: str  # full name
    out: str  # full name of the layer that is its output
    layer: LayerSpec | None = None
    block: BlockInstance | None = None
    input: str = ""  # what a block instance reads

    @property
    def local(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass
class Scope:
    path: str  # "" for the network
    block: str | None
    input: str
    output: str
    env: dict[str, Any]  # the names its expressions see: the vars, then the block's arguments
    copies: list[list[Item]] = field(default_factory=list)  # per entry
    off: set[int] = field(default_factory=set)  # entries whose `if` is false here: they pass on the previous


def scopes(graph: Graph, recording: Recording) -> dict[str | None, list[Scope]]:
    """Every instance of every block (key: the block's name; None: the network)."""
    by_place: dict[tuple[str, object], list[Item]] = {}
    for node in graph.spec.layers:
        parent = node.scope[-1] if node.scope else ""
        by_place.setdefault((parent, node.location), []).append(Item(node.name, node.name, layer=node))
    for b in graph.spec.blocks:  # in the order they were made: copies in order
        parent = b.path.rsplit(".", 1)[0] if "." in b.path else ""
        by_place.setdefault((parent, b.location), []).append(
            Item(b.path, b.out, block=b, input=recording.inputs.get(b.path, "")))
    order = {n.name: k for k, n in enumerate(graph.spec.layers)}
    for items in by_place.values():
        items.sort(key=lambda it: order.get(it.name, -1) if it.layer else min(
            (k for n, k in order.items() if n.startswith(it.name + ".")), default=-1))
    doc = recording.document
    found: dict[str | None, list[Scope]] = {None: [Scope("", None, INPUT, graph.output, dict(doc.vars))]}
    for b in graph.spec.blocks:
        env = {**doc.vars, **recording.args.get(b.path, {})}
        found.setdefault(b.block, []).append(Scope(b.path, b.block, recording.inputs.get(b.path, ""), b.out, env))
    for block, instances in found.items():
        entries = recording.entries(block)
        for s in instances:
            s.copies = [by_place.get((s.path, e.where), []) for e in entries]
            s.off = {k for k, e in enumerate(entries) if e.cond is not None
                     and not evaluate_value(e.cond, s.env, e.where)}
    return found


def sources(entries: list[Entry], scope: Scope, numbered: bool = False) -> list[list[tuple[int, int]]] | None:
    """For each entry, what its first copy reads: (entry, copy) pairs, copy -1 meaning the entry's
    output (its last copy, or its input when it made none), entry `IN` the scope's input. None where a
    name reaches inside a nested instance or cannot be read at this level. In a `numbered` block the
    unnamed entries are named 0, 1, 2 …"""
    names: dict[str, tuple[int, int]] = {}
    counters: dict[str, int] = {}
    number = 0
    for k, e in enumerate(entries):
        n = len(scope.copies[k])
        for c in range(n):
            counters[e.type_name] = counters.get(e.type_name, 0) + 1
            if e.name is not None:
                local = f"{e.name}_{c + 1}" if n > 1 else e.name
            elif numbered:
                local, number = str(number), number + 1
            elif e.type_name.startswith("$"):
                continue  # TYPE plus a counter of the type it took: not readable at this level
            else:
                local = f"{e.type_name}{counters[e.type_name]}"
            names[local] = (k, c if c < n - 1 else -1)
        if e.name is not None:
            names[e.name] = (k, -1)
    result: list[list[tuple[int, int]]] = []
    for k, e in enumerate(entries):
        if e.sources is None:
            result.append([(k - 1, -1) if k > 0 else (IN, -1)])
            continue
        refs = e.sources if isinstance(e.sources, list) else [e.sources]
        resolved = []
        for ref in refs:
            if not isinstance(ref, str):
                return None
            if (ref == "in" and scope.path) or (ref == INPUT and not scope.path):
                resolved.append((IN, -1))
            elif ref in names:
                resolved.append(names[ref])
            else:
                return None  # a dotted path into a nested instance, or a name only the expander knows
        result.append(resolved)
    return result


def value(scope: Scope, reads: list[list[tuple[int, int]]], ref: tuple[int, int], depth: int = 0) -> str | None:
    """The full name of the layer that `ref` denotes in `scope` (absent entries pass their input on)."""
    entry, copy = ref
    if entry == IN:
        return scope.input
    items = scope.copies[entry]
    if copy >= 0:
        return items[copy].out if copy < len(items) else None
    if items:
        return items[-1].out
    if depth > len(reads):
        return None
    if entry in scope.off:  # `if` false: the previous entry's output, whatever the entry reads
        return value(scope, reads, (entry - 1, -1) if entry > 0 else (IN, -1), depth + 1)
    if len(reads[entry]) != 1:
        return None
    return value(scope, reads, reads[entry][0], depth + 1)


def check(entries: list[Entry], instances: list[Scope], numbered: bool = False) -> list[list[tuple[int, int]]] | None:
    """The entries' sources, if one reading of the names reproduces every instance's graph: each copy
    reads what the reading says (a later copy, the copy before it), and the output is the last entry's
    or the named one's."""
    agreed: list[list[tuple[int, int]]] | None = None
    for scope in instances:
        reads = sources(entries, scope, numbered)
        if reads is None or (agreed is not None and reads != agreed):
            return None
        agreed = reads
        for k, items in enumerate(scope.copies):
            for c, item in enumerate(items):
                wanted = [value(scope, reads, r) for r in reads[k]] if c == 0 else [items[c - 1].out]
                got = list(item.layer.inputs) if item.layer is not None else [item.input]
                if wanted != got:
                    return None
    return agreed


def output_entry(entries: list[Entry], reads: list[list[tuple[int, int]]], instances: list[Scope],
                 named: str | None) -> int | None:
    """The entry whose output is every instance's output (the last entry, or the one `out` names;
    `IN` when it names the input)."""
    if named in ("in", INPUT) and all(s.output == s.input for s in instances):
        return IN
    for k in ([len(entries) - 1] if named is None else [k for k, e in enumerate(entries) if e.name == named]):
        if all(value(s, reads, (k, -1)) == s.output for s in instances):
            return k
    return None

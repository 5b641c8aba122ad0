"""The module tree of an imported model -> blocks, repeats and plain entries.

Every module instance that reads one tensor from outside and gives one back is a
candidate block instance. Instances of the same class (or, for ``nn.Sequential``
and the other containers, the same contents) become one block when
`importer_unify` can write them as one body with arguments; consecutive uses of a
block, each fed by the one before, become one entry with ``repeat``. Any other
instance is written inline, its entries in its parent's list. Names come from the
modules' attribute names (``conv1``, ``downsample``); numbered ones (``0``, ``1``)
take the language's automatic names (``conv1``, ``BasicBlock2``).

The result is checked: read back, it must be exactly the traced network, layer by
layer, or the flat list is written instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cnncalc import layers
from cnncalc.torch.importer import Traced
from cnncalc.torch.importer_unify import Item, Run, Template, Unifier

CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")


@dataclass
class Inst:
    """One module instance: its children (ops and instances) in the order they run."""

    path: str
    cls: str
    children: list[int | Inst] = field(default_factory=list)
    ops: set[int] = field(default_factory=set)
    ext: int | None = None  # the one op (or INPUT) it reads from outside, if one
    out: int | None = None  # the one op of it read from outside, if one
    items: list[Item] = field(default_factory=list)
    block: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def attr(self) -> str:
        return self.path.rsplit(".", 1)[-1]


def tree(traced: Traced) -> Inst | None:
    """The module instances with their ops; None when a module's ops do not run in one stretch."""
    root = Inst("", "")
    made: dict[str, Inst] = {"": root}
    chain: list[Inst] = [root]
    for k, op in enumerate(traced.ops):
        depth = 1
        for path, cls in op.scopes:
            if depth < len(chain) and chain[depth].path == path:
                depth += 1
                continue
            if path in made:
                return None  # re-entered after another module ran
            chain = chain[:depth]
            made[path] = Inst(path, cls)
            chain[-1].children.append(made[path])
            chain.append(made[path])
            depth += 1
        chain = chain[:depth]
        chain[-1].children.append(k)
    readers: dict[int, set[int]] = {}
    for k, op in enumerate(traced.ops):
        for i in op.inputs:
            readers.setdefault(i, set()).add(k)
    for inst in made.values():
        inst.ops = _ops(inst)
        ext = {i for k in inst.ops for i in traced.ops[k].inputs if i not in inst.ops}
        outs = {k for k in inst.ops if k == traced.output or readers.get(k, set()) - inst.ops}
        inst.ext = ext.pop() if len(ext) == 1 else None
        inst.out = outs.pop() if len(outs) == 1 else None
    return root


def _ops(inst: Inst) -> set[int]:
    found: set[int] = set()
    for child in inst.children:
        found |= {child} if isinstance(child, int) else _ops(child)
    return found


class Structurer:
    def __init__(self, traced: Traced) -> None:
        self.traced = traced
        self.blocks: dict[str, tuple[Template, str]] = {}  # name -> body, doc

    def items(self, inst: Inst) -> list[Item]:
        """The instance's entries: its layers, its block children, its inline children's entries; runs merged.
        A module called twice (ResNet's one ReLU) keeps its name for its first call only."""
        result: list[Item] = []
        used: set[str] = set()

        def own(name: str, prefix: str = "") -> str | None:
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
                return None
            if name in used and re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", prefix):
                name = f"{prefix}_{name}"  # a name an inline child repeats: denselayer2_norm1
            if name in used:
                return None
            used.add(name)
            return name

        for child in inst.children:
            if isinstance(child, int):
                op = self.traced.ops[child]
                result.append(Item(op.kind, dict(op.args), list(op.inputs), child, own(op.leaf), op.torch,
                                   inner={child}, parent=inst.path))
            elif child.block is not None:
                assert child.ext is not None and child.out is not None
                result.append(Item(child.block, dict(child.values), [child.ext], child.out, own(child.attr),
                                   inner=child.ops, parent=inst.path))
            else:
                for item in child.items:
                    item.name = own(item.name, child.attr) if item.name else None
                    result.append(item)
        return _runs(result, set(self.blocks))

    def resolve(self, root: Inst) -> None:
        """Items for every instance, children first. The uses of a class are made into a block together,
        once all of them have their items; containers (nn.Sequential ...) with the same contents likewise."""
        unresolved = [i for i in _walk(root) if i is not root]
        inline = {i.cls for i in unresolved if i.ext is None or i.out is None}  # a class is a block everywhere
        with_items: list[Inst] = []
        while unresolved:
            ready = [i for i in unresolved if i not in with_items and
                     all(isinstance(c, int) or c not in unresolved for c in i.children)]
            for inst in ready:
                inst.items = self.items(inst)
            with_items += ready
            done = [i for i in with_items if i.ext is None or i.out is None or
                    (i.cls in inline and i.cls not in CONTAINERS)]  # written inline
            groups: dict[Any, list[Inst]] = {}
            for inst in with_items:
                if inst not in done:
                    key = (inst.cls, self.signature(inst)) if inst.cls in CONTAINERS else inst.cls
                    groups.setdefault(key, []).append(inst)
            waiting = {i.cls for i in unresolved if i not in with_items}
            for key, members in groups.items():
                if isinstance(key, tuple) or key not in waiting or not ready:
                    self.group(members)
                    done += members
            if not ready and not done:
                done = list(with_items)  # nothing can move: the rest is written inline
            unresolved = [i for i in unresolved if i not in done]
            with_items = [i for i in with_items if i not in done]
        root.items = self.items(root)

    def signature(self, inst: Inst) -> tuple[Any, ...]:
        return tuple((i.type, i.count > 1) for i in inst.items)

    def group(self, members: list[Inst]) -> None:
        if len(members) < 2:
            return
        unifier = Unifier([(m.items, m.ext, m.out) for m in members])  # type: ignore[misc]
        template = unifier.unify()
        if template is None:  # split the uses by their exact layout and try each part
            exact: dict[str, list[Inst]] = {}
            for m in members:
                exact.setdefault(repr([(i.type, i.name, i.count, sorted(i.args)) for i in m.items]), []).append(m)
            if len(exact) > 1:
                for part in exact.values():
                    self.group(part)
            return
        name = self.block_name(members)
        self.blocks[name] = (template, f"{members[0].cls} ({len(members)} uses)")
        for k, m in enumerate(members):
            m.block = name
            m.values = {a: v[k] for a, v in zip(unifier.args, unifier.values, strict=True)}

    def block_name(self, members: list[Inst]) -> str:
        first = members[0]
        base = (re.sub(r"\d+$", "", first.attr) or first.cls) if first.cls in CONTAINERS else first.cls
        base = re.sub(r"[^A-Za-z0-9_]", "_", base).strip("_") or "block"
        base = base if base[0].isalpha() else f"block_{base}"
        if layers.canonical(base) is not None or base in ("input", "in"):
            base = f"{base}_block"
        name, k = base, 1
        while name in self.blocks or layers.canonical(name) is not None:
            k += 1
            name = f"{base}{k}"
        return name


def _walk(inst: Inst) -> list[Inst]:
    found = [inst]
    for child in inst.children:
        if not isinstance(child, int):
            found += _walk(child)
    return found


def _runs(items: list[Item], blocks: set[str]) -> list[Item]:
    """Consecutive unnamed uses of one block, each fed by the previous, as one repeated item."""
    read: dict[int, int] = {}
    for item in items:
        for s in item.sources:
            read[s] = read.get(s, 0) + 1
    result: list[Item] = []
    for item in items:
        last = result[-1] if result else None
        if (last is not None and item.type in blocks and last.type == item.type and item.name is None
                and item.parent == last.parent
                and last.name is None and item.sources == [last.out] and read.get(last.out) == 1):
            merged = _merge(last, item)
            if merged is not None:
                result[-1] = merged
                continue
        result.append(item)
    return result


def _merge(run: Item, item: Item) -> Item | None:
    """`run` followed by one more copy, when every copy after the first has the same arguments."""
    args: dict[str, Any] = {}
    for key, value in run.args.items():
        first, rest = (value.first, value.rest) if isinstance(value, Run) else (value, None)
        new = item.args.get(key)
        if run.count == 1:
            args[key] = Run(first, new) if new != first else first
        elif rest is not None and new == rest:
            args[key] = value
        elif rest is None and new == first:
            args[key] = first
        else:
            return None
    return Item(run.type, args, run.sources, item.out, None, run.torch, run.count + 1, run.inner | item.inner,
                run.parent)


__all__ = ["Inst", "Structurer", "tree"]

"""The structured network file of a traced model, checked against the model it came from.

`structured` builds the module tree and its blocks (`importer_blocks`), names
every scope's entries (`importer_names`), renders the entries, and reads the
text back: the network must be the traced one, layer for layer (kind,
arguments, inputs and spelling), or None is returned and the flat list is
written instead.
"""

from __future__ import annotations

from typing import Any

from cnncalc import layers
from cnncalc.errors import CnnCalcError
from cnncalc.torch.importer import INPUT, Traced
from cnncalc.torch.importer_blocks import Structurer, tree
from cnncalc.torch.importer_names import name_scope
from cnncalc.torch.importer_unify import Run, _bare
from cnncalc.torch.importer_yaml import Entry


def shown_args(kind: str, args: dict[str, Any]) -> dict[str, Any]:
    """Arguments without those at a layer kind's default (a block's are all written)."""
    cls = layers.lookup(kind)
    if cls is None:
        return {k: _value(v) for k, v in args.items()}
    defaults = {a.name: a.default for a in cls.args()}
    return {k: _value(v) for k, v in args.items() if k not in defaults or v != defaults[k]}


def _value(value: Any) -> Any:
    if isinstance(value, Run):
        return value.first if value.first == value.rest else f"${{{_bare(value.first)} if i == 0 else " \
                                                             f"{_bare(value.rest)}}}"
    return value


def _entries(records: list[tuple[str, str | None, Any, list[str], dict[str, Any], str]], first: str) -> list[Entry]:
    """Entries of one scope from (type, wanted name, copies, references, arguments, spelling)."""
    refers = [False] * len(records)
    keys = [r[1] for r in records]
    for k, (_, _, _, refs, _, _) in enumerate(records):
        for ref in refs:
            if ref in keys and (keys.index(ref) != k - 1 or len(refs) > 1):
                refers[keys.index(ref)] = True
    names = name_scope([(t, n if n and not n.startswith("#") else None, c, refers[k])
                        for k, (t, n, c, _, _, _) in enumerate(records)])
    ref_name = {key: names[k][1] for k, key in enumerate(keys) if key is not None}
    entries = []
    previous = first
    for k, (kind, _, count, refs, args, spelling) in enumerate(records):
        sources = [ref_name.get(r, r) for r in refs]
        entry = Entry(kind, shown_args(kind, args), names[k][0], None if sources == [previous] else sources,
                      spelling, None if count == 1 else count)
        entries.append(entry)
        previous = names[k][1]
    return entries


def structured(traced: Traced) -> tuple[list[Entry], dict[str, Any], dict[str, Any], str | None] | None:
    """(entries, blocks, vars, out) of the structured file, or None when it would not be the traced network."""
    root = tree(traced)
    if root is None:
        return None
    maker = Structurer(traced)
    maker.resolve(root)
    blocks: dict[str, Any] = {}
    for name, (template, doc) in maker.blocks.items():
        records = [(i["type"], i["key"], i["repeat"] if i["repeat"] is not None else 1, i["refs"], i["args"],
                    i["torch"]) for i in template.items]
        body = _entries(records, "in")
        out = None
        if template.out is not None:
            out = body[next(k for k, i in enumerate(template.items) if i["key"] == template.out)].name
        blocks[name] = ({a: None for a in template.args}, body, doc, out)
    items = root.items
    made = {item.out: item.name or f"#{k}" for k, item in enumerate(items)}
    made[INPUT] = "input"
    records = [(i.type, i.name or f"#{k}", i.count, [made.get(s, "?") for s in i.sources], i.args, i.torch)
               for k, i in enumerate(items)]
    entries = _entries(records, "input")
    out_item = next(k for k, i in enumerate(items) if i.out == traced.output)
    out = None if out_item == len(items) - 1 else entries[out_item].name
    return entries, blocks, {}, out


def check(text: str, traced: Traced) -> bool:
    """The file read back is the traced network: kinds, arguments, inputs and spellings in order."""
    from cnncalc import load_text_graph

    try:
        graph = load_text_graph(text, "<import>")
    except CnnCalcError:
        return False
    specs = list(graph.order)
    if len(specs) != len(traced.ops):
        return False
    index = {s.name: k for k, s in enumerate(specs)}
    for spec, op in zip(specs, traced.ops, strict=True):
        expected = layers.require(op.kind).from_args(op.args)
        if spec.layer != expected or spec.torch != op.torch:
            return False
        if [index.get(i, INPUT) for i in spec.inputs] != list(op.inputs):
            return False
    return index.get(graph.output, INPUT) == traced.output


__all__ = ["check", "shown_args", "structured"]

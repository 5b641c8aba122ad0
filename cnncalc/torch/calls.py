"""The code of one entry's copies in a class: a layer's constructor call, a block's class call, a
merge, an entry no instance has (lowered as it would be), a loop over copies.

Every number is chosen by `classes.choose` among the expressions that could have
made it, checked against every copy of every instance (`program.write` drives).
"""

from __future__ import annotations

from typing import Any

from cnncalc.torch.classes import (
    IN,
    Choice,
    Expr,
    Lit,
    Names,
    Unwritable,
    channels_after,
    choose,
    substituted,
    yaml_candidates,
)
from cnncalc.torch.codegen import identifier, literal
from cnncalc.torch.ctor import read
from cnncalc.torch.record import Entry
from cnncalc.torch.scopes import Item, Scope, value
from cnncalc.torch.written import Context, Written, render


def entry_call(entry: Entry, items: list[Item], envs: list[dict[str, Any]], in_ch: list[Choice | None], ctx: Context,
          written: Written, made: tuple[list[Any], list[int], list[list[int]]] | None = None,
          ) -> tuple[str | None, Choice | None, str, bool]:
    """The constructor call of one copy (None for a merge), its output channels, merge kind, in place.
    `made`: the modules, output and input channels of copies no instance has."""
    if made is None and items[0].block is not None:
        return _block_call(entry, items, envs, in_ch, ctx, written)
    if made is not None:
        modules, outs, ins = made
    else:
        outs = [ctx.channels[it.out] for it in items]
        modules = [ctx.module(it.name) for it in items]
        ins = [[ctx.channels[i] for i in it.layer.inputs] for it in items if it.layer is not None]
    kind = getattr(modules[0], "MERGE", "")
    known = [c for c in in_ch if c is not None]
    if kind:
        if kind == "cat" and any(getattr(m, "dim", 1) != 1 for m in modules):
            raise Unwritable("a concatenation along another dimension")
        out = channels_after(outs, ins, envs, known if len(known) == len(in_ch) else [], [])
        return None, out, kind, bool(getattr(modules[0], "inplace", False))
    calls = [read(m) for m in modules]
    if any(c.shape() != calls[0].shape() for c in calls):
        raise Unwritable("copies built by different constructors")
    written.customs |= calls[0].customs()
    candidates = yaml_candidates(entry.value, ctx.defaults.get(entry.type_name))
    code: dict[tuple[Any, ...], str] = {}
    chosen: list[tuple[Choice, list[Any]]] = []
    leaves = [c.leaves() for c in calls]
    for n, (path, _) in enumerate(leaves[0]):
        values = [lv[n][1] for lv in leaves]
        extra = [known[0]] if known and isinstance(values[0], int) and not isinstance(values[0], bool) else []
        choice = choose(values, envs, [*candidates, *extra] if len(path) > 1 or path[0] > 0 else [*extra, *candidates])
        code[path] = render(written, choice, ctx)
        if len(path) == 1 and path[0] < 2:
            chosen.append((choice, values))
    out = channels_after(outs, ins, envs, known[:1], chosen)
    return calls[0].render(code), out, "", False


def _block_call(entry: Entry, items: list[Item], envs: list[dict[str, Any]], in_ch: list[Choice | None],
                ctx: Context, written: Written) -> tuple[str, Choice | None, str, bool]:
    if entry.type_name not in ctx.block_args:
        raise Unwritable("a block chosen by a block argument or var")  # one class per instance instead
    classes = {id(ctx.classes[it.name]) for it in items}
    if len(classes) != 1:
        raise Unwritable("instances written as different classes")
    child = ctx.classes[items[0].name]
    written.customs |= child.customs
    given = _given(entry, child, ctx.block_args[entry.type_name])
    parts: list[str] = []
    args: dict[str, Choice] = {}
    for p in child.names.params:
        values = [child.values[it.name][p] for it in items]
        own = p in ctx.block_args.get(entry.type_name, [])
        if p == IN:
            candidates = [c for c in in_ch[:1] if c is not None]
        elif p in given:
            candidates = [given[p]]
        elif own and child.names.defaults.get(p) is not None:
            continue  # not written in the entry: the class's default gives it, as the block's does
        else:
            candidates = [Expr(p)] if p in ctx.vars else []
        choice = choose(values, envs, candidates)
        args[p] = choice
        text = render(written, choice, ctx)
        default = child.names.defaults.get(p)
        if p == IN:
            parts.append(text)
        elif not (default is not None and isinstance(choice, Lit) and default == literal(choice.value)):
            parts.append(f"{child.names.python[p]}={text}")
    outs = [ctx.channels[it.out] for it in items]
    out = substituted(child.out, args)
    try:  # None, not a constant, where the child's own names are needed: the caller asks the instance
        out = choose(outs, envs, [out]) if out is not None else None
    except Unwritable:
        out = None
    return f"{child.name}({', '.join(parts)})", out, "", False


def _given(entry: Entry, child: Written, arg_names: list[str]) -> dict[str, Choice]:
    """The block arguments as the entry writes them (a mapping, a list in order, or one value)."""
    own = arg_names
    value = entry.value
    pairs: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list) and len(own) > 1:
        pairs = list(zip(own, value, strict=False))
    elif value is not None and own:
        pairs = [(own[0], value)]
    found: dict[str, Choice] = {}
    for key, v in pairs:
        cands = yaml_candidates(v)
        found[key] = cands[0] if cands else Lit(v)
    return found


def absent(entry: Entry, source: str | None, env: dict[str, Any], ctx: Context) -> tuple[Any, int]:
    """The module an entry would make, lowered on the meta device, and its output channels."""
    import torch

    from cnncalc import layers
    from cnncalc.dsl.document import evaluate_value
    from cnncalc.errors import CnnCalcError

    kind = layers.canonical(entry.type_name)
    if kind is None or not source:
        raise Unwritable("an absent block instance")
    cls = layers.require(kind)
    raw: dict[str, Any] = {}
    try:
        for given in (ctx.defaults.get(entry.type_name), entry.value):
            if isinstance(given, dict):
                raw |= {key: evaluate_value(v, env, entry.where) for key, v in given.items()}
            elif given is not None and (primary := cls.primary()) is not None:
                raw[primary] = evaluate_value(given, env, entry.where)
        bound = cls.from_args(raw).bind([ctx.shapes[source]])
        with torch.device("meta"):
            module = bound.layer.to_torch(bound)
    except (CnnCalcError, TypeError, ValueError) as exc:
        raise Unwritable(f"cannot lower an absent entry: {exc}") from None
    return module, bound.output[0]


def either(out: Choice | None, passed: Choice | None, instances: list[Scope], k: int, envs: list[dict[str, Any]],
            ctx: Context, reads: list[list[tuple[int, int]]]) -> Choice | None:
    """The channels after an entry that only some instances have: one expression right for both."""
    values = [ctx.channels[s.copies[k][0].out if s.copies[k] else value(s, reads, (k, -1)) or ""]
              for s in instances]
    try:
        return choose(values, envs, [c for c in (out, passed) if c is not None])
    except Unwritable:
        return None


def loop(entry: Entry, k: int, instances: list[Scope], envs: list[dict[str, Any]], ctx: Context, count: Choice,
          sources: list[Choice | None], written: Written, offset: int | None, append: bool = False) -> Choice | None:
    """Copies made by a repeat count that is an expression: a loop in a chain (an nn.Sequential), the
    channel count carried in a variable when the copies change it; `append`: in a numbered chain,
    each copy named by its position (``self.append``)."""
    run = f"c{k}_"  # DSL name of the running channel count
    names = written.names
    names.python.setdefault("i", "i")
    names.python[run] = identifier("channels", set(names.python.values()))
    items: list[Item] = []
    penvs: list[dict[str, Any]] = []
    for n, s in enumerate(instances):
        for c, item in enumerate(s.copies[k]):
            items.append(item)
            penvs.append(envs[n] | {"i": c, run: _in_channels(item, ctx)})
    if not items:
        raise Unwritable("a loop that makes no copy anywhere")
    call, out, _, _ = entry_call(entry, items, penvs, [Expr(run)], ctx, written)
    assert call is not None
    start = sources[0] if sources else None
    if start is None:
        raise Unwritable("the loop's input channels are unknown")
    lines = [f"{names.python[run]} = {render(written, start, ctx)}"]
    if append:
        add = f"self.append({call})"
    else:
        add = f"self.add_module({_copy_name(entry, items, instances, k, count, names, ctx, offset)}, {call})"
    update = [] if out == Expr(run) or out is None else [f"    {names.python[run]} = {render(written, out, ctx)}"]
    if out is None:
        raise Unwritable("the copies' output channels are unknown")
    lines += [f"for i in range({render(written, count, ctx)}):", f"    {add}", *update]
    written.body.extend(lines)
    return Expr(run)


def _in_channels(item: Item, ctx: Context) -> int:
    source = item.input if item.block is not None else (item.layer.inputs[0] if item.layer is not None else "")
    return int(ctx.channels[source])


def _copy_name(entry: Entry, items: list[Item], instances: list[Scope], k: int, count: Choice, names: Names,
               ctx: Context, offset: int | None) -> str:
    """The code of the i-th copy's name, checked against every copy."""
    import re

    base = entry.name if entry.name is not None else entry.type_name
    if not re.fullmatch(r"[A-Za-z0-9_-]+", base):
        raise Unwritable("a name that cannot go in an f-string")
    counts = [len(s.copies[k]) for s in instances]
    expected = []
    for s in instances:
        n = len(s.copies[k])
        for c in range(n):
            if entry.name is not None:
                expected.append(entry.name if n == 1 else f"{entry.name}_{c + 1}")
            elif offset is not None:
                expected.append(f"{entry.type_name}{offset + c + 1}")
            else:
                raise Unwritable("counter names after a repeat count that varies")
    if [ctx.path(it.name) for it in items] != expected:
        raise Unwritable("copy names the loop cannot write")
    if entry.name is None:
        return f'f"{base}{{i + {offset + 1}}}"' if offset else f'f"{base}{{i + 1}}"'
    if 1 not in counts:
        return f'f"{base}_{{i + 1}}"'
    return f'"{base}" if {names.render(count)} == 1 else f"{base}_{{i + 1}}"'

"""Write one block's class (or the network's) from its instances: ``__init__`` and ``forward``.

The ``__init__`` follows the block's entries: a constructor call per entry, ``if``
around an entry whose ``repeat`` is 0 or 1 (``self.shortcut = ... if down else
None``), a loop over copies (``for i in range(blocks)``) with the channel count
carried in a variable where it changes. A block whose entries form a chain is an
``nn.Sequential`` (its forward is the chain); any other has a ``forward``
written by `forward.forward_lines`. Every number is chosen by `classes.choose`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cnncalc import layers
from cnncalc.torch.calls import absent, either, entry_call, loop
from cnncalc.torch.classes import IN, Choice, Expr, Lit, Names, Unwritable, count_choice, yaml_candidates
from cnncalc.torch.codegen import attr, condition, identifier, literal, usable
from cnncalc.torch.forward import Step, forward_lines
from cnncalc.torch.modules import Add, Concat, Mul
from cnncalc.torch.record import Entry
from cnncalc.torch.scopes import IN as SOURCE
from cnncalc.torch.scopes import Scope, check, output_entry, value
from cnncalc.torch.written import Context, Written, free_names, render


def write(entries: list[Entry], instances: list[Scope], ctx: Context, class_name: str,
          params: list[tuple[str, Any]], named_out: str | None, top: bool, numbered: bool = False) -> Written:
    """The class of `instances` (all made from `entries`); `params`: (DSL name, default as written)
    of the block's own arguments, or of the network's vars. A `numbered` chain of unnamed entries is
    an ``nn.Sequential`` filled by ``self.append`` (its children 0, 1, 2 … as the network names them)."""
    reads = check(entries, instances, numbered)
    out_k = output_entry(entries, reads, instances, named_out) if reads is not None else None
    if reads is None or out_k is None:
        raise Unwritable("the entries' wiring differs between instances")
    chain = out_k == len(entries) - 1 and all(r == [(k - 1, -1) if k else (SOURCE, -1)] for k, r in enumerate(reads))
    append = chain and numbered and all(e.name is None for e in entries)
    written = Written(class_name, "nn.Sequential" if chain else "nn.Module", Names(), [], None, None,
                      {s.path: {} for s in instances})
    names = written.names
    if not top:
        _param(written, IN, "in_channels", None, [ctx.channels[s.input] for s in instances], instances)
    envs = [dict(s.env) for s in instances]
    for dsl, default in params:
        computed = _default(default)
        _param(written, dsl, dsl, "None" if isinstance(computed, Expr) else literal(default) if default is not None
               else None, [s.env.get(dsl) for s in instances], instances)
        if isinstance(computed, Expr):
            py = names.python[dsl]
            written.body.append(f"{py} = {render(written, computed, ctx)} if {py} is None else {py}")
    envs = [env | written.values[s.path] for env, s in zip(envs, instances, strict=True)]
    steps: list[Step] = []
    ch: dict[int, Choice | None] = {SOURCE: Lit(ctx.channels[instances[0].input]) if top else Expr(IN)}
    counters: dict[str, int | None] = {}
    alias: dict[str, str] = {}  # an entry left out -> the value it passes on
    for k, entry in enumerate(entries):
        counts = [len(s.copies[k]) for s in instances]
        count = count_choice(entry.repeat, counts, envs, entry.cond)
        offset = counters.get(entry.type_name, 0)
        fixed = offset + count.value if isinstance(count, Lit) and offset is not None else None
        counters[entry.type_name] = fixed
        sources = [ch.get(r[0]) if r[1] == -1 else None for r in reads[k]]
        optional = isinstance(count, Expr) and set(counts) <= {0, 1}
        if chain and not optional and (not isinstance(count, Lit) or count.value > 1):
            ch[k] = loop(entry, k, instances, envs, ctx, count, sources, written, None if append else offset, append)
            continue
        if isinstance(count, Expr) and not optional:
            raise Unwritable("a repeat count that varies, outside a chain")
        for c in range(max(counts)):
            items = [s.copies[k][c] for s in instances if c < len(s.copies[k])]
            penvs = [env | {"i": c} for env, s in zip(envs, instances, strict=True) if c < len(s.copies[k])]
            call, out_ch, merge, inplace = entry_call(entry, items, penvs, sources if c == 0 else [ch.get(k)], ctx,
                                                 written)
            name = ctx.path(items[0].name)
            asked = ""
            if out_ch is None and items[0].block is not None and len(items) == len(instances):
                # a block whose output channels no expression of its arguments gives: ask the instance
                out_ch = Expr(f"o{k}c{c}_")
                asked = identifier("channels", set(written.names.python.values())) if append else ""
                written.names.python[out_ch.text] = asked or attr("self", name) + ".out_channels"
                for env, item in zip(envs, items, strict=True):
                    env[out_ch.text] = ctx.channels[item.out]
            elif out_ch is None and len({ctx.channels[it.out] for it in items}) == 1:
                out_ch = Lit(ctx.channels[items[0].out])
            if not append and any(ctx.path(it.name) != name for it in items):
                raise Unwritable("copies named differently")
            guard = ""
            if call is not None:
                cond = condition(render(written, count, ctx)) if optional else ""
                if optional and entry.cond is not None and entry.sources is not None:
                    raise Unwritable("an entry with both `if` and `from`")
                written.body.append(_append(call, cond, asked) if append else _assign(name, call, cond, chain))
            elif optional:  # a merge made where its `if` holds: a flag, as torchvision's use_res_connect
                guard = _flag(written, name, condition(render(written, count, ctx)))
            key = f"e{k}" if c == max(counts) - 1 else f"e{k}c{c}"
            inputs = tuple(_key(r) for r in reads[k]) if c == 0 else (f"e{k}c{c - 1}",)
            steps.append(Step(key, inputs, call=attr("self", name), merge=merge, inplace=inplace,
                              optional=optional and not guard, hint=name, guard=guard,
                              passes=_passed(entry, k, reads) if guard else ""))
            passed = ch.get(k - 1 if k else SOURCE) if entry.cond is not None else sources[0]
            ch[k] = either(out_ch, passed, instances, k, envs, ctx, reads) if optional else out_ch
        if max(counts) == 0 and _block_type(entry, ctx):  # a block no instance has: no class to call
            cond = condition(render(written, count, ctx))
            what = f"{entry.type_name.lstrip('$')} (when {cond}) is not in the network this file was exported from"
            written.body.append(f"if {cond}:\n    raise ValueError({what!r})")
            alias[f"e{k}"] = _passed(entry, k, reads)
            ch[k] = ch.get(k - 1 if k else SOURCE) if entry.cond is not None else sources[0] if sources else None
        elif max(counts) == 0 and (merged := MERGES.get(layers.canonical(entry.type_name) or "")):
            if entry.cond is None:
                raise Unwritable("a merge repeated 0 times")
            name = entry.name if entry.name is not None else f"{entry.type_name}{(offset or 0) + 1}"
            guard = _flag(written, name, condition(render(written, count, ctx)))
            steps.append(Step(f"e{k}", tuple(_key(r) for r in reads[k]), merge=merged, hint=name, guard=guard,
                              passes=_passed(entry, k, reads)))
            ch[k] = ch.get(k - 1 if k else SOURCE)
        elif max(counts) == 0:  # an optional entry no instance has: lowered as it would be
            made = [absent(entry, value(s, reads, reads[k][0]) if reads[k] else "", s.env | env, ctx)
                    for s, env in zip(instances, envs, strict=True)]
            modules, outs = [m for m, _ in made], [o for _, o in made]
            ins = [[ctx.channels[value(s, reads, reads[k][0]) or ""]] for s in instances]
            call, _, merge, _ = entry_call(entry, [], envs, sources, ctx, written, (modules, outs, ins))
            if call is None or merge or (offset is None and entry.name is None and not append):
                raise Unwritable("an absent merge")
            name = entry.name if entry.name is not None else f"{entry.type_name}{(offset or 0) + 1}"
            cond = condition(render(written, count, ctx))
            written.body.append(_append(call, cond, "") if append else _assign(name, call, cond, chain))
            steps.append(Step(f"e{k}", tuple(_key(r) for r in reads[k]), call=attr("self", name), optional=True,
                              hint=name))
            ch[k] = sources[0] if sources else None
    out = ch.get(out_k)
    if out is not None:
        written.body.append(f"self.out_channels = {render(written, out, ctx)}")
    # for a parent: the output's channels over the parameters only (not a loop's running count)
    written.out = out if not isinstance(out, Expr) or free_names(out.text) <= set(names.params) else None
    if not chain:
        steps = [replace(st, inputs=tuple(_through(alias, i) for i in st.inputs),
                         passes=_through(alias, st.passes) if st.passes else "") for st in steps]
        written.forward = forward_lines(steps, [_through(alias, _key((out_k, -1)))], "input")
    return written


def _param(written: Written, dsl: str, wanted: str, default: str | None, values: list[Any],
           instances: list[Scope]) -> None:
    names = written.names
    names.python[dsl] = identifier(wanted, set(names.python.values()))
    names.params.append(dsl)
    names.defaults[dsl] = default
    for s, v in zip(instances, values, strict=True):
        written.values[s.path][dsl] = v


def _default(default: Any) -> Choice | None:
    candidates = yaml_candidates(default)
    return candidates[0] if candidates else None


# a merge entry no instance has: the merge its module's forward writes (`modules.Add.MERGE` ...)
MERGES = {kind: module.MERGE for kind, module in (("add", Add), ("mul", Mul), ("concat", Concat))}


def _flag(written: Written, name: str, cond: str) -> str:
    """``self.use_NAME = COND`` in __init__; its code, for the forward."""
    flag = "use_" + identifier(name)
    written.body.append(f"self.{flag} = {cond}")
    return f"self.{flag}"


def _passed(entry: Entry, k: int, reads: list[list[tuple[int, int]]]) -> str:
    """The value an absent entry passes on: the previous entry's where its `if` is false, else what it reads."""
    if entry.cond is not None:
        return _key((k - 1, -1)) if k else _key((SOURCE, -1))
    return _key(reads[k][0]) if len(reads[k]) == 1 else ""


def _through(alias: dict[str, str], key: str) -> str:
    seen = 0
    while key in alias and seen <= len(alias):
        key, seen = alias[key], seen + 1
    if not key:
        raise Unwritable("a merge left out")
    return key


def _block_type(entry: Entry, ctx: Context) -> bool:
    """Whether the entry makes a block instance (or its type is a block argument's value)."""
    return entry.type_name in ctx.block_args or entry.type_name.startswith("$")


def _append(call: str, condition: str, channels: str) -> str:
    """A child of a numbered ``nn.Sequential``, named by its position (``channels``: a variable that
    keeps its output channels)."""
    lines = [f"self.append({call})", *([f"{channels} = self[-1].out_channels"] if channels else [])]
    return "\n".join([f"if {condition}:", *[f"    {line}" for line in lines]] if condition else lines)


def _assign(name: str, call: str, condition: str, chain: bool) -> str:
    target = f"self.{name}" if usable(name) else None
    if target is None:
        if condition and not chain:  # registered as None when absent: the forward tests for it
            return f"self.add_module({name!r}, {call} if {condition} else None)"
        line = f"self.add_module({name!r}, {call})"
        return f"if {condition}:\n    {line}" if condition else line
    if not condition:
        return f"{target} = {call}"
    return f"if {condition}:\n    {target} = {call}" if chain else f"{target} = {call} if {condition} else None"


def _key(ref: tuple[int, int]) -> str:
    entry, copy = ref
    return "input" if entry == SOURCE else f"e{entry}" if copy == -1 else f"e{entry}c{copy}"

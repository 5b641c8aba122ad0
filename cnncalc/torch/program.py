"""Write one block's class (or the network's) from its instances: ``__init__`` and ``forward``.

The ``__init__`` follows the block's entries: a constructor call per entry, ``if``
around an entry whose ``repeat`` is 0 or 1 (``self.shortcut = ... if down else
None``), a loop over copies (``for i in range(blocks)``) with the channel count
carried in a variable where it changes. A block whose entries form a chain is an
``nn.Sequential`` (its forward is the chain); any other has a ``forward``
written by `forward.forward_lines`. Every number is chosen by `classes.choose`.
"""

from __future__ import annotations

from typing import Any

from cnncalc.torch.calls import absent, either, entry_call, loop
from cnncalc.torch.classes import IN, Choice, Expr, Lit, Names, Unwritable, count_choice, yaml_candidates
from cnncalc.torch.codegen import attr, condition, identifier, literal, usable
from cnncalc.torch.forward import Step, forward_lines
from cnncalc.torch.record import Entry
from cnncalc.torch.scopes import IN as SOURCE
from cnncalc.torch.scopes import Scope, check, output_entry, value
from cnncalc.torch.written import Context, Written, free_names, render


def write(entries: list[Entry], instances: list[Scope], ctx: Context, class_name: str,
          params: list[tuple[str, Any]], named_out: str | None, top: bool) -> Written:
    """The class of `instances` (all made from `entries`); `params`: (DSL name, default as written)
    of the block's own arguments, or of the network's vars."""
    reads = check(entries, instances)
    out_k = output_entry(entries, reads, instances, named_out) if reads is not None else None
    if reads is None or out_k is None:
        raise Unwritable("the entries' wiring differs between instances")
    chain = out_k == len(entries) - 1 and all(r == [(k - 1, -1) if k else (SOURCE, -1)] for k, r in enumerate(reads))
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
    for k, entry in enumerate(entries):
        counts = [len(s.copies[k]) for s in instances]
        count = count_choice(entry.repeat, counts, envs)
        offset = counters.get(entry.type_name, 0)
        fixed = offset + count.value if isinstance(count, Lit) and offset is not None else None
        counters[entry.type_name] = fixed
        sources = [ch.get(r[0]) if r[1] == -1 else None for r in reads[k]]
        optional = isinstance(count, Expr) and set(counts) <= {0, 1}
        if chain and not optional and (not isinstance(count, Lit) or count.value > 1):
            ch[k] = loop(entry, k, instances, envs, ctx, count, sources, written, offset)
            continue
        if isinstance(count, Expr) and not optional:
            raise Unwritable("a repeat count that varies, outside a chain")
        for c in range(max(counts)):
            items = [s.copies[k][c] for s in instances if c < len(s.copies[k])]
            penvs = [env | {"i": c} for env, s in zip(envs, instances, strict=True) if c < len(s.copies[k])]
            call, out_ch, merge, inplace = entry_call(entry, items, penvs, sources if c == 0 else [ch.get(k)], ctx,
                                                 written)
            name = ctx.path(items[0].name)
            if out_ch is None and items[0].block is not None and len(items) == len(instances):
                # a block whose output channels no expression of its arguments gives: ask the instance
                out_ch = Expr(f"o{k}c{c}_")
                written.names.python[out_ch.text] = attr("self", name) + ".out_channels"
                for env, item in zip(envs, items, strict=True):
                    env[out_ch.text] = ctx.channels[item.out]
            elif out_ch is None and len({ctx.channels[it.out] for it in items}) == 1:
                out_ch = Lit(ctx.channels[items[0].out])
            if any(ctx.path(it.name) != name for it in items):
                raise Unwritable("copies named differently")
            if call is not None:
                cond = condition(render(written, count, ctx)) if optional else ""
                written.body.append(_assign(name, call, cond, chain))
            key = f"e{k}" if c == max(counts) - 1 else f"e{k}c{c}"
            inputs = tuple(_key(r) for r in reads[k]) if c == 0 else (f"e{k}c{c - 1}",)
            steps.append(Step(key, inputs, call=attr("self", name), merge=merge, inplace=inplace,
                              optional=optional, hint=name))
            ch[k] = either(out_ch, sources[0], instances, k, envs, ctx, reads) if optional else out_ch
        if max(counts) == 0:  # an optional entry no instance has: lowered as it would be
            made = [absent(entry, value(s, reads, reads[k][0]) if reads[k] else "", s.env | env, ctx)
                    for s, env in zip(instances, envs, strict=True)]
            modules, outs = [m for m, _ in made], [o for _, o in made]
            ins = [[ctx.channels[value(s, reads, reads[k][0]) or ""]] for s in instances]
            call, _, merge, _ = entry_call(entry, [], envs, sources, ctx, written, (modules, outs, ins))
            if call is None or merge or (offset is None and entry.name is None):
                raise Unwritable("an absent merge")
            name = entry.name if entry.name is not None else f"{entry.type_name}{(offset or 0) + 1}"
            written.body.append(_assign(name, call, condition(render(written, count, ctx)), chain))
            steps.append(Step(f"e{k}", tuple(_key(r) for r in reads[k]), call=attr("self", name), optional=True,
                              hint=name))
            ch[k] = sources[0] if sources else None
    out = ch.get(out_k)
    if out is not None:
        written.body.append(f"self.out_channels = {render(written, out, ctx)}")
    # for a parent: the output's channels over the parameters only (not a loop's running count)
    written.out = out if not isinstance(out, Expr) or free_names(out.text) <= set(names.params) else None
    if not chain:
        written.forward = forward_lines(steps, [_key((out_k, -1))], "input")
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

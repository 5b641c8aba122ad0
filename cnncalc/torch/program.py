"""Write one block's class (or the network's) from its instances: ``__init__`` and ``forward``.

The ``__init__`` follows the block's entries: a constructor call per entry, ``if``
around an entry whose ``repeat`` is 0 or 1 (``self.shortcut = ... if down else
None``), a loop over copies (``for i in range(blocks)``) with the channel count
carried in a variable where it changes. A block whose entries form a chain is an
``nn.Sequential`` (its forward is the chain); any other has a ``forward``
written by `forward.forward_lines`. Every number is chosen by `classes.choose`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cnncalc.torch.classes import (
    IN,
    Choice,
    Expr,
    Lit,
    Names,
    Tup,
    Unwritable,
    channels_after,
    choose,
    count_choice,
    substituted,
    yaml_candidates,
)
from cnncalc.torch.codegen import attr, condition, identifier, literal, usable
from cnncalc.torch.ctor import read
from cnncalc.torch.forward import Step, forward_lines
from cnncalc.torch.record import Entry
from cnncalc.torch.scopes import IN as SOURCE
from cnncalc.torch.scopes import Item, Scope, check, output_entry, value


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
            ch[k] = _loop(entry, k, instances, envs, ctx, count, sources, written, offset)
            continue
        if isinstance(count, Expr) and not optional:
            raise Unwritable("a repeat count that varies, outside a chain")
        for c in range(max(counts)):
            items = [s.copies[k][c] for s in instances if c < len(s.copies[k])]
            penvs = [env | {"i": c} for env, s in zip(envs, instances, strict=True) if c < len(s.copies[k])]
            call, out_ch, merge, inplace = _call(entry, items, penvs, sources if c == 0 else [ch.get(k)], ctx,
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
            ch[k] = _either(out_ch, sources[0], instances, k, envs, ctx, reads) if optional else out_ch
        if max(counts) == 0:  # an optional entry no instance has: lowered as it would be
            made = [_absent(entry, value(s, reads, reads[k][0]) if reads[k] else "", s.env | env, ctx)
                    for s, env in zip(instances, envs, strict=True)]
            modules, outs = [m for m, _ in made], [o for _, o in made]
            ins = [[ctx.channels[value(s, reads, reads[k][0]) or ""]] for s in instances]
            call, _, merge, _ = _call(entry, [], envs, sources, ctx, written, (modules, outs, ins))
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
    written.out = out if not isinstance(out, Expr) or _free(out.text) <= set(names.params) else None
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


def render(written: Written, choice: Choice, ctx: Context) -> str:
    """Source of `choice`, adding to the class's parameters the vars it reads."""
    if isinstance(choice, Tup):
        return "(" + ", ".join(render(written, c, ctx) for c in choice.items) + ")"
    if isinstance(choice, Expr):
        for name in sorted(_free(choice.text)):
            if name not in written.names.python and name in ctx.vars:
                _add_var(written, name, ctx)
    return written.names.render(choice)


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


def _absent(entry: Entry, source: str | None, env: dict[str, Any], ctx: Context) -> tuple[Any, int]:
    """The module an entry would make, lowered on the meta device, and its output channels."""
    import torch

    from cnncalc import layers
    from cnncalc.dsl.document import evaluate_value
    from cnncalc.errors import CnnCalcError

    kind = layers.canonical(entry.type_name)
    if kind is None or not source:
        raise Unwritable("an absent block instance")
    cls = layers.REGISTRY[kind]
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


def _key(ref: tuple[int, int]) -> str:
    entry, copy = ref
    return "input" if entry == SOURCE else f"e{entry}" if copy == -1 else f"e{entry}c{copy}"


def _either(out: Choice | None, passed: Choice | None, instances: list[Scope], k: int, envs: list[dict[str, Any]],
            ctx: Context, reads: list[list[tuple[int, int]]]) -> Choice | None:
    """The channels after an entry that only some instances have: one expression right for both."""
    values = [ctx.channels[s.copies[k][0].out if s.copies[k] else value(s, reads, reads[k][0]) or ""]
              for s in instances]
    try:
        return choose(values, envs, [c for c in (out, passed) if c is not None])
    except Unwritable:
        return None


def _call(entry: Entry, items: list[Item], envs: list[dict[str, Any]], in_ch: list[Choice | None], ctx: Context,
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
    merge = getattr(modules[0], "code", None)
    known = [c for c in in_ch if c is not None]
    if callable(merge):
        kind = {"Add": "add", "Mul": "mul", "Concat": "cat"}[type(modules[0]).__name__]
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


def _free(text: str) -> set[str]:
    import ast

    return {n.id for n in ast.walk(ast.parse(text, mode="eval")) if isinstance(n, ast.Name)}


def _add_var(written: Written, name: str, ctx: Context) -> None:
    written.names.python[name] = identifier(name, set(written.names.python.values()))
    written.names.params.append(name)
    written.names.defaults[name] = literal(ctx.vars[name])
    for path in written.values:
        written.values[path][name] = ctx.vars[name]


def _loop(entry: Entry, k: int, instances: list[Scope], envs: list[dict[str, Any]], ctx: Context, count: Choice,
          sources: list[Choice | None], written: Written, offset: int | None) -> Choice | None:
    """Copies made by a repeat count that is an expression: a loop in a chain (an nn.Sequential), the
    channel count carried in a variable when the copies change it."""
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
    call, out, _, _ = _call(entry, items, penvs, [Expr(run)], ctx, written)
    assert call is not None
    start = sources[0] if sources else None
    if start is None:
        raise Unwritable("the loop's input channels are unknown")
    name = _copy_name(entry, items, instances, k, count, names, ctx, offset)
    lines = [f"{names.python[run]} = {render(written, start, ctx)}"]
    add = f"self.add_module({name}, {call})"
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

"""Layer entries -> flat layer specs: blocks, repeat, vars and defaults expanded.

The analysis never sees a block or a `repeat`: this module flattens them, as
torchvision's ``_resnet(Bottleneck, [3, 4, 6, 3])`` turns data into modules.

Names are scoped: layer ``squeeze`` of block instance ``fire2`` is
``fire2.squeeze``. A layer without a name is TYPE plus a counter per type in its
scope (``conv1``, ``relu3``). ``from`` may name any layer of the same scope,
earlier or later (a cycle is reported by the graph), ``in`` (a block's input),
``input`` (the network's input), a block instance (its output) or a dotted path
into one (``fire2.squeeze``). An entry repeated zero times passes its input
through, so a name whose entry has ``repeat: 0`` refers to that input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cnncalc import layers
from cnncalc.dsl.document import IDENTIFIER, BlockDef, Document, evaluate_value
from cnncalc.dsl.loader import YList, YMap
from cnncalc.errors import CnnCalcError, LayerError, Location
from cnncalc.layers.base import Layer, did_you_mean
from cnncalc.layers.torchop import all_spellings
from cnncalc.spec import INPUT, BlockInstance, LayerSpec, NetSpec

RESERVED = ("name", "from", "repeat", "torch")
MAX_LAYERS = 200_000  # a network larger than this would not analyse in seconds
MAX_NESTING = 32


@dataclass
class _Ref:
    """A name used in `from`, resolved once the whole document is expanded."""

    scope: _Scope
    name: str
    location: Location


@dataclass
class _Scope:
    prefix: str  # "" at the top level, "fire2." inside fire2
    parent_input: _Ref | str | None  # what `in` means (None at the top level)
    names: dict[str, str | _Ref] = field(default_factory=dict)  # local name -> full name or pass-through ref
    where: dict[str, Location] = field(default_factory=dict)
    children: dict[str, _Scope] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    depth: int = 0

    def path(self) -> tuple[str, ...]:
        parts = self.prefix.rstrip(".").split(".") if self.prefix else []
        return tuple(".".join(parts[: k + 1]) for k in range(len(parts)))


class Expander:
    def __init__(self, document: Document) -> None:
        self.doc = document
        self.specs: list[tuple[str, Layer, list[_Ref | str], Location, tuple[str, ...], str]] = []
        self.instances: list[tuple[str, str, _Ref | str, Location]] = []

    def run(self) -> NetSpec:
        top = _Scope("", None)
        assert self.doc.layers is not None
        last = self.entries(self.doc.layers, top, INPUT, dict(self.doc.vars))
        output = last if self.doc.out is None else _Ref(top, self.doc.out, self.doc.input_location)
        specs = tuple(
            LayerSpec(name, layer, tuple(self.resolve(r) for r in refs), where, scope, call)
            for name, layer, refs, where, scope, call in self.specs
        )
        blocks = tuple(BlockInstance(p, b, self.resolve(out), w) for p, b, out, w in self.instances)
        return NetSpec(self.doc.name, self.doc.title, self.doc.source, self.doc.family, self.doc.file,
                       self.doc.input_shape, specs, blocks, self.resolve(output), self.doc.notes)

    # -- entries --------------------------------------------------------------------

    def entries(self, entries: YList, scope: _Scope, first_input: _Ref | str, names: dict[str, Any]) -> _Ref | str:
        """Expand a list of entries; returns what the last one produces."""
        previous = first_input
        for index, entry in enumerate(entries):
            previous = self.entry(entry, entries.loc(index), scope, previous, names)
        return previous

    def entry(self, entry: Any, where: Location, scope: _Scope, previous: _Ref | str,
              names: dict[str, Any]) -> _Ref | str:
        type_name, value, name, sources, repeat, value_where = self.split(entry, where, names)
        is_block = type_name in self.doc.blocks
        kind = None if is_block else layers.canonical(type_name)
        if not is_block and kind is None:
            raise layers.unknown(type_name, self.doc.blocks, "see the README for the layer types, or define a "
                                 "block").at(where)
        if kind is not None and isinstance(value, list) and layers.REGISTRY[kind].MIN_INPUTS > 1:
            if sources is not None:
                raise CnnCalcError(f"{type_name} got its inputs twice: give them as its value or in 'from', "
                                   "not both", where)
            sources, value = value, None  # {concat: [a, b]}: the value names the inputs
        if sources is not None and isinstance(entry, YMap) and "from" in entry:
            where_from = entry.loc("from")
        else:
            where_from = value_where
        inputs: list[_Ref | str] = [previous] if sources is None else self.refs(sources, scope, where_from)
        call = self.torch_call(entry, kind)
        if name is not None:
            self.claim(scope, name, where)
        for i in range(repeat):
            count = scope.counters[type_name] = scope.counters.get(type_name, 0) + 1
            local = (f"{name}_{i + 1}" if repeat > 1 else name) if name is not None else f"{type_name}{count}"
            if name is None or repeat > 1:
                self.claim(scope, local, where)
            env = {**names, "i": i}
            if is_block:
                produced = self.instance(self.doc.blocks[type_name], value, value_where, local, scope, inputs, env,
                                         where)
            else:
                assert kind is not None
                produced = self.layer(kind, value, value_where, scope.prefix + local, scope, inputs, env, where,
                                      call)
            scope.names[local] = produced
            inputs = [produced]
        if len(inputs) != 1:
            raise CnnCalcError("an entry with several inputs cannot be repeated 0 times", where)
        if name is not None:
            scope.names[name] = inputs[0]
        return inputs[0]

    def split(self, entry: Any, where: Location, names: Mapping[str, Any]) -> tuple[
            str, Any, str | None, Any, int, Location]:
        """An entry's type, value, name, from, repeat count and the value's location."""
        if isinstance(entry, str):
            return entry, None, None, None, 1, where
        if not isinstance(entry, YMap):
            raise CnnCalcError(f"a layer entry is a type name or a mapping such as {{conv: 64}}; "
                               f"received {entry!r}", where)
        types = [k for k in entry if k not in RESERVED]
        if len(types) != 1:
            raise CnnCalcError(
                "a layer entry needs exactly one layer type besides name/from/repeat/torch; "
                + (f"received {len(types)}: {', '.join(types)}" if types else "received none"), where)
        type_name = types[0]
        name = entry.get("name")
        if name is not None and (not isinstance(name, str) or not IDENTIFIER.match(name)
                                 or name in (INPUT, "in")):
            raise CnnCalcError(f"layer name {name!r} must be an identifier other than 'input' and 'in' "
                               "(dots are for scopes)", entry.loc("name"))
        repeat = evaluate_value(entry.get("repeat", 1), names, entry.loc("repeat"))
        if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 0:
            raise CnnCalcError(f"repeat must be an integer >= 0, received {repeat!r}", entry.loc("repeat"))
        if repeat > MAX_LAYERS:
            raise CnnCalcError(f"repeat {repeat:,} is too large (at most {MAX_LAYERS:,} layers in a network)",
                               entry.loc("repeat"))
        return type_name, entry[type_name], name, entry.get("from"), repeat, entry.loc(type_name)

    def torch_call(self, entry: Any, kind: str | None) -> str:
        """The entry's ``torch:`` spelling (``F.relu``), checked against its kind's; "" when absent."""
        if not isinstance(entry, YMap) or "torch" not in entry:
            return ""
        call, where = entry["torch"], entry.loc("torch")
        if kind is None:
            raise CnnCalcError("'torch' says how PyTorch computes a layer; a block instance has none", where)
        options = all_spellings(layers.REGISTRY[kind])
        if not isinstance(call, str) or call not in options:
            raise CnnCalcError(f"torch: {call!r} is not a way to write {kind} in PyTorch; "
                               f"write one of {', '.join(options) or '(none known)'}", where)
        return call

    def refs(self, sources: Any, scope: _Scope, where: Location) -> list[_Ref | str]:
        items = sources if isinstance(sources, list) else [sources]
        if not items or not all(isinstance(s, str) for s in items):
            raise CnnCalcError(f"'from' must be a layer name or a list of names, received {sources!r}", where)
        return [_Ref(scope, s, sources.loc(k) if isinstance(sources, YList) else where) for k, s in enumerate(items)]

    def claim(self, scope: _Scope, name: str, where: Location) -> None:
        if name in scope.where:
            first = scope.where[name]
            raise CnnCalcError(f"duplicate name {scope.prefix + name!r} (first used at line {first.line}); "
                               "give this layer another name", where)
        scope.where[name] = where

    # -- layers and blocks ------------------------------------------------------------

    def layer(self, kind: str, value: Any, value_where: Location, full: str, scope: _Scope,
              inputs: list[_Ref | str], names: Mapping[str, Any], where: Location, call: str = "") -> str:
        if len(self.specs) >= MAX_LAYERS:
            raise CnnCalcError(f"the network expands to more than {MAX_LAYERS:,} layers; refusing to analyse it",
                               where)
        cls = layers.REGISTRY[kind]
        raw: dict[str, Any] = {}
        locations: dict[str, Location] = {}  # where each argument's value was written
        key_locations: dict[str, Location] = {}
        for source in (self.doc.defaults.get(kind), value):
            if source is None:
                continue
            if isinstance(source, YMap):
                for key, v in source.items():
                    raw[key] = evaluate_value(v, names, source.loc(key))
                    locations[key], key_locations[key] = source.loc(key), source.key_locations[key]
            elif (primary := cls.primary()) is None:
                raise CnnCalcError(f"{kind} takes its arguments as a mapping (its arguments: "
                                   f"{', '.join(a.name for a in cls.args()) or 'none'}), received {source!r}",
                                   value_where)
            else:
                raw[primary] = evaluate_value(source, names, value_where)
                locations[primary] = value_where
        try:
            layer = cls.from_args(raw)
        except LayerError as exc:
            fallback = value_where if value is not None else where
            place = (key_locations if exc.about_name else locations).get(exc.arg or "", fallback)
            raise CnnCalcError(f"layer {full!r}: {exc.message}", place) from None
        self.specs.append((full, layer, inputs, where, scope.path(), call))
        return full

    def instance(self, block: BlockDef, value: Any, value_where: Location, local: str, scope: _Scope,
                 inputs: list[_Ref | str], names: Mapping[str, Any], where: Location) -> _Ref | str:
        if scope.depth >= MAX_NESTING:
            raise CnnCalcError(f"blocks nest more than {MAX_NESTING} deep (does {block.name!r} use itself?)", where)
        if len(inputs) != 1:
            raise CnnCalcError(f"block {block.name!r} takes one input ('in'); received {len(inputs)}", where)
        args = self.block_args(block, value, value_where, names)
        child = _Scope(scope.prefix + local + ".", inputs[0], depth=scope.depth + 1)
        scope.children[local] = child
        env = {**self.doc.vars, **args}
        last = self.entries(block.layers, child, _Ref(child, "in", where), env)
        out = _Ref(child, block.out, block.location) if block.out is not None else last
        self.instances.append((child.prefix.rstrip("."), block.name, out, where))
        return out

    def block_args(self, block: BlockDef, value: Any, where: Location, names: Mapping[str, Any]) -> dict[str, Any]:
        given: dict[str, Any] = {}
        if isinstance(value, YMap):
            for key, v in value.items():
                if key not in block.args:
                    raise CnnCalcError(f"block {block.name!r} has no argument {key!r}{did_you_mean(key, block.args)};"
                                       f" its arguments are: {', '.join(block.args) or 'none'}",
                                       value.key_locations[key])
                given[key] = evaluate_value(v, names, value.loc(key))
        elif isinstance(value, list) and len(block.args) > 1:
            # {inception: [64, 96, 128, 16, 32, 32]}: positional, in the order of the block's args
            if len(value) > len(block.args):
                raise CnnCalcError(f"block {block.name!r} takes {len(block.args)} arguments "
                                   f"({', '.join(block.args)}), received {len(value)}", where)
            given.update(zip(block.args, evaluate_value(value, names, where), strict=False))
        elif value is not None:
            if not block.args:
                raise CnnCalcError(f"block {block.name!r} takes no arguments, received {value!r}", where)
            given[next(iter(block.args))] = evaluate_value(value, names, where)
        args: dict[str, Any] = {}
        for key, default in block.args.items():
            if key in given:
                args[key] = given[key]
            elif default is None:
                raise CnnCalcError(f"block {block.name!r} needs the argument {key!r}", where)
            else:
                args[key] = evaluate_value(default, {**self.doc.vars, **args}, block.arg_locations[key])
        return args

    # -- names ------------------------------------------------------------------------

    def resolve(self, ref: _Ref | str, seen: int = 0) -> str:
        """The full name of the layer a reference denotes."""
        if isinstance(ref, str):
            return ref
        if seen > MAX_LAYERS:
            raise CnnCalcError(f"the name {ref.name!r} refers to itself through repeat: 0 entries", ref.location)
        scope, parts = ref.scope, ref.name.split(".")
        for part in parts[:-1]:
            if part not in scope.children:
                raise CnnCalcError(f"{ref.name!r}: no block instance {part!r} in this scope", ref.location)
            scope = scope.children[part]
        last = parts[-1]
        if last == "in" and scope.parent_input is not None:
            return self.resolve(scope.parent_input, seen + 1)
        if last == INPUT and scope.prefix == "":
            return INPUT
        if last not in scope.names:
            known = [*scope.names, "in" if scope.prefix else INPUT]
            raise CnnCalcError(f"undefined name {ref.name!r}{did_you_mean(last, known)}; names here: "
                               f"{', '.join(known[:12])}{' ...' if len(known) > 12 else ''}", ref.location)
        return self.resolve(scope.names[last], seen + 1)


def expand(document: Document) -> NetSpec:
    """Flatten a parsed document into layer specs."""
    return Expander(document).run()

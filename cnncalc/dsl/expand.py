"""Layer entries -> flat layer specs: blocks, repeat, if, vars and defaults expanded.

The analysis never sees a block, a ``repeat`` or an ``if``: this module flattens
them, as torchvision's ``_resnet(Bottleneck, [3, 4, 6, 3])`` turns data into
modules. Names and references are `cnncalc.dsl.scope`'s.

A layer without a name is TYPE plus a counter per type in its scope (``conv1``,
``relu3``), or, in a block marked ``numbered``, the next of 0, 1, 2 … (as torch's
``nn.Sequential``). An entry whose ``if`` is false, or that is repeated zero
times, passes its input through: its name refers to that input. A layer type may
be given by a block argument or a var (``$act``, ``{$act: {...}}``). A kind that
fans out (``split``) becomes one layer per part, ``NAME.0``, ``NAME.1`` …; the
entry's own name means its last part.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from typing import Any, cast

from cnncalc import layers
from cnncalc.dsl.document import IDENTIFIER, BlockDef, Document, evaluate_value
from cnncalc.dsl.expr import expression_text
from cnncalc.dsl.loader import YList, YMap
from cnncalc.dsl.scope import Ref, Scope, Source, resolve
from cnncalc.errors import CnnCalcError, ExprError, LayerError, Location
from cnncalc.layers.base import Layer, did_you_mean
from cnncalc.layers.torchop import all_spellings
from cnncalc.spec import INPUT, BlockInstance, LayerSpec, NetSpec

RESERVED = ("name", "from", "repeat", "if", "torch")
MAX_LAYERS = 10_000  # a network larger than this would not analyse in seconds (the zoo's largest: 1,092)
MAX_STEPS = 50_000  # entries, copies and block instances expanded, skipped ones included
MAX_NESTING = 32


class Expander:
    def __init__(self, document: Document) -> None:
        self.doc = document
        self.specs: list[tuple[str, Layer, list[Source], Location, tuple[str, ...], str]] = []
        self.instances: list[tuple[str, str, Source, Location]] = []
        self.steps = 0  # the expansion's work so far (`MAX_STEPS`)

    def run(self) -> NetSpec:
        top = Scope("", None)
        assert self.doc.layers is not None
        last = self.entries(self.doc.layers, top, INPUT, dict(self.doc.vars))
        output = last if self.doc.out is None else Ref(top, self.doc.out,
                                                       self.doc.out_location or self.doc.input_location)
        known: dict[int, str] = {}
        specs = tuple(
            LayerSpec(name, layer, tuple(resolve(r, known) for r in refs), where, scope, call)
            for name, layer, refs, where, scope, call in self.specs
        )
        blocks = tuple(BlockInstance(p, b, resolve(out, known), w) for p, b, out, w in self.instances)
        return NetSpec(self.doc.name, self.doc.title, self.doc.source, self.doc.family, self.doc.file,
                       self.doc.input_shape, specs, blocks, resolve(output, known), self.doc.notes,
                       self.doc.accuracy)

    # -- entries --------------------------------------------------------------------

    def entries(self, entries: YList, scope: Scope, first_input: Source, names: Mapping[str, Any]) -> Source:
        """Expand a list of entries; returns what the last one produces."""
        previous = first_input
        for index, entry in enumerate(entries):
            previous = self.entry(entry, entries.loc(index), scope, previous, names)
        return previous

    def step(self, where: Location) -> None:
        """Count one unit of expansion work; refuse a document whose expansion would not end in seconds."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise CnnCalcError(f"expanding the network takes more than {MAX_STEPS:,} steps (entries, copies and "
                               "block instances, skipped ones included); use fewer repeats or blocks", where)

    def entry(self, entry: Any, where: Location, scope: Scope, previous: Source, names: Mapping[str, Any]) -> Source:
        self.step(where)
        written, value, name, sources, value_where = self.split(entry, where)
        if name is not None:
            scope.claim(name, where)
        if not self.condition(entry, names):
            self.type_of(written, where, names, check_only=True)
            if name is not None:
                scope.names[name] = previous
            return previous  # skipped: the next entry and the name see the previous output
        type_name = self.type_of(written, where, names)
        repeat = self.repeat(entry, names)
        is_block = type_name in self.doc.blocks
        kind = None if is_block else layers.canonical(type_name)
        assert is_block or kind is not None
        if kind is not None and isinstance(value, list) and layers.require(kind).MIN_INPUTS > 1:
            if sources is not None:
                raise CnnCalcError(f"{type_name} got its inputs twice: give them as its value or in 'from', "
                                   "not both", where)
            sources, value = value, None  # {concat: [a, b]}: the value names the inputs
        if sources is not None and isinstance(entry, YMap) and "from" in entry:
            where_from = entry.loc("from")
        else:
            where_from = value_where
        inputs: list[Source] = [previous] if sources is None else self.refs(sources, scope, where_from)
        call = self.torch_call(entry, kind)
        for i in range(repeat):
            if i:
                self.step(where)
            local = scope.automatic(type_name, name is not None) or (f"{name}_{i + 1}" if repeat > 1 else str(name))
            if name is None or repeat > 1:
                scope.claim(local, where)
            env = ChainMap({"i": i}, cast(dict[str, Any], names))  # not a copy of the vars per copy (only
            # the first map is ever written to)
            if is_block:
                produced = self.instance(self.doc.blocks[type_name], value, value_where, local, scope, inputs, env,
                                         where)
            else:
                assert kind is not None
                produced = self.layer(kind, value, value_where, local, scope, inputs, env, where, call)
            scope.names[local] = produced
            inputs = [produced]
        if len(inputs) != 1:
            raise CnnCalcError("an entry with several inputs cannot be repeated 0 times; "
                               "use if: to leave it out", where)
        if name is not None:
            scope.names[name] = inputs[0]
        return inputs[0]

    def split(self, entry: Any, where: Location) -> tuple[str, Any, str | None, Any, Location]:
        """An entry's type as written, value, name, from and the value's location."""
        if isinstance(entry, str):
            return entry, None, None, None, where
        if not isinstance(entry, YMap):
            raise CnnCalcError(f"a layer entry is a type name or a mapping such as {{conv: 64}}; "
                               f"received {entry!r}", where)
        types = [k for k in entry if k not in RESERVED]
        if len(types) != 1:
            raise CnnCalcError(
                "a layer entry needs exactly one layer type besides name/from/repeat/if/torch; "
                + (f"received {len(types)}: {', '.join(types)}" if types else "received none"), where)
        type_name = types[0]
        name = entry.get("name")
        if name is not None and (not isinstance(name, str) or not IDENTIFIER.match(name)
                                 or name in (INPUT, "in")):
            raise CnnCalcError(f"layer name {name!r} must be an identifier other than 'input' and 'in' "
                               "(dots are for scopes)", entry.loc("name"))
        return type_name, entry[type_name], name, entry.get("from"), entry.loc(type_name)

    def condition(self, entry: Any, names: Mapping[str, Any]) -> bool:
        """The entry's ``if`` (true when absent): a number or a comparison; 0 and false skip the entry."""
        if not isinstance(entry, YMap) or "if" not in entry:
            return True
        value = evaluate_value(entry["if"], names, entry.loc("if"))
        if not isinstance(value, bool | int | float):
            raise CnnCalcError(f"'if' must be true/false, a number or an expression such as "
                               f"\"${{stride == 1}}\", received {value!r}", entry.loc("if"))
        return bool(value)

    def repeat(self, entry: Any, names: Mapping[str, Any]) -> int:
        if not isinstance(entry, YMap) or "repeat" not in entry:
            return 1
        repeat = evaluate_value(entry["repeat"], names, entry.loc("repeat"))
        if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 0:
            raise CnnCalcError(f"repeat must be an integer >= 0, received {repeat!r}", entry.loc("repeat"))
        if repeat > MAX_LAYERS:
            raise CnnCalcError(f"repeat {repeat:,} is too large (at most {MAX_LAYERS:,} layers in a network)",
                               entry.loc("repeat"))
        return repeat

    def torch_call(self, entry: Any, kind: str | None) -> str:
        """The entry's ``torch:`` spelling (``F.relu``), checked against its kind's; "" when absent."""
        if not isinstance(entry, YMap) or "torch" not in entry:
            return ""
        call, where = entry["torch"], entry.loc("torch")
        if kind is None:
            raise CnnCalcError("'torch' says how PyTorch computes a layer; a block instance has none", where)
        options = all_spellings(layers.require(kind))
        if not isinstance(call, str) or call not in options:
            raise CnnCalcError(f"torch: {call!r} is not a way to write {kind} in PyTorch; "
                               f"write one of {', '.join(options) or '(none known)'}", where)
        return call

    def type_of(self, written: str, where: Location, names: Mapping[str, Any], check_only: bool = False) -> str:
        """The layer type or block an entry names: as written, or a block argument's or var's value (``$act``)."""
        type_name = written
        if written.startswith("$"):
            if check_only:
                return written
            try:
                text = expression_text(written)
            except ExprError as exc:
                raise exc.at(where) from None
            if text is None or not IDENTIFIER.match(text):
                raise CnnCalcError(f"a layer type given by a variable is written $name, received {written!r}",
                                   where)
            if text not in names:
                raise CnnCalcError(f"{written!r}: no block argument or var {text!r}{did_you_mean(text, names)}",
                                   where)
            type_name = names[text]
            if not isinstance(type_name, str):
                raise CnnCalcError(f"{written!r} names the layer type, but {text} = {type_name!r}; give it a "
                                   "layer type or block name such as relu", where)
        if type_name not in self.doc.blocks and layers.canonical(type_name) is None:
            via = f" (the value of {written})" if written != type_name else ""
            raise layers.unknown(type_name, self.doc.blocks, f"{via.strip()}{'; ' if via else ''}see the README "
                                 "for the layer types, or define a block").at(where)
        return type_name

    def refs(self, sources: Any, scope: Scope, where: Location) -> list[Source]:
        items = sources if isinstance(sources, list) else [sources]
        if not items or not all(isinstance(s, str) for s in items):
            raise CnnCalcError(f"'from' must be a layer name or a list of names, received {sources!r}", where)
        return [Ref(scope, s, sources.loc(k) if isinstance(sources, YList) else where) for k, s in enumerate(items)]

    # -- layers and blocks ------------------------------------------------------------

    def layer(self, kind: str, value: Any, value_where: Location, local: str, scope: Scope,
              inputs: list[Source], names: Mapping[str, Any], where: Location, call: str = "") -> str:
        full = scope.prefix + local
        if len(self.specs) >= MAX_LAYERS:
            raise CnnCalcError(f"the network expands to more than {MAX_LAYERS:,} layers; refusing to analyse it",
                               where)
        cls = layers.require(kind)
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
        if len(self.specs) + layer.fan_out_count() > MAX_LAYERS:  # before a split makes its parts
            raise CnnCalcError(f"the network expands to more than {MAX_LAYERS:,} layers; refusing to analyse it",
                               where)
        parts = layer.fan_out()
        if not parts:
            self.specs.append((full, layer, inputs, where, scope.path(), call))
            return full
        child = Scope(full + ".", None, depth=scope.depth + 1)  # split: NAME.0, NAME.1 ...
        scope.children[local] = child
        for k, part in enumerate(parts):
            child.names[str(k)] = f"{full}.{k}"
            self.specs.append((f"{full}.{k}", part, inputs, where, scope.path(), call))
        return f"{full}.{len(parts) - 1}"

    def instance(self, block: BlockDef, value: Any, value_where: Location, local: str, scope: Scope,
                 inputs: list[Source], names: Mapping[str, Any], where: Location) -> Source:
        if scope.depth >= MAX_NESTING:
            raise CnnCalcError(f"blocks nest more than {MAX_NESTING} deep (does {block.name!r} use itself?)", where)
        if len(inputs) != 1:
            raise CnnCalcError(f"block {block.name!r} takes one input ('in'); received {len(inputs)}", where)
        args = self.block_args(block, value, value_where, names)
        child = Scope(scope.prefix + local + ".", inputs[0], depth=scope.depth + 1, numbered=block.numbered)
        scope.children[local] = child
        env = ChainMap(args, self.doc.vars)
        last = self.entries(block.layers, child, Ref(child, "in", where), env)
        out = Ref(child, block.out, block.out_location or block.location) if block.out is not None else last
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
                args[key] = evaluate_value(default, ChainMap(args, self.doc.vars), block.arg_locations[key])
        return args


def expand(document: Document) -> NetSpec:
    """Flatten a parsed document into layer specs."""
    return Expander(document).run()

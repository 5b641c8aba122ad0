"""A network loaded with what `cnncalc export` needs beyond the graph: each block instance's arguments.

The expanded graph is flat; to write one class per block definition, the export
needs, for each block instance, the values its arguments took and the layer it
reads, and, for each entry of a block or of the network, the YAML as written
(its type, name, ``from``, ``repeat`` and argument expressions). `load` expands
the document exactly as `cnncalc.load` does, through a subclass of the expander
that records the arguments as they are evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnncalc.dsl.document import BlockDef, Document, parse_document, variant_table
from cnncalc.dsl.document import _with_variant as with_variant
from cnncalc.dsl.expand import RESERVED, Expander
from cnncalc.dsl.loader import YList, YMap, load_file, load_text
from cnncalc.dsl.scope import resolve as full_name
from cnncalc.errors import Location
from cnncalc.graph import Graph, build
from cnncalc.zoo import locate


@dataclass(frozen=True)
class Entry:
    """One layer entry as written: the type, its value, and the reserved keys."""

    index: int
    type_name: str
    value: Any  # the type's value: an argument mapping, a primary value, a list of inputs, or None
    name: str | None
    sources: Any  # `from` as written (None: the previous entry)
    repeat: Any  # as written (None: once)
    where: Location
    cond: Any = None  # `if` as written (None: always)


@dataclass(frozen=True)
class Recording:
    """The document, and per block instance (full name) its arguments and its input's full name."""

    document: Document
    args: dict[str, dict[str, Any]]
    inputs: dict[str, str]
    written_vars: dict[str, Any]  # the vars as written (an expression where one derives from others)

    def entries(self, block: str | None) -> list[Entry]:
        """The entries of a block definition (None: of the network)."""
        written = self.document.layers if block is None else self.document.blocks[block].layers
        assert written is not None
        return [_entry(k, e, written.loc(k)) for k, e in enumerate(written)]

    def block(self, name: str) -> BlockDef:
        return self.document.blocks[name]

    def numbered(self, block: str | None) -> bool:
        """Whether the unnamed entries of a block are named 0, 1, 2 … (the network's never are)."""
        return block is not None and self.document.blocks[block].numbered


class _Recorder(Expander):
    def __init__(self, document: Document) -> None:
        super().__init__(document)
        self.recorded_args: dict[str, dict[str, Any]] = {}
        self.recorded_inputs: dict[str, Any] = {}

    def instance(self, block: BlockDef, value: Any, value_where: Location, local: str, scope: Any,
                 inputs: list[Any], names: Mapping[str, Any], where: Location) -> Any:
        path = scope.prefix + local
        self.recorded_args[path] = self.block_args(block, value, value_where, names)  # as the expander will
        if len(inputs) == 1:
            self.recorded_inputs[path] = inputs[0]
        return super().instance(block, value, value_where, local, scope, inputs, names, where)


def load(source: str | Path, *, input_shape: Sequence[int] | None = None,
         overrides: Mapping[str, Any] | None = None, text: str | None = None) -> tuple[Graph, Recording]:
    """Like `cnncalc.load` (or `cnncalc.load_text_graph` when `text` is given, `source` its file name)."""
    variant = None
    if text is None:
        path, variant = locate(source)
        tree, filename = load_file(path), str(path)
    else:
        tree, filename = load_text(text, str(source)), str(source)
    document = parse_document(tree, filename, input_shape=tuple(input_shape) if input_shape is not None else None,
                              overrides=overrides, variant=variant)
    recorder = _Recorder(document)
    graph = build(recorder.run())
    inputs = {path: full_name(ref) for path, ref in recorder.recorded_inputs.items()}
    if variant is not None and isinstance(tree, YMap):  # the variant's vars, as parse_document read them
        tree = with_variant(tree, variant_table(tree)[variant])
    raw = tree.get("vars") if isinstance(tree, YMap) else None
    written = {k: (overrides or {}).get(k, v) for k, v in raw.items()} if isinstance(raw, YMap) else {}
    return graph, Recording(document, recorder.recorded_args, inputs, written)


def _entry(index: int, raw: Any, where: Location) -> Entry:
    if isinstance(raw, str):
        return Entry(index, raw, None, None, None, None, where)
    assert isinstance(raw, YMap)
    type_name = next(k for k in raw if k not in RESERVED)
    value = raw[type_name]
    sources = raw.get("from")
    if isinstance(value, YList | list) and sources is None and all(isinstance(v, str) for v in value) and value:
        from cnncalc import layers

        kind = layers.canonical(type_name)
        if kind is not None and layers.require(kind).MIN_INPUTS > 1:
            sources, value = value, None  # {concat: [a, b]}: the value names the inputs
    return Entry(index, type_name, value, raw.get("name"), sources, raw.get("repeat"), where, raw.get("if"))

"""Imported ops -> a network file as a person would write it.

A module class used more than once becomes a block with arguments (the values
that differ between its uses), consecutive uses of a block feeding each other
become a ``repeat``, and everything else is a plain list of entries named after
the modules (`importer_blocks` finds the blocks). Arguments at their defaults
are left out, and a layer says ``torch:`` only where the code spells the
operation otherwise than the layer type's default.

The text is read back by `cnncalc.sources.load_graph`, so ``shapes SRC`` is the
analysis of this very file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cnncalc import layers
from cnncalc.torch.importer import INPUT, Op, Traced

SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
WORDS = {"true", "false", "yes", "no", "on", "off", "null", "none", "y", "n"}


def scalar(value: Any) -> str:
    """A value in YAML flow syntax that the loader reads back as the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text and "." not in text.split("e")[0]:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"  # YAML 1.1 reads 1e-05 as text
        return text
    if isinstance(value, list | tuple):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    text = str(value)
    if SAFE.match(text) and text.lower() not in WORDS:
        return text
    return json.dumps(text)


@dataclass
class Entry:
    """One line of a `layers:` list: a layer type (or block) with its arguments, name, inputs and spelling."""

    type: str
    args: dict[str, Any] = field(default_factory=dict)
    name: str | None = None
    sources: list[str] | None = None  # `from`, when the input is not the previous entry
    torch: str = ""
    repeat: Any = None
    comment: str = ""

    def text(self) -> str:
        primary = _primary(self.type)
        if not self.args:
            value = None
        elif primary is not None and list(self.args) == [primary]:
            value = scalar(self.args[primary])
        else:
            value = "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in self.args.items()) + "}"
        extra = []
        if self.name is not None:
            extra.append(f"name: {self.name}")
        if self.sources is not None:
            merge = self.type in ("add", "concat", "mul") and value is None
            if merge:
                value = scalar(self.sources)
            else:
                extra.append(f"from: {scalar(self.sources if len(self.sources) > 1 else self.sources[0])}")
        if self.repeat is not None:
            extra.append(f"repeat: {scalar(self.repeat)}")
        if self.torch:
            extra.append(f"torch: {scalar(self.torch)}")
        if not extra and value is None:
            line = self.type
        elif value is None:
            line = "{" + ", ".join([self.type, *extra]) + "}"
        else:
            line = "{" + ", ".join([f"{self.type}: {value}", *extra]) + "}"
        return line + (f"  # {self.comment}" if self.comment else "")


def _primary(kind: str) -> str | None:
    cls = layers.lookup(kind)
    return cls.primary() if cls is not None else None


def layer_args(op: Op) -> dict[str, Any]:
    """The op's arguments without those at the kind's default, in the kind's documented order."""
    cls = layers.require(op.kind)
    result = {}
    for a in cls.args():
        if a.name in op.args and (a.required or op.args[a.name] != a.default):
            result[a.name] = op.args[a.name]
    return result


def sanitize(part: str) -> str:
    """A module path's part as a name: identifiers stay, ``0`` becomes ``_0``."""
    text = re.sub(r"[^A-Za-z0-9_]", "_", part)
    return text if re.match(r"^[A-Za-z_]", text) else f"_{text}"


def flat_entries(ops: Sequence[Op]) -> list[Entry]:
    """Every op as one entry, named after its module path (``layer1_0_conv1``)."""
    names: list[str] = []
    taken: set[str] = set()
    for op in ops:
        parts = op.module_path.split(".") if op.module_path else [
            *(op.scopes[-1][0].split(".") if op.scopes else []), op.kind]
        base = sanitize("_".join(parts))
        name, k = base, 1
        while name in taken or name in ("input", "in"):
            k += 1
            name = f"{base}_{k}"
        taken.add(name)
        names.append(name)
    entries = []
    for k, op in enumerate(ops):
        refs = ["input" if i == INPUT else names[i] for i in op.inputs]
        previous = "input" if k == 0 else names[k - 1]
        entries.append(Entry(op.kind, layer_args(op), names[k], None if refs == [previous] else refs, op.torch))
    return entries


def document(name: str, title: str, source: str, input_shape: Sequence[int], entries: Sequence[Entry],
             blocks: Mapping[str, tuple[dict[str, Any], list[Entry], str, str | None]] | None = None,
             variables: Mapping[str, Any] | None = None, out: str | None = None) -> str:
    """The network file's text."""
    lines = [f"name: {name}", f"title: {scalar(title)}", f"source: {scalar(f'imported by cnncalc from {source}')}",
             f"input: {scalar(list(input_shape))}"]
    if variables:
        lines.append("vars: {" + ", ".join(f"{k}: {scalar(v)}" for k, v in variables.items()) + "}")
    if blocks:
        lines.append("blocks:")
        for block, (args, body, doc, block_out) in blocks.items():
            lines.append(f"  {block}:")
            if doc:
                lines.append(f"    doc: {scalar(doc)}")
            if args:
                lines.append("    args: {" + ", ".join(f"{k}: {scalar(v)}" for k, v in args.items()) + "}")
            if doc.startswith("Sequential") and all(e.name is None and e.sources is None for e in body):
                lines.append("    numbered: true")  # its layers named 0, 1, 2 ... as nn.Sequential names them
            lines.append("    layers:")
            lines += [f"      - {e.text()}" for e in body]
            if block_out is not None:
                lines.append(f"    out: {block_out}")
    lines.append("layers:")
    lines += [f"  - {e.text()}" for e in entries]
    if out is not None:
        lines.append(f"out: {out}")
    return "\n".join(lines) + "\n"


def write(traced: Traced, *, name: str, title: str, source: str) -> str:
    """The network file of a traced model: blocks where the modules repeat, else a flat list (when the
    structured file, read back, would not be exactly the traced network)."""
    from cnncalc.torch.importer_write import check, structured

    made = structured(traced)
    if made is not None:
        entries, blocks, variables, out = made
        text = document(name, title, source, traced.input_shape, entries, blocks, variables, out)
        if check(text, traced):
            return text
    flat = flat_entries(traced.ops)
    out = flat[traced.output].name if traced.output != len(traced.ops) - 1 else None
    return document(name, title, source, traced.input_shape, flat, out=out)


__all__ = ["Entry", "document", "flat_entries", "layer_args", "sanitize", "scalar", "write"]

"""The top level of a network file: header fields, vars, defaults and block definitions.

Checks every top-level key and value and hands `expand` a `Document` whose pieces are
validated and evaluated; the layer entries themselves are expanded by `cnncalc.dsl.expand`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cnncalc import layers
from cnncalc.dsl.expr import evaluate, expression_text
from cnncalc.dsl.loader import YList, YMap
from cnncalc.dsl.shape import check_input_shape
from cnncalc.errors import CnnCalcError, ExprError, Location
from cnncalc.layers.base import did_you_mean
from cnncalc.spec import Published

TOP_KEYS = ("name", "title", "source", "family", "notes", "input", "vars", "defaults", "blocks", "layers", "out",
            "variants", "accuracy")
BLOCK_KEYS = ("args", "layers", "out", "doc", "numbered")
VARIANT_KEYS = ("title", "source", "notes", "input", "vars", "accuracy")
ACCURACY_KEYS = ("top1", "top5", "dataset", "source")
IDENTIFIER = re.compile(r"\A[A-Za-z_][A-Za-z0-9_\-]*\Z")  # \Z: a name ending in a newline is no identifier
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class BlockDef:
    """A reusable block: its arguments (None = required) and its layer entries."""

    name: str
    args: dict[str, Any]
    arg_locations: dict[str, Location]
    layers: YList
    out: str | None
    location: Location
    numbered: bool = False
    out_location: Location | None = None  # where `out` was written


@dataclass
class Document:
    """A parsed network file, ready for expansion."""

    name: str
    title: str
    source: str
    family: str
    file: str
    input_shape: tuple[int, ...]
    input_location: Location
    vars: dict[str, Any]
    defaults: dict[str, YMap] = field(default_factory=dict)
    blocks: dict[str, BlockDef] = field(default_factory=dict)
    layers: YList | None = None
    out: str | None = None
    notes: str = ""
    accuracy: Published | None = None
    out_location: Location | None = None  # where `out` was written


def evaluate_value(value: Any, names: Mapping[str, Any], where: Location) -> Any:
    """Evaluate `$...` expressions in a scalar or (recursively) a list; other values pass through."""
    if isinstance(value, list):
        items = [evaluate_value(v, names, value.loc(k) if isinstance(value, YList) else where)
                 for k, v in enumerate(value)]
        return items
    try:
        text = expression_text(value)
        if text is None:
            return value
        if text in names and not isinstance(names[text], int | float):
            return names[text]  # `$kernel` passes a block argument such as [1, 7] through unchanged
        return evaluate(text, names)
    except ExprError as exc:
        raise exc.at(where) from None


def parse_document(doc: Any, filename: str, *, input_shape: tuple[int, ...] | None = None,
                   overrides: Mapping[str, Any] | None = None, variant: str | None = None) -> Document:
    """Check the top level of a network file and evaluate its vars.

    With `variant`, one of the file's ``variants`` is read: its name, its title, source, notes
    and input where it gives them, and its vars in place of the family's before any var is
    evaluated (so the vars derived from them follow); `overrides` (``--set``) come last.
    """
    if not isinstance(doc, YMap):
        raise CnnCalcError("a network file is a mapping with 'name', 'input' and 'layers'", Location(filename, 1, 1))
    for key in doc:
        if key not in TOP_KEYS:
            raise CnnCalcError(f"unknown top-level key {key!r}{did_you_mean(key, TOP_KEYS)}; "
                               f"the keys are: {', '.join(TOP_KEYS)}", doc.key_locations[key])
    for key in ("name", "layers"):
        if key not in doc:
            raise CnnCalcError(f"the network has no {key!r}; add it at the top level", doc.location)
    name = doc["name"]
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise CnnCalcError(f"'name' must be an identifier such as resnet50, received {name!r}", doc.loc("name"))
    variants = variant_table(doc)
    if variant is not None:
        if variant not in variants:
            raise CnnCalcError(f"{filename} has no variant {variant!r}{did_you_mean(variant, variants)}; its "
                               f"variants are: {', '.join(variants) or 'none'}", doc.loc("variants"))
        chosen = variants[variant]
        doc = _with_variant(doc, chosen)
        name = variant
    variables = _vars(doc, overrides or {})
    shape = input_shape if input_shape is not None else _input_shape(doc, variables)
    check_input_shape(shape, doc.loc("input"))
    layer_list = doc["layers"]
    if not isinstance(layer_list, YList) or not layer_list:
        raise CnnCalcError("'layers' must be a non-empty list of layer entries", doc.loc("layers"))
    out = doc.get("out")
    if out is not None and not isinstance(out, str):
        raise CnnCalcError("'out' must be a layer name", doc.loc("out"))
    return Document(
        name=name, title=_text(doc, "title", name), source=_text(doc, "source", ""),
        family=_text(doc, "family", ""), file=filename, input_shape=shape, input_location=doc.loc("input"),
        vars=variables, defaults=_defaults(doc, variables), blocks=_blocks(doc), layers=layer_list, out=out,
        notes=_text(doc, "notes", ""), out_location=doc.loc("out"),
        accuracy=_accuracy(doc) if not overrides and (input_shape is None or input_shape == _file_input(doc, variables))
        else None,
    )


def variant_table(doc: YMap) -> dict[str, YMap]:
    """The file's ``variants``: zoo name -> its settings (title, source, notes, input, vars), checked."""
    raw = doc.get("variants", YMap(doc.location))
    if not isinstance(raw, YMap):
        raise CnnCalcError("'variants' must map zoo names to their settings (title, input, vars)",
                           doc.loc("variants"))
    family_vars = doc.get("vars", YMap(doc.location))
    for key, body in raw.items():
        if not IDENTIFIER.match(key) or "-" in key:
            raise CnnCalcError(f"variant name {key!r} is not an identifier", raw.key_locations[key])
        if not isinstance(body, YMap):
            raise CnnCalcError(f"variant {key!r} must be a mapping with title, input and vars", raw.loc(key))
        for field_name in body:
            if field_name not in VARIANT_KEYS:
                raise CnnCalcError(f"unknown key {field_name!r} in variant {key!r}"
                                   f"{did_you_mean(field_name, VARIANT_KEYS)}; the keys are: "
                                   f"{', '.join(VARIANT_KEYS)}", body.key_locations[field_name])
        settings = body.get("vars", YMap(body.location))
        if not isinstance(settings, YMap):
            raise CnnCalcError(f"'vars' of variant {key!r} must be a mapping of names to values", body.loc("vars"))
        for var in settings:
            if not isinstance(family_vars, YMap) or var not in family_vars:
                known = family_vars if isinstance(family_vars, YMap) else {}
                raise CnnCalcError(f"variant {key!r} sets {var!r}, which is not among the file's vars"
                                   f"{did_you_mean(var, known)}; declare it in 'vars' with its default",
                                   settings.key_locations[var])
    return dict(raw)


def _with_variant(doc: YMap, variant: YMap) -> YMap:
    """The document as the variant sees it: its fields in place of the family's, its vars replacing theirs."""
    result = YMap(doc.location)
    for key, value in doc.items():
        result[key] = value
        result.key_locations[key] = doc.key_locations[key]
        result.value_locations[key] = doc.value_locations[key]
    for key in ("title", "source", "notes", "input", "accuracy"):
        if key in variant:
            result[key] = variant[key]
            result.value_locations[key] = variant.loc(key)
    settings = variant.get("vars")
    if isinstance(settings, YMap) and settings:
        family = doc["vars"]
        merged = YMap(family.location)
        for key in family:
            chosen = settings if key in settings else family
            merged[key] = chosen[key]
            merged.key_locations[key] = chosen.key_locations[key]
            merged.value_locations[key] = chosen.value_locations[key]
        result["vars"] = merged
    return result


def _text(doc: YMap, key: str, default: str) -> str:
    value = doc.get(key, default)
    if not isinstance(value, str):
        raise CnnCalcError(f"{key!r} must be text", doc.loc(key))
    check_text(value, key, doc.loc(key))
    return value.strip()


def _accuracy(doc: YMap) -> Published | None:
    """The ``accuracy:`` a file cites: ``{top1: 69.8, top5: 89.5, dataset: ImageNet-1K, source: ...}`` (percent)."""
    raw = doc.get("accuracy")
    if raw is None:
        return None
    where = doc.loc("accuracy")
    if not isinstance(raw, YMap):
        raise CnnCalcError("'accuracy' maps top1, top5 (percent), dataset and source", where)
    for key in raw:
        if key not in ACCURACY_KEYS:
            raise CnnCalcError(f"unknown key {key!r} in 'accuracy'{did_you_mean(key, ACCURACY_KEYS)}; the keys "
                               f"are: {', '.join(ACCURACY_KEYS)}", raw.key_locations[key])
    values: list[float | None] = []
    for key in ("top1", "top5"):
        value = raw.get(key)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if value is not None and not (number and 0 <= value <= 100):
            raise CnnCalcError(f"accuracy {key} is a percentage between 0 and 100, received {value!r}", raw.loc(key))
        values.append(None if value is None else float(value))
    if values == [None, None]:
        raise CnnCalcError("'accuracy' needs top1 or top5 (percent)", where)
    for key in ("dataset", "source"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise CnnCalcError(f"'accuracy' needs {key!r}: the text of where the figure comes from", where)
        check_text(raw[key], key, raw.loc(key))
    return Published(values[0], values[1], raw["dataset"].strip(), raw["source"].strip())


def _file_input(doc: YMap, variables: Mapping[str, Any]) -> tuple[int, ...] | None:
    try:
        return _input_shape(doc, variables)
    except CnnCalcError:
        return None


def check_text(value: str, what: str, where: Location) -> None:
    """Refuse text with a control character (an ESC would reach the terminal as a command) or a
    bidirectional override (it reorders what a reader sees); tabs and line breaks are text."""
    bad = CONTROL.search(value)
    if bad is not None:
        raise CnnCalcError(f"{what!r} contains the control character U+{ord(bad.group()):04X}; remove it", where)


def _input_shape(doc: YMap, variables: Mapping[str, Any]) -> tuple[int, ...]:
    if "input" not in doc:
        raise CnnCalcError("the network has no 'input'; add e.g. input: [3, 224, 224] (channels first)",
                           doc.location)
    raw = doc["input"]
    if not isinstance(raw, list):
        raise CnnCalcError("'input' must be a list such as [3, 224, 224] (channels first)", doc.loc("input"))
    return tuple(evaluate_value(raw, variables, doc.loc("input")))


def _vars(doc: YMap, overrides: Mapping[str, Any]) -> dict[str, Any]:
    raw = doc.get("vars", YMap(doc.location))
    if not isinstance(raw, YMap):
        raise CnnCalcError("'vars' must be a mapping of names to numbers", doc.loc("vars"))
    for key in overrides:
        if key not in raw:
            raise CnnCalcError(f"--set {key}: the network has no variable {key!r}{did_you_mean(key, raw)}; "
                               f"its vars are: {', '.join(raw) or 'none'}", raw.location)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not IDENTIFIER.match(key) or "-" in key:
            raise CnnCalcError(f"variable name {key!r} is not an identifier", raw.key_locations[key])
        _not_the_index(key, "variable", raw.key_locations[key])
        values[key] = overrides[key] if key in overrides else evaluate_value(value, values, raw.loc(key))
    return values


def _not_the_index(key: str, what: str, where: Location) -> None:
    """`i` is every entry's copy index (0 without `repeat`): a var or argument of that name would never be seen."""
    if key == "i":
        raise CnnCalcError(f"{what} name 'i' is taken by the copy index of `repeat`; choose another name", where)


def _defaults(doc: YMap, variables: Mapping[str, Any]) -> dict[str, YMap]:
    raw = doc.get("defaults", YMap(doc.location))
    if not isinstance(raw, YMap):
        raise CnnCalcError("'defaults' must map layer types to their default arguments", doc.loc("defaults"))
    result: dict[str, YMap] = {}
    for type_name, args in raw.items():
        kind = layers.canonical(type_name)
        if kind is None:
            raise layers.unknown(type_name, what="'defaults' maps layer types to their arguments").at(
                raw.key_locations[type_name])
        if not isinstance(args, YMap):
            raise CnnCalcError(f"defaults for {type_name} must be a mapping of arguments", raw.loc(type_name))
        result[kind] = args
    return result


def _blocks(doc: YMap) -> dict[str, BlockDef]:
    raw = doc.get("blocks", YMap(doc.location))
    if not isinstance(raw, YMap):
        raise CnnCalcError("'blocks' must map block names to definitions", doc.loc("blocks"))
    result: dict[str, BlockDef] = {}
    for name, body in raw.items():
        where = raw.key_locations[name]
        if not IDENTIFIER.match(name):
            raise CnnCalcError(f"block name {name!r} is not an identifier", where)
        if layers.canonical(name) is not None:
            raise CnnCalcError(f"block name {name!r} is already a layer type; choose another name", where)
        if not isinstance(body, YMap):
            raise CnnCalcError(f"block {name!r} must be a mapping with 'layers' (and optional 'args', 'out')",
                               raw.loc(name))
        for key in body:
            if key not in BLOCK_KEYS:
                raise CnnCalcError(f"unknown key {key!r} in block {name!r}{did_you_mean(key, BLOCK_KEYS)}; "
                                   f"the keys are: {', '.join(BLOCK_KEYS)}", body.key_locations[key])
        args = body.get("args", YMap(body.location))
        if not isinstance(args, YMap):
            raise CnnCalcError(f"'args' of block {name!r} must be a mapping (null = required)", body.loc("args"))
        for key in args:
            _not_the_index(key, f"block {name!r}: argument", args.key_locations[key])
        block_layers = body.get("layers")
        if not isinstance(block_layers, YList) or not block_layers:
            raise CnnCalcError(f"block {name!r} needs a non-empty 'layers' list", body.loc("layers"))
        out = body.get("out")
        if out is not None and not isinstance(out, str):
            raise CnnCalcError(f"'out' of block {name!r} must be a layer name", body.loc("out"))
        numbered = body.get("numbered", False)
        if not isinstance(numbered, bool):
            raise CnnCalcError(f"'numbered' of block {name!r} is true or false", body.loc("numbered"))
        result[name] = BlockDef(name, dict(args), dict(args.value_locations), block_layers, out, where, numbered,
                                body.loc("out"))
    return result

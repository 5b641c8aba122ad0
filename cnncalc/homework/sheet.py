"""Reading an answer file: its problems, each one's network, layout, dtype and answers.

An answer file is YAML::

    network: alexnet_original          # zoo name, path relative to this file, or a network mapping
    input: [3, 227, 227]               # optional override (H×W×C with layout: hwc)
    layout: hwc                        # optional: shapes are H×W×C (chw: C×H×W); default either
    dtype: fp16                        # optional: the element type of the *_bytes answers (fp32)
    answers:
      conv1.output_shape: 55х55х96
      conv1.params: 34 944
      total.macs: ~0,72G
      fc6.params: ?                    # filled in, not checked (`cnncalc check --fill`)

Instead of ``network`` a problem may give ``layer`` (one layer entry, as in a
network file) or ``layers`` (a list) with an ``input``; a key without a layer
name then means the only layer, or the totals. Several problems go in a
``problems`` list; the keys beside it are defaults for each. Keys are
``LAYER.QUANTITY`` (a layer or block instance) or ``total.QUANTITY``.
Everything wrong with the file itself is a `CnnCalcError` at its line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cnncalc
from cnncalc.analysis import DTYPES, dtype_info
from cnncalc.dsl.document import check_input_shape, parse_document
from cnncalc.dsl.expand import expand
from cnncalc.dsl.loader import YList, YMap, load_text
from cnncalc.errors import CnnCalcError, Location
from cnncalc.graph import build
from cnncalc.homework import answers, layout
from cnncalc.homework.targets import Net
from cnncalc.layers.base import did_you_mean
from cnncalc.layers.text import Msg
from cnncalc.sources import refuse_code

PROBLEM_KEYS = ("network", "layer", "layers", "input", "layout", "dtype", "set", "question", "answers")
FILE_KEYS = (*PROBLEM_KEYS, "title", "notes", "problems")
LAYOUTS = {"chw": ("chw",), "hwc": ("hwc",), "any": ("chw", "hwc")}
BARE_QUESTION = re.compile(r"(?<=:)([ \t]+)\?(?=[ \t]*(?:#.*)?$|[ \t]*[,}])", re.MULTILINE)


@dataclass(frozen=True)
class Setting:
    """One problem as read: its network, the layouts its shapes may be written in, and its answers."""

    net: Net
    layouts: tuple[str, ...]
    answers: YMap
    question: str
    warnings: tuple[Msg, ...]


def read(path: Path) -> tuple[str, Any]:
    """The file's text and its YAML (a bare ``?`` quoted first, so that columns stay put)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CnnCalcError(f"cannot read the answer file: {exc}", Location(str(path))) from None
    return text, load_text(BARE_QUESTION.sub(r'\1"?"', text), str(path))


def load(text: str, filename: str) -> Any:
    return load_text(BARE_QUESTION.sub(r'\1"?"', text), filename)


def entries(doc: Any, path: Path) -> tuple[list[tuple[YMap, Location]], dict[str, Any]]:
    """The problems of a file (one, or the ``problems`` list) and the keys they share."""
    if not isinstance(doc, YMap):
        raise CnnCalcError("an answer file is a mapping with 'network' (or 'layer') and 'answers'",
                           Location(str(path), 1, 1))
    known_keys(doc, FILE_KEYS)
    shared = {k: v for k, v in doc.items() if k in PROBLEM_KEYS}
    if "problems" not in doc:
        return [(doc, doc.location)], shared
    items = doc["problems"]
    if not isinstance(items, YList) or not items:
        raise CnnCalcError("'problems' must be a non-empty list of problems", doc.loc("problems"))
    found = []
    for k, item in enumerate(items):
        if not isinstance(item, YMap):
            raise CnnCalcError("a problem is a mapping with 'network' (or 'layer') and 'answers'", items.loc(k))
        known_keys(item, PROBLEM_KEYS)
        found.append((item, items.loc(k)))
    return found, shared


def known_keys(doc: YMap, allowed: tuple[str, ...]) -> None:
    for key in doc:
        if key not in allowed:
            raise CnnCalcError(f"unknown key {key!r}{did_you_mean(key, allowed)}; the keys are: "
                               f"{', '.join(allowed)}", doc.key_locations[key])


def _get(entry: YMap, shared: dict[str, Any], key: str) -> tuple[Any, Location]:
    if key in entry:
        return entry[key], entry.loc(key)
    return shared.get(key), entry.location


def setting(entry: YMap, shared: dict[str, Any], path: Path) -> Setting:
    """Read one problem: its layout, dtype, input and network, and its answers (not yet checked)."""
    layout_value, layout_where = _get(entry, shared, "layout")
    written = str(layout_value or "any").lower()
    if written not in LAYOUTS:
        raise CnnCalcError(f"layout is chw, hwc or any, received {layout_value!r}", layout_where)
    dtype_value, dtype_where = _get(entry, shared, "dtype")
    dtype = "fp32" if dtype_value is None else str(dtype_value).lower()
    try:
        dtype_info(dtype)
    except CnnCalcError:
        raise CnnCalcError(f"dtype is one of {', '.join(DTYPES)}, received {dtype_value!r}", dtype_where) from None
    warnings: list[Msg] = []
    net = _net(entry, shared, path, written, dtype, warnings)
    given, where = _get(entry, shared, "answers")
    if not isinstance(given, YMap) or not given:
        raise CnnCalcError("'answers' must be a mapping of KEY: ANSWER, e.g. conv1.params: 34944",
                           where if "answers" in entry else entry.location)
    question, _ = _get(entry, shared, "question")
    return Setting(net, LAYOUTS[written], given, str(question or ""), tuple(warnings))


def _net(entry: YMap, shared: dict[str, Any], path: Path, written: str, dtype: str, warnings: list[Msg]) -> Net:
    input_value, input_where = _get(entry, shared, "input")
    shape = None if input_value is None else _input(input_value, input_where, written, warnings)
    overrides, set_where = _get(entry, shared, "set")
    if overrides is not None and not isinstance(overrides, dict):
        raise CnnCalcError("'set' is a mapping of network variables, e.g. {num_classes: 10}", set_where)
    sources = [k for k in ("network", "layer", "layers") if k in entry]
    sources = sources or [k for k in ("network", "layer", "layers") if shared.get(k) is not None]
    if len(sources) != 1:
        raise CnnCalcError("a problem needs exactly one of 'network', 'layer' or 'layers'"
                           + (f"; received {', '.join(sources)}" if sources else ""), entry.location)
    source, where = _get(entry, shared, sources[0])
    if sources[0] == "network" and isinstance(source, str):
        try:  # torchvision:NAME is a network; a file never makes cnncalc run Python code (file.py:Net)
            refuse_code(source)
        except CnnCalcError as exc:
            raise exc.at(where) from None
        local = path.parent / source
        graph = cnncalc.load(local if local.is_file() else source, input_shape=shape,
                             overrides=overrides)
        return Net.of(graph, dtype=dtype)
    if sources[0] == "network":
        if not isinstance(source, YMap):
            raise CnnCalcError("'network' is a zoo name, a path, or a network mapping", where)
        doc = source
        if "name" not in doc:
            doc["name"] = "network"
    else:
        if shape is None:
            raise CnnCalcError(f"a problem with '{sources[0]}' needs an 'input' shape", entry.location)
        doc = YMap(where)
        doc["name"] = "layer" if sources[0] == "layer" else "layers"
        doc["input"] = list(shape)
        doc["layers"] = source if sources[0] == "layers" else _one(source, where)
    document = parse_document(doc, str(path), input_shape=shape, overrides=overrides)
    return Net.of(build(expand(document)), dtype=dtype)


def _one(entry: Any, where: Location) -> YList:
    items = YList(where)
    items.append(entry)
    items.item_locations.append(where)
    return items


def _input(value: Any, where: Location, written: str, warnings: list[Msg]) -> tuple[int, ...]:
    given = answers.parse(value, "input_shape")
    if given.kind != "shape" or given.shape is None:
        reason = given.reason.render() if given.reason else "write it e.g. [3, 227, 227] or 227x227x3"
        raise CnnCalcError(f"cannot read the input shape: {reason}", where)
    shape = given.shape
    if written == "any":  # channels first, as the network files are, unless the file says hwc
        hint = layout.suspicious(shape, "chw")
        if hint is not None:
            warnings.append(Msg("{where}: {hint}", where=str(where), hint=hint))
    shape = layout.channels_first(shape, "hwc" if written == "hwc" else "chw")
    check_input_shape(shape, where)
    return shape


__all__ = ["FILE_KEYS", "LAYOUTS", "PROBLEM_KEYS", "Setting", "entries", "load", "read", "setting"]

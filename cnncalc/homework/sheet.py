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

A teacher runs `check` on files students wrote, so a ``network:`` path is read
only from under the answer file's folder (or a folder given with ``check --allow``):
any other path is refused without being opened. A file holds at most
`MAX_PROBLEMS` problems and `MAX_ANSWERS` answers, and its distinct networks at
most `MAX_LAYERS` layers together; problems on the same network share one analysis.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnncalc.analysis import DTYPES, dtype_info
from cnncalc.dsl.document import check_text, parse_document
from cnncalc.dsl.expand import expand
from cnncalc.dsl.loader import YList, YMap, load_file, load_text
from cnncalc.dsl.shape import check_input_shape
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
MAX_PROBLEMS = 200  # the course's longest file has 25
MAX_ANSWERS = 2_000  # over all problems (the longest has 72)
MAX_LAYERS = 30_000  # layers of the file's distinct networks together (a few seconds of analysis)
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
        _count_answers([doc], shared)
        return [(doc, doc.location)], shared
    items = doc["problems"]
    if not isinstance(items, YList) or not items:
        raise CnnCalcError("'problems' must be a non-empty list of problems", doc.loc("problems"))
    if len(items) > MAX_PROBLEMS:
        raise CnnCalcError(f"the file has {len(items):,} problems, more than the {MAX_PROBLEMS} cnncalc checks at "
                           "once; split it into several files", items.loc(MAX_PROBLEMS))
    found = []
    for k, item in enumerate(items):
        if not isinstance(item, YMap):
            raise CnnCalcError("a problem is a mapping with 'network' (or 'layer') and 'answers'", items.loc(k))
        known_keys(item, PROBLEM_KEYS)
        found.append((item, items.loc(k)))
    _count_answers([item for item, _ in found], shared)
    return found, shared


def _count_answers(problems: list[YMap], shared: dict[str, Any]) -> None:
    total = 0
    for problem in problems:
        given = problem.get("answers", shared.get("answers"))
        total += len(given) if isinstance(given, dict) else 0
        if total > MAX_ANSWERS:
            raise CnnCalcError(f"the file has more than {MAX_ANSWERS:,} answers, more than cnncalc checks at once; "
                               "split it into several files", problem.location)


class Networks:
    """The networks of one answer file: where they may be read from, and each one analysed once."""

    def __init__(self, path: Path, roots: Sequence[str | Path] = ()) -> None:
        self.folder = Path(os.path.realpath(path.parent))
        self.roots = [self.folder, *(Path(os.path.realpath(r)) for r in roots)]
        self.nets: dict[str, Net] = {}
        self.layers = 0

    def source(self, name: str, where: Location) -> tuple[Path, str | None]:
        """The file (and variant) a ``network:`` string names: a file under the allowed folders, else a zoo
        name. A path outside them is refused before anything is opened."""
        from cnncalc.zoo import locate

        local = Path(os.path.realpath(self.folder / name))  # symbolic links followed to where they lead
        inside = any(local == root or root in local.parents for root in self.roots)
        if inside and local.is_file():
            return local, None
        looks_like_path = "/" in name or "\\" in name or name.endswith((".yaml", ".yml")) or name.startswith(".")
        if looks_like_path and not inside:
            folders = " or ".join(str(r) for r in self.roots)
            raise CnnCalcError(f"network: {name!r} is outside {folders}; an answer file may name a zoo network or a "
                               "file under its own folder (`cnncalc check --allow DIR` permits another folder)",
                               where)
        try:
            return locate(name, files=False)
        except CnnCalcError as exc:
            raise CnnCalcError(f"network: {exc.message}", where) from None

    def net(self, key: Any, make: Any, where: Location) -> Net:
        """The analysed network for `key` (a problem's network, input, set and dtype), made once."""
        text = json.dumps(key, sort_keys=True, default=str)
        if text not in self.nets:
            graph = make()
            self.layers += len(graph.order)
            if self.layers > MAX_LAYERS:
                raise CnnCalcError(f"the file's networks have more than {MAX_LAYERS:,} layers together, more "
                                   "than cnncalc checks at once; split it into several files", where)
            self.nets[text] = Net.of(graph, dtype=key[-1])
        return self.nets[text]


def known_keys(doc: YMap, allowed: tuple[str, ...]) -> None:
    for key in doc:
        if key not in allowed:
            raise CnnCalcError(f"unknown key {key!r}{did_you_mean(key, allowed)}; the keys are: "
                               f"{', '.join(allowed)}", doc.key_locations[key])


def _get(entry: YMap, shared: dict[str, Any], key: str) -> tuple[Any, Location]:
    if key in entry:
        return entry[key], entry.loc(key)
    return shared.get(key), entry.location


def setting(entry: YMap, shared: dict[str, Any], path: Path, networks: Networks | None = None) -> Setting:
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
    net = _net(entry, shared, path, written, dtype, warnings, networks or Networks(path))
    given, where = _get(entry, shared, "answers")
    if not isinstance(given, YMap) or not given:
        raise CnnCalcError("'answers' must be a mapping of KEY: ANSWER, e.g. conv1.params: 34944",
                           where if "answers" in entry else entry.location)
    question, question_where = _get(entry, shared, "question")
    check_text(str(question or ""), "question", question_where)
    return Setting(net, LAYOUTS[written], given, str(question or ""), tuple(warnings))


def _net(entry: YMap, shared: dict[str, Any], path: Path, written: str, dtype: str, warnings: list[Msg],
         networks: Networks) -> Net:
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
            model = refuse_code(source)
        except CnnCalcError as exc:
            raise exc.at(where) from None
        if model is not None:  # a library's model: no file is read
            import cnncalc

            return networks.net(["model", source, shape, overrides, dtype],
                                lambda: cnncalc.load(source, input_shape=shape, overrides=overrides), where)
        file, variant = networks.source(source, where)

        def load() -> Any:
            document = parse_document(load_file(file), str(file), input_shape=shape, overrides=overrides,
                                      variant=variant)
            return build(expand(document))

        return networks.net([str(file), variant, shape, overrides, dtype], load, where)
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
    return networks.net([None, _plain(doc), shape, overrides, dtype], lambda: build(expand(document)), where)


def _plain(value: Any) -> Any:
    """A YAML value as plain data, its types kept (``1`` and ``"1"`` differ)."""
    if isinstance(value, YMap):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return [type(value).__name__, value]


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


__all__ = ["FILE_KEYS", "LAYOUTS", "MAX_ANSWERS", "MAX_LAYERS", "MAX_PROBLEMS", "PROBLEM_KEYS", "Networks", "Setting",
           "entries", "load", "read", "setting"]

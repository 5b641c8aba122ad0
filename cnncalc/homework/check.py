"""Answer files: homework and exam answers checked against the analysis, with worked formulas.

An answer file is YAML::

    network: alexnet_original          # zoo name, path relative to this file, or a network mapping
    input: [3, 227, 227]               # optional override (H×W×C with layout: hwc)
    layout: hwc                        # optional: shapes must be H×W×C (chw: C×H×W); default either
    answers:
      conv1.output_shape: 55x55x96
      conv1.params: 34944
      total.macs: ~0.72G
      fc6.params: ?                    # filled in, not checked (`cnncalc check --fill`)

Instead of ``network`` a problem may give ``layer`` (one layer entry, as in a
network file) or ``layers`` (a list) with an ``input``; a key without a layer
name then means the only layer, or the totals. Several problems go in a
``problems`` list; the keys beside it are defaults for each. Keys are
``LAYER.QUANTITY`` (a layer or block instance) or ``total.QUANTITY``.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cnncalc
from cnncalc.dsl.document import check_input_shape, parse_document
from cnncalc.dsl.expand import expand
from cnncalc.dsl.loader import YList, YMap, load_text
from cnncalc.errors import CnnCalcError, Location
from cnncalc.graph import build
from cnncalc.homework import answers, mistakes, targets
from cnncalc.homework.targets import Net
from cnncalc.layers.base import did_you_mean
from cnncalc.layers.steps import Step, Value

PROBLEM_KEYS = ("network", "layer", "layers", "input", "layout", "set", "question", "answers")
FILE_KEYS = (*PROBLEM_KEYS, "title", "notes", "problems")
LAYOUTS = {"chw": ("chw",), "hwc": ("hwc",), "any": ("chw", "hwc")}
_QUESTION = re.compile(r"(?<=:)[ \t]*(\"\?\"|'\?'|\?)(?=[ \t]*(?:#.*)?$|[ \t]*[,}])")
_BARE_QUESTION = re.compile(r"(?<=:)([ \t]+)\?(?=[ \t]*(?:#.*)?$|[ \t]*[,}])", re.MULTILINE)


@dataclass(frozen=True)
class Result:
    """One answer: what was written, the right value, and the working."""

    problem: int  # 1-based
    network: str
    key: str
    given: str
    expected: Value
    expected_text: str  # the right value as a table shows it, shapes in the answer's layout
    correct: bool | None  # None: a '?' filled in
    mistake: str | None
    steps: tuple[tuple[str, Step], ...]  # (layer, step)
    location: Location
    fill_text: str  # the right value as the answer file writes it


@dataclass(frozen=True)
class Problem:
    number: int
    network: str
    question: str


@dataclass(frozen=True)
class CheckReport:
    file: str
    title: str
    problems: tuple[Problem, ...]
    results: tuple[Result, ...]

    @property
    def right(self) -> int:
        return sum(1 for r in self.results if r.correct is True)

    @property
    def wrong(self) -> int:
        return sum(1 for r in self.results if r.correct is False)

    @property
    def filled(self) -> int:
        return sum(1 for r in self.results if r.correct is None)


def read(path: Path) -> tuple[str, Any]:
    """The file's text and its YAML (a bare ``?`` quoted first, so that columns stay put)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CnnCalcError(f"cannot read the answer file: {exc}", Location(str(path))) from None
    return text, load_text(_BARE_QUESTION.sub(r'\1"?"', text), str(path))


def check_file(path: str | Path) -> CheckReport:
    path = Path(path)
    return check_document(read(path)[1], path)


def check_text(text: str, filename: str = "<answers>", base: Path | None = None) -> CheckReport:
    return check_document(load_text(_BARE_QUESTION.sub(r'\1"?"', text), filename), base or Path(filename))


def check_document(doc: Any, path: Path) -> CheckReport:
    if not isinstance(doc, YMap):
        raise CnnCalcError("an answer file is a mapping with 'network' (or 'layer') and 'answers'",
                           Location(str(path), 1, 1))
    _known_keys(doc, FILE_KEYS)
    shared = {k: v for k, v in doc.items() if k in PROBLEM_KEYS}
    if "problems" in doc:
        items = doc["problems"]
        if not isinstance(items, YList) or not items:
            raise CnnCalcError("'problems' must be a non-empty list of problems", doc.loc("problems"))
        entries = [(item, items.loc(k)) for k, item in enumerate(items)]
    else:
        entries = [(doc, doc.location)]
    problems, results = [], []
    for number, (entry, where) in enumerate(entries, start=1):
        if not isinstance(entry, YMap):
            raise CnnCalcError("a problem is a mapping with 'network' (or 'layer') and 'answers'", where)
        _known_keys(entry, PROBLEM_KEYS if entry is not doc else FILE_KEYS)
        problem, found = _problem(number, entry, shared, path)
        problems.append(problem)
        results += found
    title = doc.get("title", "")
    return CheckReport(str(path), str(title), tuple(problems), tuple(results))


def _known_keys(doc: YMap, allowed: tuple[str, ...]) -> None:
    for key in doc:
        if key not in allowed:
            raise CnnCalcError(f"unknown key {key!r}{did_you_mean(key, allowed)}; the keys are: "
                               f"{', '.join(allowed)}", doc.key_locations[key])


def _get(entry: YMap, shared: dict[str, Any], key: str) -> tuple[Any, Location]:
    if key in entry:
        return entry[key], entry.loc(key)
    return shared.get(key), entry.location


def _problem(number: int, entry: YMap, shared: dict[str, Any], path: Path) -> tuple[Problem, list[Result]]:
    layout_value, layout_where = _get(entry, shared, "layout")
    layout = str(layout_value or "any").lower()
    if layout not in LAYOUTS:
        raise CnnCalcError(f"layout is chw, hwc or any, received {layout_value!r}", layout_where)
    net = _net(entry, shared, path, layout)
    given, where = _get(entry, shared, "answers")
    if not isinstance(given, YMap) or not given:
        raise CnnCalcError("'answers' must be a mapping of KEY: ANSWER, e.g. conv1.params: 34944",
                           where if "answers" in entry else entry.location)
    results = [_result(number, net, key, given[key], given.key_locations[key], given.loc(key), layout)
               for key in given]
    question, _ = _get(entry, shared, "question")
    return Problem(number, net.report.name, str(question or "")), results


def _net(entry: YMap, shared: dict[str, Any], path: Path, layout: str) -> Net:
    input_value, input_where = _get(entry, shared, "input")
    shape = None if input_value is None else _input(input_value, input_where, layout)
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
        local = path.parent / source
        graph = cnncalc.load(local if local.is_file() else source, input_shape=shape,
                             overrides=overrides)
        return Net.of(graph)
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
    return Net.of(build(expand(document)))


def _one(entry: Any, where: Location) -> YList:
    items = YList(where)
    items.append(entry)
    items.item_locations.append(where)
    return items


def _input(value: Any, where: Location, layout: str) -> tuple[int, ...]:
    try:
        given = answers.parse(value, "input_shape")
    except CnnCalcError as exc:
        raise exc.at(where) from None
    assert given.shape is not None
    shape = given.shape
    if layout == "hwc" and len(shape) > 1:  # H×W×C as written -> channels first
        shape = (shape[-1], *shape[:-1])
    check_input_shape(shape, where)
    return shape


def _result(number: int, net: Net, key: str, value: Any, key_where: Location, where: Location,
            layout: str) -> Result:
    name, _, quantity = key.rpartition(".")
    if not name:
        name = net.report.layers[0].name if len(net.report.layers) == 1 else targets.TOTAL
    try:
        target = targets.find(net, name)
        expected = targets.value(net, target, quantity)
    except CnnCalcError as exc:
        raise exc.at(key_where) from None
    try:
        given = answers.parse(value, quantity)
    except CnnCalcError as exc:
        raise exc.at(where) from None
    layouts = LAYOUTS[layout]
    correct = None if given.fill else answers.matches(given, expected, layouts)
    mistake = None
    if correct is False:
        mistake = mistakes.recognise(mistakes.Context(net, target, quantity, expected, given, layouts))
    shown = layouts[0] if len(layouts) == 1 else "chw" if given.fill else answers.written_layout(given, expected)
    return Result(number, net.report.name, key, given.text, expected, answers.show(expected, shown), correct,
                  mistake, tuple(targets.steps(net, target, quantity)), where,
                  answers.yaml_text(expected, layouts[0] if len(layouts) == 1 else "chw"))


# -- the answer key -----------------------------------------------------------------------------------


def fill(report: CheckReport, source: Path, output: Path | None = None) -> Path:
    """Write `source` with every ``?`` replaced by the right value (to `output`, default in place).

    The file is written whole to a temporary file beside the target and renamed, so a
    reader never sees it half written; comments and layout are kept.
    """
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    by_line: dict[int, list[Result]] = {}
    for result in report.results:
        if result.correct is None:
            by_line.setdefault(result.location.line - 1, []).append(result)
    for k, results in by_line.items():
        # the '?'s of a line in order (columns moved when earlier bare ones were quoted for YAML)
        tokens = list(_QUESTION.finditer(lines[k].rstrip("\r\n"))) if k < len(lines) else []
        if len(tokens) != len(results):
            raise CnnCalcError("cannot find the '?' to fill in; write each on its own line", results[0].location)
        line = lines[k]
        for token, result in sorted(zip(tokens, sorted(results, key=lambda r: r.location.column), strict=True),
                                    key=lambda pair: -pair[0].start(1)):
            line = line[:token.start(1)] + result.fill_text + line[token.end(1):]
        lines[k] = line
    target = output or source
    write_atomic(target, "".join(lines))
    return target


def write_atomic(target: Path, text: str) -> None:
    """Write `text` to a temporary file beside `target`, then rename it: never a half-written file."""
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise CnnCalcError(f"cannot write {target}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise CnnCalcError(f"cannot write {target}: {exc.strerror}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


__all__ = ["CheckReport", "Problem", "Result", "check_file", "check_text", "fill"]

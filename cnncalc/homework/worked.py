"""Worked answers for one layer: `cnncalc layer` (a layer on its own) and `cnncalc explain`.

`solve_layer` builds a registered layer type from ``key=value`` arguments (the same
arguments, validation and messages as in YAML) and binds it to its input: every
number of it with the formula behind each, as a report row. `explain` does the same for a layer or block
instance inside a network, its input coming from the layers before it, and
`breakdown` shows where a network's parameters and MACs are. Shapes stay
channels first here; ``--layout hwc`` is the renderer's business.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cnncalc import layers
from cnncalc.analysis import LayerReport, layer_report
from cnncalc.dsl.expr import evaluate
from cnncalc.dsl.loader import load_text
from cnncalc.dsl.shape import check_input_shape, parse_shape
from cnncalc.errors import CnnCalcError, LayerError, Location
from cnncalc.homework import targets
from cnncalc.homework.layout import channels_first
from cnncalc.homework.targets import TOTAL, Net, by_type, find
from cnncalc.homework.typed import clean
from cnncalc.layers.base import Shape, fmt_shape
from cnncalc.layers.steps import Value, Worked
from cnncalc.layers.text import Msg
from cnncalc.spec import INPUT

WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SIZES = re.compile(r"^\d+(?:\s*[xX×хХ]\s*\d+)+$")


# -- a layer on its own ----------------------------------------------------------------------------


def parse_arg_value(text: str) -> Any:
    """A ``key=value`` value as YAML would read it; words stay words, arithmetic is evaluated.

    ``3`` -> 3, ``3,1`` or ``[3, 1]`` -> [3, 1], ``3x3`` (or ``3×3``, ``3х3``) -> [3, 3], ``same`` ->
    'same', ``false`` -> False, ``2*64`` -> 128 (the safe evaluator, never Python's eval).

    >>> parse_arg_value("3,1"), parse_arg_value("same"), parse_arg_value("(5-1)//2"), parse_arg_value("1e-4")
    ([3, 1], 'same', 2, 0.0001)
    >>> parse_arg_value("3x3"), parse_arg_value("1х7")
    ([3, 3], [1, 7])
    """
    text = text.strip()
    if not text:
        raise CnnCalcError("an argument has no value; write KEY=VALUE, e.g. kernel=3")
    if SIZES.match(text):  # a size per dimension as people write it: 3x3, 1×7
        return [int(p) for p in re.split(r"\s*[xX×хХ]\s*", text)]
    if "," in text and not text.startswith(("[", "$")):
        text = f"[{text}]"
    return _evaluated(load_text(text, "<argument>"))


def _evaluated(value: Any) -> Any:
    if isinstance(value, list):
        return [_evaluated(v) for v in value]
    if isinstance(value, str) and not WORD.match(value):
        return evaluate(value[2:-1] if value.startswith("${") else value.lstrip("$"), {})
    return value


def parse_layer_args(items: Sequence[str]) -> dict[str, Any]:
    """``["out=10", "kernel=5"]`` -> ``{"out": 10, "kernel": 5}``."""
    result: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CnnCalcError(f"cannot read the argument {item!r}; write KEY=VALUE, e.g. out=10 or padding=same")
        if key in result:
            raise CnnCalcError(f"the argument {key!r} is given twice")
        try:
            result[key] = parse_arg_value(text)
        except CnnCalcError as exc:
            raise CnnCalcError(f"argument {key}: {exc.message}") from None
    return result


def solve_layer(kind: str, args: Mapping[str, Any], input_shapes: Sequence[Shape]) -> LayerReport:
    """Build layer `kind` from `args` and bind it to `input_shapes` (channels first): every number of
    it with its formula, as the row of a network of that one layer."""
    cls = layers.require(kind)
    ins = tuple(tuple(s) for s in input_shapes)
    for shape in ins:
        check_input_shape(shape, Location("--input"))
    try:
        layer = cls.from_args(args)
        bound = layer.bind(ins)
    except LayerError as exc:
        shown = ", ".join(fmt_shape(s) for s in ins)
        raise CnnCalcError(f"{cls.KIND} on input {shown}: {exc.message}") from None
    return layer_report(cls.KIND, (INPUT,) * len(ins), (), bound, int(layer.WEIGHTED))


# -- a layer inside a network ------------------------------------------------------------------------


def explain(net: Net, key: str) -> list[LayerReport]:
    """The layer `key` of `net`, or every layer of the block instance `key` that computes something."""
    target = find(net, key)
    if target.is_total:
        raise CnnCalcError("use `breakdown` for the totals")
    rows = [net.report.layers[k] for k in target.rows]
    if len(rows) > 1:
        rows = [r for r in rows if r.params or r.macs or tuple(r.output_shape) != tuple(r.input_shapes[0])
                or len(r.inputs) > 1] or rows
    return rows


@dataclass(frozen=True)
class BlockSummary:
    """A block instance as a whole: what it holds, its output, its sums, and the lines that add them up."""

    name: str
    contents: Msg
    layers: tuple[str, ...]
    output_shape: Shape
    params: int
    macs: int
    flops: int
    activations: int
    rf: Value
    lines: tuple[tuple[str, Worked], ...]


def block_summary(net: Net, key: str) -> BlockSummary | None:
    """The totals of the block instance `key` (None for a layer)."""
    target = find(net, key)
    contents = targets.contents(net, target)
    if contents is None:
        return None

    def total(quantity: str) -> int:
        found = targets.value(net, target, quantity)
        assert isinstance(found, int)
        return found

    output = targets.value(net, target, "output_shape")
    assert isinstance(output, tuple)
    sums = [(layer, w) for q in ("params", "macs") for layer, w in targets.steps(net, target, q) if layer == key]
    return BlockSummary(key, contents, tuple(net.report.layers[k].name for k in target.rows),
                        tuple(int(d) for d in output), total("params"), total("macs"), total("flops"),
                        total("activations"), targets.value(net, target, "rf"), tuple(sums))


@dataclass(frozen=True)
class Share:
    """One layer's part of a total: its value, the fraction of the total, and the formula."""

    name: str
    kind: str
    value: int
    share: float
    formula: str


@dataclass(frozen=True)
class Breakdown:
    """Where a network's parameters and MACs are: per layer type and the largest layers."""

    net: Net
    params_by_type: dict[str, int]
    macs_by_type: dict[str, int]
    top_params: tuple[Share, ...]
    top_macs: tuple[Share, ...]


def breakdown(net: Net, top: int = 5) -> Breakdown:
    """The `top` layers by parameters and by MACs, with their formulas, and the sums per layer type."""
    report = net.report
    return Breakdown(net, by_type(report, "params"), by_type(report, "macs"),
                     _top(net, "params", top), _top(net, "macs", top))


def _top(net: Net, quantity: str, top: int) -> tuple[Share, ...]:
    total = getattr(net.report.totals, quantity) or 1
    rows = sorted((r for r in net.report.layers if getattr(r, quantity)), key=lambda r: -getattr(r, quantity))
    shares = []
    for row in rows[:top]:
        formulas = [s.formula for s in net.layer_steps(row) if s.quantity == quantity]
        amount = getattr(row, quantity)
        shares.append(Share(row.name, row.type, amount, amount / total, formulas[0] if formulas else ""))
    return tuple(shares)


def read_input(text: str) -> Shape:
    """An ``--input`` shape as written (any layout): ``3x224x224``, ``224х224х3``, ``[3, 224, 224]``."""
    return parse_shape(clean(text).replace("х", "x").replace("Х", "x"))


def input_shapes(texts: Sequence[str], layout: str) -> list[Shape]:
    """``--input`` values as channels-first shapes; with layout 'hwc' they are read H×W×C."""
    return [channels_first(read_input(text), layout) for text in texts]


__all__ = ["TOTAL", "BlockSummary", "Breakdown", "Share", "block_summary", "breakdown", "explain", "input_shapes",
           "parse_layer_args", "read_input", "solve_layer"]

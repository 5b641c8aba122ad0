"""What an answer key or `cnncalc explain` names in a network: a layer, a block instance or the totals.

A `Net` is a loaded graph with its report. `find` turns ``conv5``, ``fire2`` (a
block instance: its layers summed, its output layer's shape and field) or
``total`` into a `Target`; `value` reads one quantity of a target (the fields of
the JSON contract, plus ``weights``, ``biases``, ``jump`` and ``fits``), and
`steps` gives the worked formulas behind it. Every number comes from the report
or from a layer's own rules; nothing here knows a layer type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cnncalc.analysis import LayerReport, Report, analyze_graph, dtype_info
from cnncalc.errors import CnnCalcError
from cnncalc.graph import Graph
from cnncalc.layers.base import Layer, did_you_mean
from cnncalc.layers.formula import Num, Sum, num
from cnncalc.layers.rf import RF, field_value, jump_value
from cnncalc.layers.steps import Step, Value, Worked
from cnncalc.layers.text import Msg
from cnncalc.spec import INPUT

TOTAL = "total"
SUMMED = ("params", "buffers", "macs", "flops", "activations")
# a block's output is its output layer's: its activations are that layer's, not the sum over its members
OF_THE_OUTPUT = ("activations", "activation_bytes")
BYTES = {"param_bytes": "params", "activation_bytes": "activations", "buffer_bytes": "buffers"}
LAYER_QUANTITIES = (*SUMMED, "weights", "biases", "output_shape", "rf", "jump", "depth", "fits", "param_bytes",
                    "activation_bytes")
TOTAL_QUANTITIES = (*LAYER_QUANTITIES, "trainable_params", "buffer_bytes", "peak_activation_bytes", "input_shape")
# the step quantities that explain each answer quantity
STEP_TOPICS: Mapping[str, tuple[str, ...]] = {
    "output_shape": ("output_shape",), "activations": ("output_shape",), "fits": ("output_shape",),
    "params": ("params",), "weights": ("params",), "biases": ("params",), "param_bytes": ("params",),
    "trainable_params": ("params",), "buffers": ("buffers",), "buffer_bytes": ("buffers",),
    "macs": ("macs",), "flops": ("flops",), "rf": ("rf", "jump"), "jump": ("rf", "jump"),
}


@dataclass(frozen=True)
class Target:
    """A layer (one row), a block instance (its rows; `output` its output row) or the totals (output None)."""

    key: str
    rows: tuple[int, ...]
    output: int | None

    @property
    def is_total(self) -> bool:
        return self.output is None

    @property
    def is_block(self) -> bool:
        return self.output is not None and (len(self.rows) > 1 or self.rows[0] != self.output)


@dataclass(frozen=True)
class Net:
    """A network's graph and its report, indexed by layer name."""

    graph: Graph
    report: Report
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, graph: Graph, *, dtype: str = "fp32") -> Net:
        report = analyze_graph(graph, dtype=dtype)
        return cls(graph, report, {row.name: k for k, row in enumerate(report.layers)})

    def layer(self, row: LayerReport) -> Layer:
        assert row.bound is not None
        return row.bound.layer

    def fields(self, row: LayerReport) -> list[RF]:
        """The receptive fields of a layer's inputs."""
        rank = len(self.report.input_shape) - 1
        return [RF.of_input(rank) if i == INPUT else self.report.layers[self.index[i]].rf for i in row.inputs]

    def layer_lines(self, row: LayerReport) -> list[Worked]:
        """The worked lines of a layer (rendered in a language by the renderer)."""
        assert row.bound is not None
        return row.bound.worked_lines()

    def layer_steps(self, row: LayerReport) -> list[Step]:
        return [w.step() for w in self.layer_lines(row)]


def find(net: Net, key: str) -> Target:
    """The target named `key`: ``total``, a layer name or a block instance path."""
    if key == TOTAL:
        return Target(key, tuple(range(len(net.report.layers))), None)
    if key in net.index:
        k = net.index[key]
        return Target(key, (k,), k)
    for block in net.report.blocks:
        if block.path == key:
            rows = tuple(k for k, row in enumerate(net.report.layers) if key in row.scope)
            return Target(key, rows, net.index[block.out])
    known = [*net.index, *(b.path for b in net.report.blocks)]
    raise CnnCalcError(f"{net.report.name} has no layer or block {key!r}{did_you_mean(key, known)}; "
                       "use a name from `cnncalc shapes` or 'total'")


def check_quantity(target: Target, quantity: str) -> None:
    allowed = TOTAL_QUANTITIES if target.is_total else LAYER_QUANTITIES
    if quantity not in allowed:
        where = "the totals" if target.is_total else "a layer"
        raise CnnCalcError(f"unknown quantity {quantity!r} for {where}{did_you_mean(quantity, allowed)}; "
                           f"use one of {', '.join(allowed)}")


def value(net: Net, target: Target, quantity: str) -> Value:
    """One quantity of a target, as an answer would give it."""
    check_quantity(target, quantity)
    report, rows = net.report, [net.report.layers[k] for k in target.rows]
    totals = report.totals
    if quantity in ("weights", "biases"):
        return sum(r.biases if quantity == "biases" else r.weights for r in rows)
    if quantity == "fits":
        return all(r.fits for r in rows)
    if quantity == "input_shape":
        return tuple(report.input_shape)
    if target.is_total:
        if quantity in ("rf", "jump"):
            return field_value(totals.rf) if quantity == "rf" else jump_value(totals.rf)
        result: Value = getattr(totals, quantity)
        return tuple(result) if isinstance(result, tuple) else result
    if quantity in OF_THE_OUTPUT and target.output is not None:
        rows = [report.layers[target.output]]
    if quantity in SUMMED:
        return sum(int(getattr(r, quantity)) for r in rows)
    if quantity in BYTES:
        return sum(int(getattr(r, BYTES[quantity])) for r in rows) * dtype_info(report.dtype)[1]
    assert target.output is not None
    out = report.layers[target.output]
    if quantity in ("rf", "jump"):
        return field_value(out.rf) if quantity == "rf" else jump_value(out.rf)
    if quantity == "output_shape":
        return tuple(out.output_shape)
    depth: int = out.depth
    return depth


def steps(net: Net, target: Target, quantity: str) -> list[tuple[str, Worked]]:
    """The worked lines behind `quantity` of `target`, each with the layer it belongs to."""
    topics = STEP_TOPICS.get(quantity, ())
    if target.is_total:
        return [(TOTAL, w) for w in total_steps(net, quantity)]
    keys = (target.output,) if quantity in OF_THE_OUTPUT and target.output is not None else target.rows
    rows = [net.report.layers[k] for k in keys]
    result = []
    for row in rows:
        if len(rows) > 1 and not _contributes(net, row, quantity):
            continue
        result += [(row.name, w) for w in net.layer_lines(row) if w.quantity in topics]
    parts = [(r.name, _count(value(net, Target(r.name, (k,), k), quantity)))
             for k, r in zip(keys, rows, strict=True)] if quantity in (*SUMMED, "weights", "biases") else []
    parts = [(n, v) for n, v in parts if v]
    if len(parts) > 1:
        formula = Sum(*(Num(v, grouped=True) for _, v in parts))
        result.append((target.key, Worked(quantity, quantity, formula, Msg("the sum over {names}",
                                                                            names=", ".join(n for n, _ in parts)))))
    return result


def contents(net: Net, target: Target) -> Msg | None:
    """What a block holds, for the feedback: ``conv1 is a block: conv 11×11/4 + relu; conv1.conv is the
    convolution alone`` (None for a layer or the totals)."""
    if not target.is_block:
        return None
    rows = [net.report.layers[k] for k in target.rows]
    kinds = [f"{r.type} {r.description}".strip() for r in rows]
    shown = " + ".join(kinds[:8]) + (f" + … ({len(kinds)})" if len(kinds) > 8 else "")
    weighted = [r for r in rows if net.layer(r).WEIGHTED]
    if len(weighted) == 1:
        return Msg("{block} is a block: {contents}; {layer} is the {kind} alone", block=target.key,
                   contents=shown, layer=weighted[0].name, kind=weighted[0].type)
    return Msg("{block} is a block: {contents}", block=target.key, contents=shown)


def _text(v: Value) -> str:
    return "×".join(map(str, v)) if isinstance(v, tuple) else str(v)


def _count(v: Value) -> int:
    assert isinstance(v, int)
    return v


def _contributes(net: Net, row: LayerReport, quantity: str) -> bool:
    """Whether a member of a block adds to `quantity` (a ReLU adds no parameters and keeps the field)."""
    if quantity in (*SUMMED, "weights", "biases", "param_bytes"):
        return bool(row.params if quantity in ("weights", "biases", "param_bytes") else getattr(row, quantity))
    fields = net.fields(row)
    return tuple(row.output_shape) != tuple(row.input_shapes[0]) or len(fields) > 1 or row.rf != fields[0]


def by_type(report: Report, quantity: str) -> dict[str, int]:
    """`quantity` summed per layer type, largest first, zero types left out."""
    sums: dict[str, int] = {}
    for row in report.layers:
        sums[row.type] = sums.get(row.type, 0) + getattr(row, quantity)
    return dict(sorted(((k, v) for k, v in sums.items() if v), key=lambda kv: -kv[1]))


def total_steps(net: Net, quantity: str) -> list[Worked]:
    """How a total comes about: per layer type for counts, the last spatial layer for the field."""
    totals = net.report.totals
    if quantity in SUMMED or quantity in ("trainable_params",):
        base = "params" if quantity == "trainable_params" else quantity
        parts = by_type(net.report, base)
        total = getattr(totals, quantity)
        text = " + ".join(f"{kind} {num(v)}" for kind, v in parts.items()) or "0"
        return [Worked(quantity, quantity, value=total, shown=f"{text} = {num(total)}",
                       note=Msg("summed by layer type"))]
    if quantity in ("rf", "jump"):
        size, jump = field_value(totals.rf), jump_value(totals.rf)
        return [Worked(quantity, "RF", value=size if quantity == "rf" else jump,
                       shown=f"{_text(size)}, jump = {_text(jump)}",
                       note=Msg("the field of the last layer that still has a spatial grid; the jump is the "
                                "product of the strides, the total downsampling"))]
    if quantity == "depth":
        return [Worked("depth", "depth", value=totals.depth, shown=str(totals.depth),
                       note=Msg("conv and linear layers on the longest path from the input to the output"))]
    if quantity in BYTES or quantity == "peak_activation_bytes":
        nbytes = dtype_info(net.report.dtype)[1]
        total = getattr(totals, quantity)
        source = BYTES.get(quantity)
        shown = f"{num(getattr(totals, source))}·{nbytes} = {num(total)}" if source else num(total)
        return [Worked(quantity, quantity, value=total, shown=shown,
                       note=Msg("{dtype}: {n} bytes per element", dtype=net.report.dtype, n=nbytes))]
    return []

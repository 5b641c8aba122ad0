"""The usual mistakes, recognised by recomputing the answer the way the mistake would.

Each rule proposes (message, the value that mistake gives) pairs for a wrong
answer; `recognise` returns the first message whose value matches what was
written (and differs from the right value). Most rules recompute the network
with one argument changed on the layers concerned (no bias, no padding, groups 1
...), chosen by the argument's name, never by layer type; the others rescale a
number (MACs vs FLOPs, bytes vs count) or re-read the input (224 vs 227, H×W×C
read as C×H×W).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from cnncalc.analysis.report import dtype_info
from cnncalc.errors import CnnCalcError
from cnncalc.graph import Graph
from cnncalc.homework.answers import Given, in_layout, matches
from cnncalc.homework.targets import Net, Target, find, value
from cnncalc.layers.base import Layer, fmt_shape
from cnncalc.layers.formula import num
from cnncalc.layers.steps import Value


@dataclass(frozen=True)
class Context:
    """A wrong answer: where, which quantity, the right value and what was written."""

    net: Net
    target: Target
    quantity: str
    expected: Value
    given: Given
    layouts: tuple[str, ...]

    def value_in(self, net: Net | None) -> Value | None:
        """The same question asked of a variant of the network (None when the variant does not apply)."""
        if net is None:
            return None
        try:
            return value(net, find(net, self.target.key), self.quantity)
        except CnnCalcError:
            return None


Candidate = tuple[str, Value | None]
Rule = Callable[[Context], Iterator[Candidate]]


def recognise(ctx: Context) -> str | None:
    """The most likely mistake behind a wrong answer, or None."""
    for rule in RULES:
        for message, predicted in rule(ctx):
            if predicted is not None and predicted != ctx.expected and matches(ctx.given, predicted, ctx.layouts):
                return message
    return None


# -- variants of the network -------------------------------------------------------------------------


def variant(net: Net, change: Callable[[Layer], Layer | None], rows: tuple[int, ...] | None = None,
            input_shape: tuple[int, ...] | None = None) -> Net | None:
    """`net` with `change` applied to the layers of `rows` (all when None) and/or another input; None if moot."""
    names = None if rows is None else {net.report.layers[k].name for k in rows}
    order, changed = [], input_shape is not None
    for node in net.graph.order:
        new = change(node.layer) if names is None or node.name in names else None
        changed |= new is not None
        order.append(node if new is None else replace(node, layer=new))
    if not changed:
        return None
    spec = net.graph.spec if input_shape is None else replace(net.graph.spec, input_shape=input_shape)
    try:
        return Net.of(Graph(spec, tuple(order), net.graph.last_use), dtype=net.report.dtype)
    except CnnCalcError:
        return None


def with_arg(name: str, new: Callable[[Any], Any]) -> Callable[[Layer], Layer | None]:
    """A change that sets argument `name` to ``new(current)`` on layers that have it."""

    def change(layer: Layer) -> Layer | None:
        args = layer.arg_values()
        if name not in args or new(args[name]) == args[name]:
            return None
        try:
            return type(layer).from_args({**args, name: new(args[name])})
        except CnnCalcError:
            return None

    return change


def _scopes(ctx: Context, everywhere: bool) -> list[tuple[int, ...] | None]:
    """The layers a mistake is assumed in: the target's own, then (for a field, or if asked) all of them."""
    return [None] if ctx.target.is_total else [ctx.target.rows, None] if everywhere else [ctx.target.rows]


# -- the rules ---------------------------------------------------------------------------------------


def _shape_layout(ctx: Context) -> Iterator[Candidate]:
    if ctx.quantity == "output_shape" and len(ctx.layouts) == 1 and isinstance(ctx.expected, tuple):
        other = "hwc" if ctx.layouts[0] == "chw" else "chw"
        shown = {"chw": "C×H×W", "hwc": "H×W×C"}
        # the value whose shape, written in this file's layout, reads as the right one in the other layout
        back = in_layout(ctx.expected, "hwc") if ctx.layouts[0] == "chw" else (ctx.expected[-1], *ctx.expected[:-1])
        yield (f"wrote the shape {shown[other]}; this file asks for {shown[ctx.layouts[0]]} "
               f"(layout: {ctx.layouts[0]})"), back


def _macs_flops(ctx: Context) -> Iterator[Candidate]:
    macs = value(ctx.net, ctx.target, "macs")
    assert isinstance(macs, int)
    if ctx.quantity == "macs":
        yield "counted FLOPs, not MACs: a multiply-accumulate is one multiply and one add, 2 FLOPs", 2 * macs
    if ctx.quantity == "flops":
        yield "counted MACs, not FLOPs: each multiply-accumulate is 2 FLOPs", macs
        yield ("counted only 2·MACs: the FLOPs also count bias adds, activations, pooling and the other "
               "arithmetic (README table)"), 2 * macs


def _bias(ctx: Context) -> Iterator[Candidate]:
    biases, weights = _int(value(ctx.net, ctx.target, "biases")), _int(value(ctx.net, ctx.target, "weights"))
    if ctx.quantity == "params" and biases:
        yield f"forgot the bias: {num(weights)} weights + {num(biases)} biases", weights
    if ctx.quantity == "weights" and biases:
        yield f"counted the {num(biases)} biases as weights", value(ctx.net, ctx.target, "params")
    if ctx.quantity == "biases":
        yield "counted the weights as well", value(ctx.net, ctx.target, "params")


def _bytes(ctx: Context) -> Iterator[Candidate]:
    size = dtype_info(ctx.net.report.dtype)[1]
    pairs = {"params": "param_bytes", "param_bytes": "params", "activations": "activation_bytes",
             "activation_bytes": "activations"}
    if ctx.quantity in pairs:
        other = pairs[ctx.quantity]
        message = (f"gave bytes ({ctx.net.report.dtype}: {size} per element), not the number of elements"
                   if other.endswith("bytes") else
                   f"gave the number of elements, not bytes ({ctx.net.report.dtype}: {size} per element)")
        yield message, value(ctx.net, ctx.target, other)


def _field_jump(ctx: Context) -> Iterator[Candidate]:
    if ctx.quantity == "rf":
        yield "gave the jump (the product of the strides), not the receptive field", value(ctx.net, ctx.target,
                                                                                            "jump")
    if ctx.quantity == "jump":
        yield "gave the receptive field, not the jump (the product of the strides)", value(ctx.net, ctx.target, "rf")


# argument name, new value from the current one, message, quantities, whether to try every layer too
ARG_MISTAKES: tuple[tuple[str, Callable[[Any], Any], str, tuple[str, ...], bool], ...] = (
    ("padding", lambda _: 0, "forgot the padding", ("output_shape", "macs", "flops", "activations", "fits"), True),
    ("groups", lambda _: 1, "ignored the groups: each filter sees only C_in/groups input channels",
     ("params", "weights", "macs", "flops"), True),
    ("ceil_mode", lambda c: not c, "rounded the wrong way: pooling floors unless ceil_mode is set",
     ("output_shape", "macs", "flops", "activations"), True),
    ("dilation", lambda _: 1, "ignored the dilation: the kernel spans d·(k − 1) + 1 pixels",
     ("output_shape", "rf"), True),
    ("stride", lambda _: 1, "ignored the stride: the field grows by (k − 1)·j, the jump j being the product of "
     "the earlier strides", ("rf",), True),
    ("stride", lambda _: 1, "ignored the stride", ("output_shape", "macs", "flops", "activations"), False),
    ("out", lambda _: 1, "gave the parameters of one filter (or neuron); multiply by their number",
     ("params", "weights"), False),
)


def _arguments(ctx: Context) -> Iterator[Candidate]:
    for name, new, message, quantities, everywhere in ARG_MISTAKES:
        if ctx.quantity in quantities:
            for rows in _scopes(ctx, everywhere):
                yield message, ctx.value_in(variant(ctx.net, with_arg(name, new), rows))


def _input_size(ctx: Context) -> Iterator[Candidate]:
    shape = ctx.net.report.input_shape
    if len(shape) == 3 and shape[1] == shape[2] and shape[1] in (224, 227):
        other = 451 - shape[1]
        yield (f"used a {other}×{other} input; this network takes {shape[1]}×{shape[2]}",
               ctx.value_in(variant(ctx.net, lambda _: None, input_shape=(shape[0], other, other))))


def _input_layout(ctx: Context) -> Iterator[Candidate]:
    shape = ctx.net.report.input_shape
    if len(shape) == 3 and len(set(shape)) > 1:
        misread = (shape[1], shape[2], shape[0])  # the H×W×C numbers taken as C×H×W
        yield (f"read the {fmt_shape(in_layout(shape, 'hwc'))} (H×W×C) input as C×H×W",
               ctx.value_in(variant(ctx.net, lambda _: None, input_shape=misread)))


def _flat_filters(ctx: Context) -> Iterator[Candidate]:
    """Filters taken as 2-D: each one spans all C_in/groups input channels, not one."""
    if ctx.quantity not in ("params", "weights", "macs") or ctx.target.is_total:
        return
    members = [ctx.net.report.layers[k] for k in ctx.target.rows if ctx.net.report.layers[k].params]
    if len(members) != 1 or len(members[0].input_shapes) != 1 or len(members[0].input_shapes[0]) < 2:
        return
    row = members[0]
    layer = ctx.net.layer(row)
    flat = (getattr(layer, "groups", 1), *row.input_shapes[0][1:])
    try:
        bound = layer.bind([flat])
    except CnnCalcError:
        return
    values = {"params": int(bound.params.value), "macs": int(bound.macs.value), "weights": bound.weights}
    yield "forgot that each filter spans all the input channels (C_in/groups of them)", values[ctx.quantity]


def _depth(ctx: Context) -> Iterator[Candidate]:
    if ctx.quantity == "depth":
        weighted = [r for k, r in enumerate(ctx.net.report.layers) if k in ctx.target.rows
                    and ctx.net.layer(r).WEIGHTED]
        yield ("counted every conv and linear layer; the depth counts those on the longest path (shortcut "
               "projections lie beside it)"), len(weighted)


def _int(v: Value) -> int:
    assert isinstance(v, int)
    return v


RULES: tuple[Rule, ...] = (_shape_layout, _macs_flops, _bias, _bytes, _field_jump, _arguments, _input_size,
                           _input_layout, _flat_filters, _depth)

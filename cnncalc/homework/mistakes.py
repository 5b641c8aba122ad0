"""The usual mistakes, recognised by recomputing the answer the way the mistake would.

Each rule proposes (code, message, the value that mistake gives) for a wrong
answer; `recognise` returns the messages whose values match what was written
(and differ from the right value), with their stable codes (``forgot_bias``,
``ignored_groups`` ...: the JSON's ``mistake_code``). Most rules recompute the
network with one argument changed on the layers concerned (no bias, no padding,
groups 1 ...), chosen by the argument's name, never by layer type; others rescale
a number (MACs vs FLOPs, bytes vs count), re-read the input (224 vs 227, H×W×C
read as C×H×W) or look at a sibling network (VGG-16's count given for VGG-19).
Before them, the answer's form: an exact number right to the precision written
(``3.4e4`` for 34,944: write ``~``), or MB where MiB was meant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from cnncalc.analysis.report import dtype_info
from cnncalc.errors import CnnCalcError
from cnncalc.graph import Graph
from cnncalc.homework.answers import Given, approximate, in_layout, matches
from cnncalc.homework.layout import axes, channels_first, other_reading
from cnncalc.homework.targets import Net, Target, find, value
from cnncalc.layers.base import Layer, fmt_shape
from cnncalc.layers.steps import Value
from cnncalc.layers.text import Msg, Plural

MAX_SHOWN = 2  # at most this many mistakes that give the same number are named


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


# code, message, the value that mistake gives (None: does not apply), whether to compare loosely
Candidate = tuple[str, Msg, Value | None]
Rule = Callable[[Context], Iterator[Candidate]]


def recognise(ctx: Context) -> tuple[Msg, tuple[str, ...]] | None:
    """The likely mistakes behind a wrong answer, with their codes, or None."""
    from cnncalc.homework.hints import FORM_RULES, LOOSE_RULES

    for rule in FORM_RULES:
        for code, message, _ in rule(ctx):
            return message, (code,)
    found: dict[str, Msg] = {}
    for rules, loose in ((RULES, False), (LOOSE_RULES, True)):
        given = approximate(ctx.given) if loose else ctx.given
        for rule in rules:
            for code, message, predicted in rule(ctx):
                if (code not in found and predicted is not None and predicted != ctx.expected
                        and matches(given, predicted, ctx.layouts)):
                    found[code] = message
        if found:
            break
    if not found:
        return None
    codes = tuple(found)[:MAX_SHOWN]
    messages = [found[c] for c in codes]
    shown = messages[0] if len(messages) == 1 else Msg("{a}; or {b}", a=messages[0], b=messages[1])
    return shown, codes


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

SHOWN = {"chw": "C×H×W", "hwc": "H×W×C"}


def _shape_layout(ctx: Context) -> Iterator[Candidate]:
    if ctx.quantity == "output_shape" and len(ctx.layouts) == 1 and isinstance(ctx.expected, tuple):
        asked = ctx.layouts[0]
        other = "hwc" if asked == "chw" else "chw"
        # the value whose shape, written in this file's layout, reads as the right one in the other layout
        back = in_layout(ctx.expected, "hwc") if asked == "chw" else (ctx.expected[-1], *ctx.expected[:-1])
        yield ("shape_layout", Msg("wrote the shape {other}; this file asks for {asked} (layout: {layout})",
                                   other=SHOWN[other], asked=SHOWN[asked], layout=asked), back)


def _file_layout(ctx: Context) -> Iterator[Candidate]:
    """The file reads its input C×H×W, but the numbers look H×W×C and the answer is right for that."""
    shape = ctx.net.report.input_shape
    if other_reading(shape, "chw") == "hwc":
        yield ("file_layout", Msg("right if the input {written} is H×W×C; this file reads it as C×H×W ({c} "
                                  "channels): add layout: hwc to it", written=fmt_shape(shape), c=shape[0]),
               ctx.value_in(variant(ctx.net, lambda _: None, input_shape=channels_first(shape, "hwc"))))


def _macs_flops(ctx: Context) -> Iterator[Candidate]:
    macs = value(ctx.net, ctx.target, "macs")
    assert isinstance(macs, int)
    if ctx.quantity == "macs":
        yield ("flops_not_macs", Msg("counted FLOPs, not MACs: a multiply-accumulate is one multiply and one add, "
                                     "2 FLOPs"), 2 * macs)
    if ctx.quantity == "flops":
        yield "macs_not_flops", Msg("counted MACs, not FLOPs: each multiply-accumulate is 2 FLOPs"), macs
        yield ("only_2macs", Msg("counted only 2·MACs: the FLOPs also count bias adds, activations, pooling and "
                                 "the other arithmetic (README table)"), 2 * macs)


def _bias(ctx: Context) -> Iterator[Candidate]:
    biases, weights = _int(value(ctx.net, ctx.target, "biases")), _int(value(ctx.net, ctx.target, "weights"))
    if ctx.quantity == "params" and biases:
        yield ("forgot_bias", Msg("forgot the bias: {w} + {b}", w=Plural(weights, "weight", "weights"),
                                  b=Plural(biases, "bias", "biases")), weights)
    if ctx.quantity == "weights" and biases:
        yield ("biases_as_weights", Msg("counted the {b} as weights", b=Plural(biases, "bias", "biases")),
               value(ctx.net, ctx.target, "params"))
    if ctx.quantity == "biases":
        yield "weights_as_biases", Msg("counted the weights as well"), value(ctx.net, ctx.target, "params")


def _bytes(ctx: Context) -> Iterator[Candidate]:
    size = dtype_info(ctx.net.report.dtype)[1]
    pairs = {"params": "param_bytes", "param_bytes": "params", "activations": "activation_bytes",
             "activation_bytes": "activations"}
    if ctx.quantity in pairs:
        other = pairs[ctx.quantity]
        if other.endswith("bytes"):
            yield ("bytes_not_elements", Msg("gave bytes ({dtype}: {n} per element), not the number of elements",
                                             dtype=ctx.net.report.dtype, n=size), value(ctx.net, ctx.target, other))
        else:
            yield ("elements_not_bytes", Msg("gave the number of elements, not bytes ({dtype}: {n} per element)",
                                             dtype=ctx.net.report.dtype, n=size), value(ctx.net, ctx.target, other))


def _field_jump(ctx: Context) -> Iterator[Candidate]:
    if ctx.quantity == "rf":
        yield ("jump_not_rf", Msg("gave the jump (the product of the strides), not the receptive field"),
               value(ctx.net, ctx.target, "jump"))
    if ctx.quantity == "jump":
        yield ("rf_not_jump", Msg("gave the receptive field, not the jump (the product of the strides)"),
               value(ctx.net, ctx.target, "rf"))


# code, argument name, new value from the current one, message, quantities, whether to try every layer too
ARG_MISTAKES: tuple[tuple[str, str, Callable[[Any], Any], Msg, tuple[str, ...], bool], ...] = (
    ("forgot_padding", "padding", lambda _: 0, Msg("forgot the padding"),
     ("output_shape", "macs", "flops", "activations", "fits"), True),
    ("ignored_groups", "groups", lambda _: 1, Msg("ignored the groups: each filter sees only C_in/groups input "
                                                  "channels"), ("params", "weights", "macs", "flops"), True),
    ("wrong_rounding", "ceil_mode", lambda c: not c, Msg("rounded the wrong way: pooling floors unless ceil_mode "
                                                         "is set"), ("output_shape", "macs", "flops", "activations"),
     True),
    ("ignored_dilation", "dilation", lambda _: 1, Msg("ignored the dilation: the kernel spans d·(k − 1) + 1 pixels"),
     ("output_shape", "rf"), True),
    ("ignored_stride_rf", "stride", lambda _: 1, Msg("ignored the stride: the field grows by (k − 1)·j, the jump j "
                                                     "being the product of the earlier strides"), ("rf",), True),
    ("ignored_stride", "stride", lambda _: 1, Msg("ignored the stride"),
     ("output_shape", "macs", "flops", "activations"), False),
    ("one_filter", "out", lambda _: 1, Msg("gave the parameters of one filter (or neuron); multiply by their number"),
     ("params", "weights"), False),
)


def _arguments(ctx: Context) -> Iterator[Candidate]:
    for code, name, new, message, quantities, everywhere in ARG_MISTAKES:
        if ctx.quantity in quantities:
            for rows in _scopes(ctx, everywhere):
                yield code, message, ctx.value_in(variant(ctx.net, with_arg(name, new), rows))


def _input_size(ctx: Context) -> Iterator[Candidate]:
    shape = ctx.net.report.input_shape
    if len(shape) == 3 and shape[1] == shape[2] and shape[1] in (224, 227):
        other = 451 - shape[1]
        yield ("wrong_input_size", Msg("used a {o}×{o} input; this network takes {h}×{w}", o=other, h=shape[1],
                                       w=shape[2]),
               ctx.value_in(variant(ctx.net, lambda _: None, input_shape=(shape[0], other, other))))


def _input_layout(ctx: Context) -> Iterator[Candidate]:
    shape = ctx.net.report.input_shape
    if len(shape) == 3 and len(set(shape)) > 1:
        misread = (shape[1], shape[2], shape[0])  # the H×W×C numbers taken as C×H×W
        yield ("hwc_read_as_chw", Msg("read the {shape} ({hwc}) input as {chw}", shape=fmt_shape(in_layout(shape,
                                      "hwc")), hwc=axes(3, "hwc"), chw=axes(3, "chw")),
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
    yield ("flat_filters", Msg("forgot that each filter spans all the input channels (C_in/groups of them)"),
           values[ctx.quantity])


def _depth(ctx: Context) -> Iterator[Candidate]:
    if ctx.quantity == "depth":
        weighted = [r for k, r in enumerate(ctx.net.report.layers) if k in ctx.target.rows
                    and ctx.net.layer(r).WEIGHTED]
        yield ("counted_all_layers", Msg("counted every conv and linear layer; the depth counts those on the "
                                         "longest path (shortcut projections lie beside it)"), len(weighted))


def _int(v: Value) -> int:
    assert isinstance(v, int)
    return v


# in order of precedence: when two mistakes give the same number, the first is named first
RULES: tuple[Rule, ...] = (_shape_layout, _file_layout, _arguments, _macs_flops, _bias, _bytes, _field_jump,
                           _input_size, _input_layout, _flat_filters, _depth)

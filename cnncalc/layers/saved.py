"""The saved-tensor rules (``SAVED``) the layer kinds declare, as small factories.

Each factory returns a `memory.SavedRule`: ``SAVED = saved.output(in_place=True)``
for relu, ``saved.input_and_indices()`` for max pooling. What each rule keeps is
what torch 2.14's autograd keeps for the op the kind lowers to (measured; README,
"Will it fit?"). The storage a rule names is counted once however many layers keep
it: a ReLU in place keeps the batch norm's output that the next conv keeps too.
"""

from __future__ import annotations

from math import prod
from typing import TYPE_CHECKING, Any

from cnncalc.layers.memory import Context, Effect, Piece, SavedRule, Shape
from cnncalc.layers.text import Msg

if TYPE_CHECKING:
    from cnncalc.layers.base import Bound


def follows(b: Bound, ctx: Context) -> dict[str, Any]:
    """Output type and layout as the input's (elementwise ops, pooling, norms)."""
    return {"dtype": ctx.dtypes[0], "channels_last": ctx.channels_last[0] and len(b.output) > 1}


CAST_FLOAT32 = Msg("input cast to {dtype}", dtype="float32")


def kept_input(b: Bound, ctx: Context, k: int = 0, what: Msg | None = None) -> Piece:
    return Piece(what or Msg("input"), "input", b.inputs[k], ctx.dtypes[k], index=k)


def _operand(b: Bound, ctx: Context, k: int = 0) -> Piece:
    """The input as an op that autocast runs in low precision keeps it: the input, or its copy."""
    if ctx.autocast and ctx.dtypes[k] != ctx.autocast:
        return Piece(Msg("input cast to {dtype}", dtype=ctx.autocast), "new", b.inputs[k], ctx.autocast)
    return kept_input(b, ctx, k)


def _low(ctx: Context) -> str:
    return ctx.autocast or ctx.dtypes[0]


def _weight(b: Bound, ctx: Context) -> tuple[Piece, ...]:
    """Under autocast, the low-precision copy of the weight (a new tensor; the bias copy is not kept)."""
    return (Piece(Msg("weight cast to {dtype}", dtype=ctx.autocast), "weight", (b.weights,), ctx.autocast,
                  batched=False),) \
        if ctx.autocast else ()


def cuda_amp(ctx: Context) -> bool:
    """torch.autocast on CUDA runs layer_norm, group_norm, softplus, softmax and pow in float32."""
    return bool(ctx.autocast) and ctx.device == "cuda"


def promoted(dtypes: tuple[str, ...]) -> str:
    return "float32" if "float32" in dtypes else dtypes[0]


def viewable(shape: Shape, channels_last: bool) -> bool:
    """Whether (N, *shape) flattens to (N, numel) as a view: contiguous, or channels innermost
    with a single channel or a single position (else torch copies it).

    >>> viewable((64, 7, 7), False), viewable((64, 7, 7), True), viewable((64, 1, 1), True)
    (True, False, True)
    """
    return not channels_last or shape[0] == 1 or prod(shape[1:]) == 1


# -- factories ----------------------------------------------------------------------------------------


def nothing(why: Msg, *, output: str = "new", passes_grad: bool = False, in_place: bool = False) -> SavedRule:
    """Nothing kept (`why`); the output is new, or with `output` ``shared`` its input's storage.

    `passes_grad`: the backward hands out (views of) the incoming gradient (add, concat).
    """

    def apply(b: Bound, ctx: Context) -> Effect:
        shared = output == "shared" or (in_place and ctx.in_place)
        dtype = ctx.dtypes[0] if shared else promoted(ctx.dtypes)
        return Effect((), "shared" if shared else "new", dtype, all(ctx.channels_last) and len(b.output) > 1,
                      passes_grad)

    return SavedRule(Msg("nothing: {why}", why=why), apply, in_place)


def view_or_copy() -> SavedRule:
    """Nothing kept; the output is a view of the input, or a copy when the layout does not allow one."""

    def apply(b: Bound, ctx: Context) -> Effect:
        shared = viewable(b.inputs[0], ctx.channels_last[0])
        return Effect((), "shared" if shared else "new", ctx.dtypes[0], passes_grad=True)

    return SavedRule(Msg("nothing: a reshape (a view of its input, or a copy of a channels-last one)"), apply)


def input(*, in_place: bool = False, cuda_amp_float32: bool = False) -> SavedRule:
    """Its input; `in_place`: written into its input, it keeps its result, the same storage."""

    def apply(b: Bound, ctx: Context) -> Effect:
        if cuda_amp_float32 and cuda_amp(ctx) and ctx.dtypes[0] != "float32":
            return Effect((Piece(CAST_FLOAT32, "new", b.inputs[0], "float32"),), dtype="float32",
                          channels_last=ctx.channels_last[0] and len(b.output) > 1)
        return Effect((kept_input(b, ctx),), "shared" if ctx.in_place else "new", **follows(b, ctx))

    return SavedRule(Msg("its input; in place, its result: the same storage") if in_place else Msg("its input"), apply,
                     in_place)


def input_and_weight() -> SavedRule:
    """Its input and weight, both in low precision under autocast (transposed conv, PReLU)."""

    def apply(b: Bound, ctx: Context) -> Effect:
        return Effect((_operand(b, ctx), *_weight(b, ctx)), dtype=_low(ctx),
                      channels_last=ctx.channels_last[0] and len(b.output) > 2)

    return SavedRule(Msg("its input (and its weight, a parameter)"), apply)


def output(*, in_place: bool = False, cuda_amp_float32: bool = False) -> SavedRule:
    """Its output: the derivative is a function of the output (relu, sigmoid, tanh, softmax)."""

    def apply(b: Bound, ctx: Context) -> Effect:
        dtype = "float32" if cuda_amp_float32 and cuda_amp(ctx) else ctx.dtypes[0]
        return Effect((Piece(Msg("output"), "output", b.output, dtype),), "shared" if ctx.in_place else "new", dtype,
                      ctx.channels_last[0] and len(b.output) > 1)

    return SavedRule(Msg("its output; in place, the input it overwrote") if in_place else Msg("its output"), apply,
                     in_place)


def input_or_copy() -> SavedRule:
    """Its input; in place, a copy of the input taken before it is overwritten (relu6, silu, hardswish)."""

    def apply(b: Bound, ctx: Context) -> Effect:
        kept = Piece(Msg("copy of the input (in place)"), "new", b.inputs[0], ctx.dtypes[0]) if ctx.in_place \
            else kept_input(b, ctx)
        return Effect((kept,), "shared" if ctx.in_place else "new", **follows(b, ctx))

    return SavedRule(Msg("its input; in place, a copy of the input taken before it is overwritten"), apply, True)


def input_and_indices(*, negated: bool = False) -> SavedRule:
    """Max pooling: its input and the int64 index of each maximum (one per output element);
    `negated` (min pooling, −maxpool(−x)): the negated copy of the input instead of the input."""

    def apply(b: Bound, ctx: Context) -> Effect:
        x = Piece(Msg("negated input"), "new", b.inputs[0], ctx.dtypes[0]) if negated else kept_input(b, ctx)
        tmp = (Piece(Msg("maxima of the negated input"), "new", b.output, ctx.dtypes[0]),) if negated else ()
        return Effect((x, Piece(Msg("indices"), "new", b.output, "int64")), temporaries=tmp, **follows(b, ctx))

    return SavedRule(Msg("the negated input and the index of each maximum (int64, one per output element)")
                     if negated else Msg("its input and the index of each maximum (int64, one per output element)"),
                     apply)


def input_unless_mean() -> SavedRule:
    """Adaptive average pooling: its input, except to 1×…×1 (a mean, which keeps nothing)."""

    def apply(b: Bound, ctx: Context) -> Effect:
        mean = all(d == 1 for d in b.output[1:])
        return Effect(() if mean else (kept_input(b, ctx),), **follows(b, ctx))

    return SavedRule(Msg("its input, except for a 1×1 output (torch computes a mean: nothing)"), apply)


def input_and_statistics(per: Msg, shape: Any, *, counters: int = 0, cuda_amp_float32: bool = False,
                         channels_last: bool = False) -> SavedRule:
    """A normalisation: its input, and a mean and a 1/std per `per` (`shape(bound)` -> (shape, per
    sample?)) in the parameters' type (float32 under autocast; the input's without parameters or
    running statistics). `channels_last`: the output is laid out channels innermost (layer norm)."""

    def apply(b: Bound, ctx: Context) -> Effect:
        stats_shape, batched = shape(b)
        stats = ctx.param_dtype if getattr(b.layer, "affine", True) or counters else ctx.dtypes[0]
        x, dtype = kept_input(b, ctx), ctx.dtypes[0]
        if cuda_amp_float32 and cuda_amp(ctx):
            stats = dtype = "float32"
            if ctx.dtypes[0] != "float32":
                x = Piece(CAST_FLOAT32, "new", b.inputs[0], "float32")
        layout = (ctx.channels_last[0] or channels_last) and len(b.output) > 1
        lone = counters and prod(b.inputs[0][1:]) == 1  # one value per channel and sample
        return Effect((x, Piece(Msg("mean and 1/std"), "new", stats_shape, stats, batched=batched, copies=2)),
                      dtype=dtype, channels_last=layout, min_batch=2 if lone else 1)

    return SavedRule(Msg("its input, and a mean and a 1/std per {per}", per=per), apply, counters=counters)


def padded_input() -> SavedRule:
    """Convolution: its input, or the zero-padded copy it convolves when the padding is uneven."""

    def apply(b: Bound, ctx: Context) -> Effect:
        g, shape = b.geometry, b.inputs[0]
        low = _low(ctx)
        layout = ctx.channels_last[0] and len(shape) > 2  # conv1d returns a contiguous output
        per_group = shape[0] // getattr(b.layer, "groups", 1)
        # a channels-last weight gradient, copied to the weight's layout by AccumulateGrad
        copy = (Piece(Msg("weight gradient, channels last"), "new", (b.weights,), ctx.param_dtype, batched=False),) \
            if layout and per_group > 1 and any(k > 1 for k in g.kernel) else ()
        if g.symmetric:
            return Effect((_operand(b, ctx), *_weight(b, ctx)), dtype=low, channels_last=layout, accumulate=copy)
        padded = (shape[0], *(n + lo + hi for n, (lo, hi) in zip(shape[1:], g.pads, strict=True)))
        tmp = (Piece(Msg("zero-padded input"), "new", padded, ctx.dtypes[0]),) if low != ctx.dtypes[0] else ()
        return Effect((Piece(Msg("zero-padded input"), "new", padded, low), *_weight(b, ctx)), dtype=low,
                      channels_last=layout, temporaries=tmp, accumulate=copy)

    return SavedRule(Msg("its input (its zero-padded copy when the padding is uneven; the weight is a parameter)"),
                     apply)


def flat_input() -> SavedRule:
    """Linear: its input flattened (a view; a copy of a channels-last input), and its weight."""

    def apply(b: Bound, ctx: Context) -> Effect:
        shape = b.inputs[0]
        per_position = not getattr(b.layer, "flatten", True) and len(shape) > 1
        flat = shape if per_position else (prod(shape),)
        # over the channels at every position (flatten: false), torch folds the positions into rows: a
        # view of a channels-last input, else a copy; flattened, a view unless channels-last
        copy = (not ctx.channels_last[0]) if per_position else len(shape) > 1 and not viewable(shape,
                                                                                               ctx.channels_last[0])
        made = (Piece(Msg("flattened copy of the input"), "new", flat, ctx.dtypes[0]),) if copy else ()
        weight = _weight(b, ctx) if ctx.grads[0] else ()  # addmm keeps the weight for the input's gradient
        if ctx.autocast and ctx.dtypes[0] != ctx.autocast:
            return Effect((Piece(Msg("input cast to {dtype}", dtype=ctx.autocast), "new", flat, ctx.autocast),
                           *weight),
                          dtype=ctx.autocast, temporaries=made)
        return Effect((*(made or (kept_input(b, ctx),)), *weight), dtype=_low(ctx))

    return SavedRule(Msg("its input, flattened or, per position, with the positions as rows (the weight is a "
                         "parameter)"), apply)


def operands() -> SavedRule:
    """An elementwise product: each operand the other operand's gradient needs (with three or more
    inputs, the running product too); a broadcast operand's gradient needs an output-sized sum."""

    def apply(b: Bound, ctx: Context) -> Effect:
        shape, dtype, grad = b.inputs[0], ctx.dtypes[0], ctx.grads[0]
        product = kept_input(b, ctx, 0, Msg("input {n}", n=1))
        kept: list[Piece] = []
        made: list[Piece] = []
        broadcast = False
        for k in range(1, len(b.inputs)):
            other = b.inputs[k]
            out = tuple(max(x, y) for x, y in zip(shape, other, strict=True))
            kept += [product] if ctx.grads[k] else []
            kept += [kept_input(b, ctx, k, Msg("input {n}", n=k + 1))] if grad else []
            broadcast = broadcast or (grad and shape != out) or (ctx.grads[k] and other != out)
            shape, dtype, grad = out, promoted((dtype, ctx.dtypes[k])), grad or ctx.grads[k]
            product = Piece(Msg("product of inputs 1–{n}", n=k + 1), "new", out, dtype)
            made.append(product)
        full = next(k for k, s in enumerate(b.inputs) if s == b.output)
        scratch = (Piece(Msg("broadcast product"), "new", b.output, dtype),) if broadcast else ()
        return Effect(tuple(kept), dtype=dtype, channels_last=ctx.channels_last[full] and len(b.output) > 1,
                      temporaries=tuple(p for p in made[:-1] if p not in kept), scratch=scratch)

    return SavedRule(Msg("each operand that another operand's gradient needs"), apply)


__all__ = ["cuda_amp", "flat_input", "follows", "input", "input_and_indices", "input_and_statistics",
           "input_and_weight", "input_or_copy", "input_unless_mean", "kept_input", "nothing", "operands", "output",
           "padded_input", "promoted", "view_or_copy", "viewable"]

"""The saved-tensor rules of one layer kind each, as cnncalc lowers that kind: dropout's and stochastic
depth's noise, a channel split's part, layer scale, LRN, spatial pyramid pooling, and LeNet-5's classic
kinds (subsample, tableconv, rbf). The common rules, and the helpers these use, are in `cnncalc.layers.saved`.
"""

from __future__ import annotations

from dataclasses import replace
from math import prod
from typing import TYPE_CHECKING

from cnncalc.layers.memory import Context, Effect, Piece, SavedRule
from cnncalc.layers.saved import follows, kept_input, nothing, promoted
from cnncalc.layers.text import Msg

if TYPE_CHECKING:
    from cnncalc.layers.base import Bound


def channel_part() -> SavedRule:
    """A channel split part: what `nothing` says of a view; its backward (one torch.split call per part)
    fills the other parts' gradients with zeros before concatenating (scratch)."""
    view = nothing(Msg("a view of its input"), output="shared")

    def apply(b: Bound, ctx: Context) -> Effect:
        channels, *rest = b.inputs[0]
        zeros = Piece(Msg("zeros for the other parts' gradients"), "new", (channels - b.output[0], *rest),
                      ctx.dtypes[0])
        return replace(view(b, ctx), scratch=(zeros,) if channels > b.output[0] else ())

    return SavedRule(view.doc, apply)


def times_weight() -> SavedRule:
    """A learned factor per channel (``x · weight``): the input, for the weight's gradient; the
    product has the weight's float32 type under autocast (mul is not an autocast op)."""

    def apply(b: Bound, ctx: Context) -> Effect:
        dtype = promoted((ctx.dtypes[0], "float32")) if ctx.autocast else ctx.dtypes[0]
        return Effect((kept_input(b, ctx),), "new", dtype, ctx.channels_last[0] and len(b.output) > 1)

    return SavedRule(Msg("its input (for the factor's gradient; the factor is a parameter)"), apply)


def branch_noise() -> SavedRule:
    """Stochastic depth while training: the per-sample (``row``) or whole-batch (``batch``) 0-or-1/(1−p)
    factor it multiplies by, one value per sample or one in all; nothing with p = 0."""

    def apply(b: Bound, ctx: Context) -> Effect:
        if b.layer.p == 0:  # type: ignore[attr-defined]
            return Effect((), "shared", passes_grad=True, **follows(b, ctx))
        row = b.layer.mode == "row"  # type: ignore[attr-defined]
        kept = Piece(Msg("noise"), "new", (1,) * len(b.inputs[0]), ctx.dtypes[0], batched=row)
        return Effect((kept,), "new", **follows(b, ctx))

    return SavedRule(Msg("the branch's noise, one value per sample (row) or one in all (batch); nothing with "
                         "p = 0"),
                     apply)


def window_sum_times_weight() -> SavedRule:
    """LeNet's subsampling, as lowered (average pooling times ∏k, times a per-map coefficient, plus a
    bias): the pooling keeps its input, the multiply by the coefficient the window sums."""

    def apply(b: Bound, ctx: Context) -> Effect:
        sums = Piece(Msg("window sums"), "new", b.output, ctx.dtypes[0])
        return Effect((kept_input(b, ctx), sums), "new", **follows(b, ctx))

    return SavedRule(Msg("its input (for the pooling) and the window sums (for the coefficient's gradient)"), apply)


def gathered_maps() -> SavedRule:
    """A connection-table convolution, as lowered (one convolution per output map over its input maps,
    gathered by index): each convolution keeps its gathered copy; each gather its int64 indices."""

    def apply(b: Bound, ctx: Context) -> Effect:
        table: tuple[tuple[int, ...], ...] = b.layer.table  # type: ignore[attr-defined]
        read = sum(len(maps) for maps in table)
        spatial = b.inputs[0][1:]
        return Effect((Piece(Msg("the input maps each output map reads"), "new", (read, *spatial), ctx.dtypes[0]),
                       Piece(Msg("their indices"), "new", (read,), "int64", batched=False)), "new", **follows(b, ctx))

    return SavedRule(Msg("per output map, a copy of the input maps it reads, and their indices"), apply)


def differences() -> SavedRule:
    """Euclidean RBF units, as lowered ((x − w)² summed): the square keeps the differences, out × in
    values per sample."""

    def apply(b: Bound, ctx: Context) -> Effect:
        return Effect((Piece(Msg("differences x − w"), "new", (b.output[0], prod(b.inputs[0])), ctx.dtypes[0]),),
                      "new", ctx.dtypes[0])

    return SavedRule(Msg("the differences between the input and every prototype"), apply)


def noise() -> SavedRule:
    """Dropout while training: the scaled noise it multiplies by (the input's type; on CUDA, out of
    place, a one-byte mask); nothing with p = 0."""

    def apply(b: Bound, ctx: Context) -> Effect:
        if b.layer.p == 0:  # type: ignore[attr-defined]
            return Effect((), "shared", passes_grad=True, **follows(b, ctx))
        kept = Piece(Msg("mask"), "new", b.inputs[0], "bool") if ctx.device == "cuda" and not ctx.in_place \
            else Piece(Msg("noise"), "new", b.inputs[0], ctx.dtypes[0])
        return Effect((kept,), "shared" if ctx.in_place else "new", **follows(b, ctx))

    return SavedRule(Msg("the dropout noise (a bool mask on CUDA); nothing with p = 0"), apply, True)


def lrn_terms() -> SavedRule:
    """Local response norm (torch's composite): its input, the zero-padded squares, the base of
    the power and the divisor; the power runs in float32 under autocast (avg_pool3d on CPU, pow on
    CUDA). The divisor's gradient needs three input-sized temporaries (−g·(x/d)/d) in the backward."""

    def apply(b: Bound, ctx: Context) -> Effect:
        c, *spatial = b.inputs[0]
        dtype = wide = ctx.dtypes[0]
        if ctx.autocast and (ctx.device == "cuda" or len(spatial) >= 2):
            wide = "float32"
        squares = dtype if ctx.device == "cuda" else wide
        padded = (c + b.layer.size - 1, *spatial)  # type: ignore[attr-defined]
        kept = (kept_input(b, ctx), Piece(Msg("zero-padded squares"), "new", padded, squares),
                Piece(Msg("base of the power"), "new", b.inputs[0], wide),
                Piece(Msg("divisor"), "new", b.inputs[0], wide))
        out = promoted((dtype, wide))
        return Effect(kept, dtype=out, channels_last=ctx.channels_last[0],
                      scratch=(Piece(Msg("divisor's gradient terms"), "new", b.inputs[0], out, copies=3),))

    return SavedRule(Msg("its input, the padded squares, the base of the power and the divisor"), apply)


def pyramid() -> SavedRule:
    """Spatial pyramid pooling: its input (max: with the int64 indices of each level; average:
    unless every level is a 1×1 mean)."""

    def apply(b: Bound, ctx: Context) -> Effect:
        c, *spatial = b.inputs[0]
        levels, mode = b.layer.levels, b.layer.mode  # type: ignore[attr-defined]
        shapes = [(c, *(n,) * len(spatial)) for n in levels]
        kept: tuple[Piece, ...] = ()
        if mode == "max":
            kept = (kept_input(b, ctx), *(Piece(Msg("indices of level {n}", n=n), "new", s, "int64")
                                      for n, s in zip(levels, shapes, strict=True)))
        elif any(n > 1 for n in levels):
            kept = (kept_input(b, ctx),)
        made = tuple(Piece(Msg("level {n}", n=n), "new", s, ctx.dtypes[0])
                     for n, s in zip(levels, shapes, strict=True))
        return Effect(kept, dtype=ctx.dtypes[0], temporaries=made)

    return SavedRule(Msg("its input (max: and the indices of each level's maxima, int64)"), apply)


__all__ = ["branch_noise", "differences", "gathered_maps", "lrn_terms", "noise", "pyramid", "times_weight",
           "window_sum_times_weight"]

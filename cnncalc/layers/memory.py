"""What autograd saves for the backward pass: the vocabulary of the per-kind rules.

Like the FLOP rules (`costs`), each layer kind declares ``SAVED``, a `SavedRule`
built by one of the small factories in `saved`. Its `doc` says what is kept; its
function gives, for a bound layer in its training context (`Context`: which inputs
require grad, their types and layouts, whether it runs in place, autocast), an
`Effect`: the tensors it keeps (`Piece`: the storage of an input, of its output, or
a tensor of its own) and how its output relates to its input (a new tensor, or the
input's storage: a view, the same tensor, written in place). The analysis
(`cnncalc.analysis.training`) counts each storage once; `formula` writes a layer's
bytes as a worked formula (``cnncalc explain NET LAYER --train``).

The rules follow torch 2.14's autograd formulas (measured on CPU in float32 and bf16
autocast; README, "Will it fit?"). A parameter is never counted: it is memory the
model holds anyway. Under autocast, the low-precision copies of weights that convs
and linear layers save are reported apart (source ``weight``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cnncalc.layers.formula import Formula, Mul, Num, total
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg, joined

if TYPE_CHECKING:
    from cnncalc.layers.base import Bound

Shape = tuple[int, ...]
ITEMSIZE = {"float32": 4, "float16": 2, "bfloat16": 2, "int64": 8, "bool": 1, "int8": 1}


@dataclass(frozen=True)
class Context:
    """What a rule needs beyond the bound layer: its inputs as tensors and how the step runs."""

    grads: tuple[bool, ...]  # which inputs require grad
    dtypes: tuple[str, ...]  # element type of each input
    channels_last: tuple[bool, ...]  # each input laid out channels innermost (after a layernorm)
    in_place: bool = False  # the layer runs in place (`cnncalc.analysis.inplace.in_place`)
    autocast: str | None = None  # the low-precision type under torch.autocast
    device: str = "cuda"
    param_dtype: str = "float32"


@dataclass(frozen=True)
class Piece:
    """One tensor kept for the backward pass (or, in `Effect.temporaries`, made and dropped).

    `source`: ``input`` (the storage of input `index`, whole even when a view of it is
    kept), ``output`` (the layer's output storage), ``new`` (a tensor of its own) or
    ``weight`` (a low-precision copy of the weight, under autocast only). `shape` is per
    sample when `batched`; `copies` equal tensors (mean and rstd) are separate storages.
    """

    what: Msg  # in words: ``input``, ``mean and 1/std``
    source: str
    shape: Shape
    dtype: str
    index: int = 0
    batched: bool = True
    copies: int = 1

    def elements(self, batch: int) -> int:
        """Elements of one of its `copies`."""
        n = batch if self.batched else 1
        for d in self.shape:
            n *= d
        return n


@dataclass(frozen=True)
class Effect:
    """A rule applied: what is kept, the output's storage (``new`` or ``shared`` with input 0),
    type and layout, whether the backward hands out (views of) its incoming gradient, and
    tensors alive only inside the forward (`temporaries`) or the backward (`scratch`), or made
    after it (`accumulate`: AccumulateGrad's copy of a parameter's gradient into the parameter's
    layout, once the layer's backward has released what it kept and its incoming gradient)."""

    pieces: tuple[Piece, ...]
    output: str = "new"
    dtype: str = "float32"
    channels_last: bool = False
    passes_grad: bool = False
    temporaries: tuple[Piece, ...] = ()
    scratch: tuple[Piece, ...] = ()
    accumulate: tuple[Piece, ...] = ()
    min_batch: int = 1  # batch norm needs more than one value per channel to train


Apply = Callable[["Bound", Context], Effect]


@dataclass(frozen=True)
class SavedRule:
    """The kind's rule: `doc` says what is kept, `apply` says it for a bound layer; `in_place`:
    its torch module can overwrite its input (``inplace=True``), which the lowering uses where
    nothing else reads that input; `counters`: int64 scalars its module keeps (num_batches_tracked)."""

    doc: Msg
    apply: Apply
    in_place: bool = False
    counters: int = 0

    def __call__(self, bound: Bound, ctx: Context) -> Effect:
        return self.apply(bound, ctx)


def formula(effect: Effect, batch: int = 1) -> Formula:
    """The bytes of what `effect` keeps, as a worked formula: ``1·64·56·56·4 + 2·64·4``."""
    terms: list[Formula] = []
    for p in effect.pieces:
        if p.source == "weight":
            continue  # reported apart, as parameter casts
        factors: list[Formula] = [Num(p.copies)] if p.copies > 1 else []
        factors += [Num(batch, "N")] if p.batched else []
        factors += [Num(d) for d in p.shape] + [Num(ITEMSIZE[p.dtype])]
        terms.append(Mul(*factors) if len(factors) > 1 else factors[0])
    return total(terms)


def describe(effect: Effect) -> Msg | str:
    """What the pieces are, in words: ``input (float32) + mean and 1/std (float32)``."""
    kept = [Msg("{what} ({dtype})", what=p.what, dtype=p.dtype) for p in effect.pieces if p.source != "weight"]
    return joined(kept, " + ") if kept else Msg("nothing")


def worked(rule: SavedRule, effect: Effect, batch: int = 1) -> Worked:
    """The worked line of what a layer keeps, in bytes: ``saved = 1·64·56·56·4 + 2·64·4 = 803,328``."""
    return Worked("saved", "saved", formula(effect, batch), Msg("bytes kept for the backward pass: {what} ({doc})",
                                                                 what=describe(effect), doc=rule.doc))


__all__ = ["ITEMSIZE", "Context", "Effect", "Piece", "SavedRule", "describe", "formula", "worked"]
